// The CLI's soak: the kernel under test, the engine's run and the result lines. The
// process entry (main.ts) gives it the terminal; the hostile suite's engine host gives
// it its own lines, so the two run one code path.
import { kernelUnderTest } from "../kernel/bundled.ts";
import { type Progress, reproduceCommand, runSoak, type SoakOptions, VERSION } from "../soak/index.ts";

export interface SoakIo {
  /** an engine line for stderr (it may carry guest text: the caller passes it through logLine) */
  log(line: string): void;
  /** a result line for stdout (the same) */
  print(line: string): void;
  progress(p: Progress): void;
  /** aborted: end the soak with a partial report */
  signal?: AbortSignal;
}

/** Soaks as `options` say; the exit code: 0 pass, 1 the kernel failed, 2 an error. */
export async function soak(options: SoakOptions, io: SoakIo): Promise<number> {
  const kernel = await kernelUnderTest(options.kernel, options.fault, io.log);
  if (io.signal?.aborted) {
    io.log("cancelled before the soak started");
    return 2;
  }
  const report = await runSoak(options, kernel, {
    command: reproduceCommand(options, kernel.elf, VERSION),
    signal: io.signal,
    log: io.log,
    progress: io.progress,
  });
  const v = report.verdict;
  io.print(`verdict: ${v.kind}${report.crash ? ` — ${report.crash.title}` : ""}`);
  for (const r of v.reasons) io.print(`  ${r.kind}: ${r.message}`);
  if (report.load)
    io.print(
      `requests: ${report.load.requests} in ${report.load.durationS} s (${Math.round(report.load.rps)} req/s), p99 ${report.load.latencyMs.p99} ms`,
    );
  io.print(`report: ${options.out}/report.html (open it in a browser), report.json, summary.md`);
  return v.exitCode;
}
