// Turns serial lines into crash reports, one line at a time, with the signature
// table. A headline that expects register lines waits for the next two lines;
// if they do not parse (or never come), the crash is reported as corrupted. A Linux
// headline waits for the end of its report block (linux-report-block.ts).
import { LinuxReportCollector } from "./linux-report-block.ts";
import { type CrashKind, type CrashSignature, RFL_LINE, RIP_LINE, SIGNATURES } from "./signatures.ts";

export interface Registers {
  rip: bigint;
  cs: bigint;
  rflags: bigint;
  rsp: bigint;
  ss: bigint;
}

export interface CrashReport {
  kind: CrashKind;
  /** the headline and the register lines, as printed; for Linux the whole report block */
  lines: string[];
  /** headline captures: for page-fault [cr2, err]; exception [name, at, err]; trap [kind]; panic [message] */
  fields: string[];
  registers?: Registers;
  /** register lines missing or unparsable: what was wrong */
  corrupted?: string;
  /** when the headline was read (ms since the epoch) */
  at: number;
}

interface Pending {
  signature: CrashSignature;
  report: CrashReport;
  linux?: LinuxReportCollector;
}

/** lines kept before a headline, where a Linux report may start */
const RECENT_LINES = 5;

export class CrashDetector {
  private pending?: Pending;
  private readonly signatures: CrashSignature[];
  private readonly recent: string[] = [];

  constructor(extraPatterns: RegExp[] = []) {
    this.signatures = [
      ...SIGNATURES,
      ...extraPatterns.map((headline) => ({ id: "custom" as const, headline, registers: false })),
    ];
  }

  /** Feeds one line; returns a finished report, if this line finished one. */
  feed(line: string, at = Date.now()): CrashReport | undefined {
    const recent = [...this.recent];
    this.recent.push(line);
    if (this.recent.length > RECENT_LINES) this.recent.shift();
    if (this.pending?.linux) return this.continueLinux(this.pending, line);
    if (this.pending) {
      const done = this.continuePending(this.pending, line);
      if (done) return done;
      if (this.pending) return undefined;
    }
    for (const signature of this.signatures) {
      const m = signature.headline.exec(line);
      if (!m) continue;
      const report: CrashReport = { kind: signature.id, lines: [line], fields: m.slice(1), at };
      if (signature.block) {
        const linux = new LinuxReportCollector(line, recent);
        report.lines = linux.lines;
        this.pending = { signature, report, linux };
        return undefined;
      }
      if (!signature.registers) return report;
      this.pending = { signature, report };
      return undefined;
    }
    return undefined;
  }

  /** Ends a crash still waiting for its register lines (reported as corrupted) or its report block's end. */
  flush(): CrashReport | undefined {
    const p = this.pending;
    if (!p) return undefined;
    this.pending = undefined;
    if (p.linux) return this.finishLinux(p.report, p.linux);
    p.report.corrupted = `register lines missing after "${p.report.lines[0]}"`;
    return p.report;
  }

  /** True while a headline waits for its register lines or its report block's end. */
  get waiting(): boolean {
    return this.pending !== undefined;
  }

  private continueLinux(p: Pending, line: string): CrashReport | undefined {
    const linux = p.linux as LinuxReportCollector;
    if (linux.feed(line) === "more") return undefined;
    this.pending = undefined;
    return this.finishLinux(p.report, linux);
  }

  private finishLinux(report: CrashReport, linux: LinuxReportCollector): CrashReport {
    linux.finish();
    if (linux.corrupted) report.corrupted = linux.corrupted;
    return report;
  }

  private continuePending(p: Pending, line: string): CrashReport | undefined {
    const r = p.report;
    const expected = r.lines.length === 1 ? RIP_LINE : RFL_LINE;
    const m = expected.exec(line);
    if (!m) {
      this.pending = undefined;
      r.corrupted = `expected a ${r.lines.length === 1 ? "RIP=… CS=…" : "RFL=… RSP=… SS=…"} line, got "${line}"`;
      return r;
    }
    r.lines.push(line);
    if (r.lines.length === 2) return undefined;
    this.pending = undefined;
    const rip = RIP_LINE.exec(r.lines[1]) as RegExpExecArray;
    r.registers = {
      rip: BigInt(rip[1]),
      cs: BigInt(rip[2]),
      rflags: BigInt(m[1]),
      rsp: BigInt(m[2]),
      ss: BigInt(m[3]),
    };
    return r;
  }
}
