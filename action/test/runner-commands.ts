// What a GitHub runner would obey in a step's output, by its rules (actions/runner,
// ActionCommand.cs and its stop-commands handling): a line ends at \n or \r; `##[` anywhere
// starts a command; `::name…::` after leading white space is one; after
// `::stop-commands::TOKEN` nothing is obeyed until a line `::TOKEN::`.
export interface Obeyed {
  command: string;
  line: string;
}

export function obeyedCommands(output: string): Obeyed[] {
  const obeyed: Obeyed[] = [];
  let stoppedBy: string | undefined;
  for (const line of output.split(/\r\n|\r|\n/)) {
    const v2 = /^::([^\s:]+)[^:]*::/.exec(line.trimStart());
    if (stoppedBy !== undefined) {
      if (v2?.[1] === stoppedBy) {
        obeyed.push({ command: "resume-commands", line });
        stoppedBy = undefined;
      }
      continue;
    }
    const v1 = /##\[([^\]\s;]+)/.exec(line);
    if (v1) obeyed.push({ command: v1[1], line });
    else if (v2) {
      obeyed.push({ command: v2[1], line });
      if (v2[1] === "stop-commands") stoppedBy = line.trimStart().slice(v2[0].length);
    }
  }
  return obeyed;
}
