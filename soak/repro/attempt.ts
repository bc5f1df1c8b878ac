// One attempt: a fresh boot of the failing kernel under a scenario, its report kept in a
// numbered folder of its own under attempts/ (never reused), and whether it failed the
// same way as the original.
import { join } from "node:path";
import { reproduceCommand } from "../argv.ts";
import type { KernelUnderTest } from "../kernel-under-test.ts";
import type { SoakOptions } from "../options.ts";
import type { Report } from "../report/types.ts";
import { runSoak, VERSION } from "../run.ts";
import { type FailureSignature, sameFailure, signatureOf, signatureText } from "./failure.ts";
import { lastUptimeOf, type Strike, strikeOf } from "./strike.ts";

export interface Attempt {
  n: number;
  /** what this attempt tries, e.g. "confirm" or "connections 1" */
  label: string;
  /** the report folder, relative to the repro folder */
  dir: string;
  signature: FailureSignature;
  reproduced: boolean;
  /** load seconds and requests completed when the failure stopped it */
  seconds: number;
  requests: number;
  /** the attempt's own wall time */
  wallS: number;
  /** when it struck (report.struck, checked): the guest's uptime, wall seconds since boot, the guest's
   * request count; and the last uptime read, which says how far a run that passed got on the guest's clock */
  struck?: Strike;
  lastUptimeS?: number;
}

export class Attempts {
  readonly list: Attempt[] = [];

  constructor(
    private readonly reproDir: string,
    private readonly kernel: KernelUnderTest,
    private readonly want: FailureSignature,
    private readonly log: (line: string) => void,
    private readonly signal?: AbortSignal,
  ) {}

  get cancelled(): boolean {
    return this.signal?.aborted ?? false;
  }

  async run(label: string, o: SoakOptions): Promise<Attempt> {
    const n = this.list.length + 1;
    const dir = join("attempts", `${String(n).padStart(3, "0")}-${label.replace(/[^\w.-]+/g, "-")}`);
    const out = join(this.reproDir, dir);
    const started = Date.now();
    // the original report has the hang's memory dump: a dump per attempt would only fill the disk
    const report: Report = await runSoak({ ...o, hangDumpMiB: 0, out }, this.kernel, {
      command: reproduceCommand(o, this.kernel.elf, VERSION),
      log: () => {},
      progress: () => {},
      signal: this.signal,
    });
    const signature = signatureOf(report);
    const a: Attempt = {
      n,
      label,
      dir,
      signature,
      reproduced: sameFailure(signature, this.want),
      seconds: report.load?.durationS ?? 0,
      requests: report.load?.requests ?? 0,
      wallS: (Date.now() - started) / 1000,
      struck: strikeOf(report),
      lastUptimeS: lastUptimeOf(report),
    };
    this.list.push(a);
    this.log(
      `attempt ${n} (${label}): ${signatureText(signature)} after ${a.requests.toLocaleString("en-US")} requests, ${a.seconds.toFixed(1)} s — ${a.reproduced ? "reproduces" : "does not reproduce"}`,
    );
    return a;
  }
}
