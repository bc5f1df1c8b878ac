// unikernel-soak: the command line over the engine (soak/run.ts).
// Exit codes: 0 pass, 1 the kernel failed the soak, 2 usage or infrastructure error.

import { kernelUnderTest } from "../kernel/bundled.ts";
import { reproduceCommand } from "./argv.ts";
import { bisectCommand, bisectStepCommand } from "./bisect/command.ts";
import { parseCli, USAGE } from "./cli-options.ts";
import { compareCommand } from "./compare/command.ts";
import { mergeCommand } from "./merge/command.ts";
import { type SoakOptions, UsageError } from "./options.ts";
import { progressDue, progressLine } from "./progress.ts";
import { logLine, logLines, printLine } from "./report/guest-text.ts";
import { reproCommand } from "./repro/command.ts";
import { runSoak, VERSION } from "./run.ts";

async function main(): Promise<number> {
  const log = (line: string) => console.error(`unikernel-soak: ${logLine(line)}`);
  try {
    const argv = process.argv.slice(2);
    if (argv[0] === "merge") return await mergeCommand(argv.slice(1));
    if (argv[0] === "repro") return await reproCommand(argv.slice(1), log);
    if (argv[0] === "bisect") return await bisectCommand(argv.slice(1), log);
    if (argv[0] === "compare") return await compareCommand(argv.slice(1), log);
    if (argv[0] === "bisect-step") return await bisectStepCommand(argv.slice(1), log);
    return await soak(parseCli(argv));
  } catch (err) {
    if (err instanceof UsageError) {
      log(err.message);
      return 2;
    }
    throw err;
  }
}

async function soak(options: SoakOptions | "help"): Promise<number> {
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  const tty = process.stderr.isTTY;
  // the engine's lines carry guest text: logLine keeps its controls from the terminal
  const log = (line: string) => console.error(`${tty ? "\r\x1b[K" : ""}unikernel-soak: ${logLine(line)}`);
  // The first signal ends the soak with a partial report; a second one stops at once
  // (QEMU goes with the engine: see soak/vm/qemu.ts).
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) return controller.abort();
    log(`${signal} while cancelling: stopping now, without a report`);
    process.exit(2);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  const kernel = await kernelUnderTest(options.kernel, options.fault, log);
  if (controller.signal.aborted) {
    log("cancelled before the soak started");
    return 2;
  }
  let lastLine = 0;
  const report = await runSoak(options, kernel, {
    command: reproduceCommand(options, kernel.elf, VERSION),
    signal: controller.signal,
    log,
    progress: (p) => {
      if (tty) process.stderr.write(`\r\x1b[K${progressLine(p)}`);
      else if (progressDue(p.elapsedS, lastLine)) {
        lastLine = p.elapsedS;
        console.error(progressLine(p));
      }
    },
  });
  if (tty) process.stderr.write("\n");
  const v = report.verdict;
  printLine(`verdict: ${v.kind}${report.crash ? ` — ${report.crash.title}` : ""}`);
  for (const r of v.reasons) printLine(`  ${r.kind}: ${r.message}`);
  if (report.load)
    console.log(
      `requests: ${report.load.requests} in ${report.load.durationS} s (${Math.round(report.load.rps)} req/s), p99 ${report.load.latencyMs.p99} ms`,
    );
  console.log(`report: ${options.out}/report.html (open it in a browser), report.json, summary.md`);
  return v.exitCode;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`unikernel-soak: ${logLines(String((err as Error).stack ?? err))}`);
    process.exit(2);
  },
);
