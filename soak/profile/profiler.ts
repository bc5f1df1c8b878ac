// The profiler: a monitor that stops the guest `hz` times a second for an instant and
// keeps its stack (RIP and the frame-pointer chain, samplers.ts), counted by phase: boot,
// the steady load, the idle guest after it. The last seconds are kept sample by sample,
// so a hang's profile is the moment before it. A sampler that fails (QEMU gone, a stub
// that stops answering) ends the sampling with a note; it is never a finding.
import type { Monitor } from "../watch/monitor.ts";
import { openSampler, type SamplerKind, type StackSampler } from "./samplers.ts";

const OPEN_WITHIN_MS = 10_000;

export type Phase = "boot" | "steady" | "idle";

/** a hang's profile: the samples this long before the hang was found */
export const HANG_WINDOW_MS = 5000;

/** Counts of stacks (addresses joined by ",", innermost first, hex) by phase. */
export type StackCounts = Map<string, number>;

export interface RawProfile {
  hz: number;
  sampler: SamplerKind;
  byPhase: Record<Phase, StackCounts>;
  /** the last HANG_WINDOW_MS of samples: when, and the stack's key */
  recent: { at: number; key: string }[];
  /** mean time a sample stopped the guest, ms */
  meanSampleMs?: number;
  notes: string[];
}

export const stackKey = (stack: bigint[]) => stack.map((a) => a.toString(16)).join(",");

export class Profiler implements Monitor {
  phase: Phase = "boot";
  private sampler?: StackSampler;
  private timer?: NodeJS.Timeout;
  private opening?: Promise<void>;
  private busy?: Promise<void>;
  private stopped = false;
  private sampleMs = 0;
  private samples = 0;
  readonly raw: RawProfile;

  /** `note`: what the reader of the profile should know of how it was taken (profile/rate.ts) */
  constructor(
    private readonly socket: string,
    hz: number,
    note?: string,
    kind: SamplerKind = "gdb",
  ) {
    this.raw = {
      hz,
      sampler: kind,
      byPhase: { boot: new Map(), steady: new Map(), idle: new Map() },
      recent: [],
      notes: note ? [note] : [],
    };
  }

  start(): void {
    this.opening = this.open().then(
      (s) => {
        this.sampler = s;
        if (this.stopped) return;
        this.timer = setInterval(() => this.tick(), 1000 / this.raw.hz);
      },
      (err) => this.fail(`the profiler could not reach the guest: ${(err as Error).message}`),
    );
  }

  /** QEMU makes its sockets a moment after it starts: tried until then, within a bound */
  private async open(): Promise<StackSampler> {
    const deadline = Date.now() + OPEN_WITHIN_MS;
    for (;;) {
      try {
        return await openSampler(this.raw.sampler, this.socket);
      } catch (err) {
        if (this.stopped || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private tick(): void {
    if (this.stopped || !this.sampler) return;
    // a sample still running when the next is due is that sample's delay, never two at once
    this.busy ??= this.sampleOnce(this.sampler).finally(() => {
      this.busy = undefined;
    });
  }

  private async sampleOnce(sampler: StackSampler): Promise<void> {
    const t0 = performance.now();
    let stack: bigint[] | undefined;
    try {
      stack = await sampler.sample();
    } catch (err) {
      this.fail(`sampling stopped: ${(err as Error).message}`);
      return;
    }
    this.sampleMs += performance.now() - t0;
    this.samples++;
    if (!stack || this.stopped) return;
    const key = stackKey(stack);
    const counts = this.raw.byPhase[this.phase];
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const now = Date.now();
    this.raw.recent.push({ at: now, key });
    while (this.raw.recent[0].at < now - HANG_WINDOW_MS) this.raw.recent.shift();
  }

  private fail(note: string): void {
    if (!this.stopped) this.raw.notes.push(note);
    this.stop();
  }

  /** Stops sampling; the connection stays until close(). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Stops, lets a sample under way finish and lets go of the guest (triage needs the stub). */
  async close(): Promise<RawProfile> {
    this.stop();
    await this.opening;
    await this.busy?.catch(() => undefined);
    await this.sampler?.close();
    this.sampler = undefined;
    if (this.samples) this.raw.meanSampleMs = Math.round((this.sampleMs / this.samples) * 1000) / 1000;
    return this.raw;
  }
}
