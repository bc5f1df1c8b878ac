// Guest text on its way out. Serial lines, counter names, crash titles and anything read
// from a report folder may hold any bytes; these are the only ways such text leaves the
// engine: as a log or terminal line, as inline Markdown, or inside a fenced block.
// (HTML has its own: html-escape.ts.)

/** C0 and C1 controls (ESC, CR, NUL, the one-byte CSI 0x9b…) and DEL, but not tab. */
const CONTROLS = /(?!\t)\p{Cc}/gu;
/** characters that reorder or hide text (bidi overrides, zero widths) and the Unicode line breaks */
const INVISIBLES = /[\p{Cf}\p{Zl}\p{Zp}]/gu;
/** half a UTF-16 pair on its own: what a bad \ud800 in JSON decodes to */
const LONE_SURROGATE = /\p{Cs}/gu;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\x1b": "\\e", "\0": "\\0" };
const hex = (c: string, width: number) => (c.codePointAt(0) ?? 0).toString(16).padStart(width, "0");

/** One line with every control and invisible character spelled out (`\r`, `\e`, `\x01`, `\u{202e}`). */
export function visibleControls(text: string): string {
  return String(text)
    .replace(LONE_SURROGATE, "\ufffd")
    .replace(CONTROLS, (c) => NAMED[c] ?? `\\x${hex(c, 2)}`)
    .replace(INVISIBLES, (c) => `\\u{${hex(c, 4)}}`);
}

/**
 * One line for a terminal or a workflow log that no runner or terminal obeys: controls
 * spelled out (no ANSI escape, no CR that starts a new line for the runner), `##[` broken
 * wherever it is, a leading `::` broken (the runner trims leading white space first).
 */
export function logLine(text: string): string {
  return visibleControls(text)
    .replace(/##\[/g, "## [")
    .replace(/^(\s*)::/, "$1: :");
}

/** Text of several lines (a stack, a crash dump) as logLine lines. */
export const logLines = (text: string): string => String(text).split("\n").map(logLine).join("\n");

/** One line on stdout (a front door's result lines), as logLine makes it. */
export const printLine = (line: string): void => console.log(logLine(line));

const MD_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * Inline Markdown (GitHub-flavoured) that renders as the text itself, on one line: HTML
 * as entities, Markdown's punctuation backslash-escaped, so no link, image, emphasis,
 * math or table cell boundary (`|`) comes of it. Not for the start of a line.
 */
export function mdText(text: string): string {
  return visibleControls(text)
    .replace(/[&<>]/g, (c) => MD_ENTITIES[c])
    .replace(/[\\`*_[\]|~$#!]/g, "\\$&");
}

/** The longest run of backticks in `text`. */
const longestTicks = (text: string) => Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));

/**
 * An inline code span no backtick inside can close, on one line; `|` as `\|` so a table
 * row keeps its cells (GitHub shows `|` there; elsewhere the backslash shows).
 */
export function mdCode(text: string): string {
  const body = visibleControls(text).replace(/\|/g, "\\|");
  const ticks = "`".repeat(longestTicks(body) + 1);
  const pad = body.startsWith("`") || body.endsWith("`") ? " " : "";
  return `${ticks}${pad}${body}${pad}${ticks}`;
}

/** A fenced block (as lines) whose fence is longer than any backtick run inside, so no line closes it. */
export function mdFence(text: string | string[], info = ""): string[] {
  const lines = (typeof text === "string" ? text.split("\n") : text).map(visibleControls);
  const fence = "`".repeat(Math.max(3, longestTicks(lines.join("\n")) + 1));
  return [`${fence}${info}`, ...lines, fence];
}

/** A link whose target cannot end early or split a table row: space, `()<>|\`, quotes and controls percent-encoded. */
export function mdLink(label: string, url: string): string {
  const target = String(url).replace(/[\s()<>|\\"'`\p{Cc}]/gu, (c) =>
    encodeURIComponent(c) === c ? `%${hex(c, 2).toUpperCase()}` : encodeURIComponent(c),
  );
  return `[${mdText(label)}](${target})`;
}
