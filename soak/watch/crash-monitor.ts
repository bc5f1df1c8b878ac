// Crash signatures on the serial console, live from QEMU's first instruction: the lines
// the tail read before this monitor was attached are fed first, so a fault during boot
// is never missed. A headline whose register lines never come is reported after a wait.
import type { FindingSink } from "../findings.ts";
import type { SerialLine, SerialTail } from "../vm/serial.ts";
import { CrashDetector, type CrashReport } from "./crash-detector.ts";
import type { Monitor } from "./monitor.ts";

const REGISTER_WAIT_MS = 2000;

export class CrashMonitor implements Monitor {
  crash?: CrashReport;
  private readonly detector: CrashDetector;
  private headlineAt = 0;
  private timer?: NodeJS.Timeout;
  private readonly onLine = (l: SerialLine) => this.feed(l);

  constructor(
    private readonly serial: SerialTail,
    patterns: RegExp[],
    private readonly sink: FindingSink,
  ) {
    this.detector = new CrashDetector(patterns);
  }

  start(): void {
    for (const l of this.serial.lines) this.feed(l);
    this.serial.on("line", this.onLine);
    this.timer = setInterval(() => {
      if (this.headlineAt && Date.now() - this.headlineAt > REGISTER_WAIT_MS && !this.crash) {
        const c = this.detector.flush();
        if (c) this.found(c);
      }
    }, 250);
  }

  stop(): void {
    this.serial.off("line", this.onLine);
    clearInterval(this.timer);
  }

  private feed(l: SerialLine): void {
    if (this.crash) return;
    const c = this.detector.feed(l.text, l.at);
    if (this.detector.waiting && !this.headlineAt) this.headlineAt = Date.now();
    if (c) this.found(c);
  }

  private found(c: CrashReport): void {
    this.crash = c;
    this.sink({
      kind: "crash",
      at: c.at,
      message: `serial: ${c.lines[0]}${c.corrupted ? ` (dump corrupted: ${c.corrupted})` : ""}`,
      evidence: { lines: c.lines },
    });
  }
}
