// The shape a Markdown reader sees, for tests that feed it guest text: the cells of each
// table row and the fenced blocks, by CommonMark's and GitHub's rules.

/** The cells of a table row: split at every `|` not escaped by a backslash. */
export const cells = (row: string): number => row.replace(/\\./g, "").split("|").length - 2;

/** Every table (lines starting with `|`, in a run) whose rows do not all have the header's cell count. */
export function brokenTables(md: string): string[][] {
  const broken: string[][] = [];
  let table: string[] = [];
  for (const line of [...md.split("\n"), ""]) {
    if (line.startsWith("|")) table.push(line);
    else if (table.length) {
      if (table.some((r) => cells(r) !== cells(table[0]))) broken.push(table);
      table = [];
    }
  }
  return broken;
}

/** The fenced code blocks: an opening run of 3+ backticks, closed by a line of at least as many and nothing else. */
export function fencedBlocks(md: string): string[][] {
  const blocks: string[][] = [];
  let open: { fence: number; lines: string[] } | undefined;
  for (const line of md.split("\n")) {
    const run = /^ {0,3}(`{3,})/.exec(line)?.[1].length ?? 0;
    if (!open && run) open = { fence: run, lines: [] };
    else if (open && run >= open.fence && /^ {0,3}`+\s*$/.test(line)) {
      blocks.push(open.lines);
      open = undefined;
    } else open?.lines.push(line);
  }
  if (open) blocks.push(open.lines);
  return blocks;
}

/** The text outside fenced blocks and code spans: where HTML and Markdown would take effect. */
export function prose(md: string): string {
  const blocks = new Set(fencedBlocks(md).flat());
  return md
    .split("\n")
    .filter((l) => !blocks.has(l) && !/^ {0,3}```/.test(l))
    .join("\n")
    .replace(/\\./g, "") // an escaped backtick opens no code span
    .replace(/(`+)(?!`)[^\n]*?(?<!`)\1(?!`)/g, "");
}
