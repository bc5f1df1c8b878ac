// unikernel-soak repro <report-dir>: confirm the failure on fresh boots, minimise the
// scenario, confirm the minimised one, and write repro/ (scenario.json, repro.sh,
// verdict.json, summary.md, and every attempt's report under attempts/).
import { chmod, mkdir, readdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { readKernelImage } from "../kernel-image.ts";
import { UsageError } from "../options.ts";
import { VERSION } from "../package-root.ts";
import { scenarioOf } from "../scenario.ts";
import { Attempts } from "./attempt.ts";
import { Budget } from "./budget.ts";
import { confirm } from "./confirm.ts";
import { type Failure, readFailure, signatureText } from "./failure.ts";
import { type Minimised, minimise } from "./minimise.ts";
import { minimiseByClock } from "./minimise-clock.ts";
import { reproScript } from "./script.ts";
import { renderReproSummary } from "./summary.ts";
import { probeTiming, timingEvidence, timingText } from "./timing.ts";
import type { ReproVerdict } from "./verdict.ts";

export type { ReproVerdict };

export interface ReproOptions {
  reportDir: string;
  /** fresh boots per confirmation (default 3) */
  attempts: number;
  /** seconds for the whole repro; minimisation stops early to stay within it */
  budgetS: number;
  /** default: <reportDir>/repro */
  out?: string;
  /** the QEMU to run (default qemu-system-x86_64 from PATH), never the report's */
  qemu?: string;
  /** run the extra QEMU arguments report.json names (a person checked them; the action's own report) */
  allowQemuArgs?: boolean;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/** Exit code: 0 a reproducer was written, 1 the failure did not reproduce, 2 an error or a cancel. */
export async function repro(r: ReproOptions): Promise<{ code: 0 | 1 | 2; dir: string; verdict: ReproVerdict }> {
  const started = Date.now();
  const failure = await readFailure(r.reportDir, r.qemu, r.allowQemuArgs);
  const dir = resolve(r.out ?? join(failure.dir, "repro"));
  await claimReproDir(dir);
  const want = failure.signature;
  r.log(`reproducing ${signatureText(want)} from ${failure.dir}`);
  const attempts = new Attempts(dir, failure.kernel, want, r.log, r.signal);
  const verdict: ReproVerdict = {
    failure: signatureText(want),
    report: failure.dir,
    original: { reproduced: 0, attempts: 0 },
    attempts: attempts.list,
    wallS: 0,
  };
  let code: 0 | 1 | 2;
  try {
    code = await reproduce(r, failure, dir, attempts, verdict);
  } catch (err) {
    // whatever went wrong, what ran is written down: verdict.json and summary.md
    verdict.stopped = `error: ${(err as Error).message}`;
    r.log(verdict.stopped);
    code = 2;
  }
  if (verdict.stopped) code = 2;
  verdict.wallS = Math.round((Date.now() - started) / 100) / 10;
  await writeFile(join(dir, "verdict.json"), `${JSON.stringify(verdict, null, 2)}\n`);
  await writeFile(join(dir, "summary.md"), renderReproSummary(verdict));
  return { code, dir, verdict };
}

/** Confirms, minimises and confirms again, filling in `verdict`; writes scenario.json and repro.sh. */
async function reproduce(
  r: ReproOptions,
  failure: Failure,
  dir: string,
  attempts: Attempts,
  verdict: ReproVerdict,
): Promise<0 | 1 | 2> {
  // an attempt runs at most three times as long as the original took to fail, at least 20 s
  const toFailureS = failure.report.load?.durationS ?? 0;
  const capS = Math.max(20, Math.ceil(3 * toFailureS) + 10);
  const o = failure.options;
  const start = { ...o, durationS: o.durationS > 0 ? Math.min(o.durationS, capS) : capS };
  const budget = new Budget(r.budgetS, r.attempts, Date.now());
  verdict.original = await confirm(attempts, "confirm", start, r.attempts, budget);
  if (attempts.cancelled) verdict.stopped = "cancelled";
  if (verdict.stopped || verdict.original.reproduced === 0) return 1;
  const confirmed = [...attempts.list];
  const timing = await probeTiming(attempts, start, confirmed, budget);
  if (timing) verdict.timing = timing;
  const { requests, seconds } = verdict.original;
  let m: Minimised;
  if (timing?.trigger === "uptime") {
    // the clock is the trigger: a request count is none, the uptime and the load are minimised
    r.log(`the failure follows the clock: ${timingText(timing)} (${timingEvidence(timing)})`);
    m = await minimiseByClock(attempts, start, timing, confirmed, budget);
  } else {
    const baseline = { requests: requests?.max ?? 0, seconds: seconds?.median ?? toFailureS };
    m = await minimise(attempts, start, baseline, budget);
  }
  const confirmation = await confirm(attempts, "confirm-minimised", m.options, r.attempts, budget);
  const scenario = scenarioOf(m.options, dir);
  verdict.minimised = { ...m, confirmation, scenario };
  await writeFile(join(dir, "scenario.json"), `${JSON.stringify(scenario, null, 2)}\n`);
  const image = await readKernelImage(failure.kernel.elf);
  const script = reproScript({
    options: m.options,
    signature: failure.signature,
    crashLine: failure.report.crash?.lines?.[0],
    // the time warp is TCG's (the soak under it ran under TCG whatever the report's accel)
    accel: failure.report.accel?.used === "kvm" && !m.options.timeWarp ? "kvm" : "tcg",
    bzImage: image.format === "bzimage",
    guestPorts: image.info.httpPorts ?? [],
    kernelFile: failure.kernel.elf,
    initrdFile: m.options.initrd,
    reproDir: dir,
    version: VERSION,
  });
  await writeFile(join(dir, "repro.sh"), script);
  await chmod(join(dir, "repro.sh"), 0o755);
  if (attempts.cancelled) verdict.stopped = "cancelled";
  return confirmation.reproduced > 0 ? 0 : 1;
}

/** A new or empty folder: a previous repro's results are never overwritten. */
async function claimReproDir(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return [];
    throw new UsageError(`repro: cannot use ${dir} (${err.code ?? err.message})`);
  });
  if (entries.length)
    throw new UsageError(
      `repro: ${dir} already holds a previous repro (${entries.slice(0, 3).join(", ")}); it is left untouched: move it away or pass --out`,
    );
  await mkdir(dir, { recursive: true });
}
