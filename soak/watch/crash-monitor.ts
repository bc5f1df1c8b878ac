// Crash signatures on the serial console, live from QEMU's first instruction: the lines
// the tail read before this monitor was attached are fed first, so a fault during boot
// is never missed. A headline whose register lines never come, or a Linux report whose
// end never comes, is reported once the log has been quiet for a while (or, if output
// keeps coming, a while after the headline).
import type { FindingSink } from "../findings.ts";
import type { SerialLine, SerialTail } from "../vm/serial.ts";
import { CrashDetector, type CrashReport } from "./crash-detector.ts";
import type { Monitor } from "./monitor.ts";

const QUIET_MS = 2000;
const MAX_WAIT_MS = 10_000;

export class CrashMonitor implements Monitor {
  crash?: CrashReport;
  private readonly detector: CrashDetector;
  /** while the detector waits: when it started to, and when it last took a line (0 = not waiting) */
  private waitingSince = 0;
  private lastLineAt = 0;
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
      const now = Date.now();
      const overdue = now - this.lastLineAt > QUIET_MS || now - this.waitingSince > MAX_WAIT_MS;
      if (this.waitingSince && overdue && !this.crash) {
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
    this.lastLineAt = Date.now();
    if (!this.detector.waiting) this.waitingSince = 0;
    else if (!this.waitingSince) this.waitingSince = this.lastLineAt;
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
