// unikernel-soak: the command line over the engine (soak/run.ts); this file is the
// process entry: the subcommands, the terminal, signals and the exit code.
// Exit codes: 0 pass, 1 the kernel failed the soak, 2 usage or infrastructure error.

import { kernelUnderTest } from "../kernel/bundled.ts";
import {
  bisectCommand,
  bisectStepCommand,
  cancelOnSignals,
  compareCommand,
  logLine,
  logLines,
  mergeCommand,
  parseCli,
  printLine,
  profileDiffCommand,
  progressDue,
  progressLine,
  reproCommand,
  USAGE,
  UsageError,
} from "../soak/index.ts";
import { soak } from "./soak.ts";

async function main(): Promise<number> {
  const log = (line: string) => console.error(`unikernel-soak: ${logLine(line)}`);
  try {
    const argv = process.argv.slice(2);
    if (argv[0] === "merge") return await mergeCommand(argv.slice(1));
    if (argv[0] === "profile-diff") return await profileDiffCommand(argv.slice(1));
    if (argv[0] === "repro") return await reproCommand(argv.slice(1), log);
    if (argv[0] === "bisect") return await bisectCommand(argv.slice(1), log);
    if (argv[0] === "compare")
      return await compareCommand(argv.slice(1), log, () => kernelUnderTest(undefined, undefined, log));
    if (argv[0] === "bisect-step") return await bisectStepCommand(argv.slice(1), log);
    const options = parseCli(argv);
    if (options === "help") {
      console.log(USAGE);
      return 0;
    }
    return await soakInTerminal(options);
  } catch (err) {
    if (err instanceof UsageError) {
      log(err.message);
      return 2;
    }
    throw err;
  }
}

async function soakInTerminal(options: Exclude<ReturnType<typeof parseCli>, "help">): Promise<number> {
  const tty = process.stderr.isTTY;
  // the engine's lines carry guest text: logLine keeps its controls from the terminal
  const log = (line: string) => console.error(`${tty ? "\r\x1b[K" : ""}unikernel-soak: ${logLine(line)}`);
  // the first signal ends the soak with a partial report
  const signal = cancelOnSignals(log, "a report");
  let lastLine = 0;
  let progressShown = false;
  const code = await soak(options, {
    log,
    signal,
    progress: (p) => {
      if (tty) {
        progressShown = true;
        process.stderr.write(`\r\x1b[K${progressLine(p)}`);
      } else if (progressDue(p.elapsedS, lastLine)) {
        lastLine = p.elapsedS;
        console.error(progressLine(p));
      }
    },
    print: (line) => {
      // the progress line ends before the result lines
      if (progressShown) process.stderr.write("\n");
      progressShown = false;
      printLine(line);
    },
  });
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`unikernel-soak: ${logLines(String((err as Error).stack ?? err))}`);
    process.exit(2);
  },
);
