// A Linux crash report is a block of console lines, not one line: the headline (BUG,
// Oops, general protection fault, WARNING, Kernel panic), the registers, the Call Trace,
// then "---[ end trace … ]---" (often followed by the registers printed again) or, for a
// panic, "Kernel Offset: …" and "---[ end Kernel panic … ]---". This collects one block,
// a line at a time, from its first line through its end. The rules follow what
// syzkaller's pkg/report knows of Linux output; written here from that knowledge.

/** The console timestamp Linux puts before each line (CONFIG_PRINTK_TIME), with an optional log level. */
export const LINUX_PREFIX = /^(?:<\d>)?\[\s*\d+\.\d+\]\s?/;
/** A WARN() prints its message between this marker and the WARNING line: the report starts here. */
const CUT_HERE = /^-+\[ cut here \]-+\s*$/;
const END_TRACE = /^---\[ end trace/;
const END_PANIC = /^---\[ end Kernel panic/;
/** What Linux may print after "---[ end trace ]---" that still belongs to the report. */
const AFTER_END =
  /^(?:RIP:|Code:|RSP:|R[A-Z0-9]{2}: |FS: |CS: |CR2: |DR[0-7]: |PKRU:|Kernel panic - not syncing|Kernel Offset:|---\[ end Kernel panic|note: .* exited with irqs disabled)/;
/** How many lines before the headline may hold its start (the WARN message, the cut-here marker). */
const LOOKBACK = 5;
/** A report longer than this is cut there and marked corrupted (an endless trace, a flood). */
export const MAX_REPORT_LINES = 400;

export const stripPrefix = (line: string): string => line.replace(LINUX_PREFIX, "");

export type Step = "more" | "done" | "done-before";

export class LinuxReportCollector {
  readonly lines: string[];
  corrupted?: string;
  private ended = false;
  private readonly timestamped: boolean;

  /** `recent`: the lines read just before the headline, oldest first. */
  constructor(headline: string, recent: string[]) {
    const back = recent.slice(-LOOKBACK);
    const cut = back.findLastIndex((l) => CUT_HERE.test(stripPrefix(l)));
    this.lines = [...(cut >= 0 ? back.slice(cut) : []), headline];
    this.timestamped = LINUX_PREFIX.test(headline);
  }

  /**
   * Takes the next console line: "more" (part of the report, or unrelated output from
   * elsewhere, left out), "done" (this line ended it, and is in it), "done-before"
   * (the report had ended already; this line is not part of it).
   */
  feed(line: string): Step {
    // user-space output between kernel lines (a console without timestamps has none to tell by)
    if (this.timestamped && !LINUX_PREFIX.test(line)) return "more";
    const text = stripPrefix(line);
    if (this.ended && !AFTER_END.test(text)) return "done-before";
    this.lines.push(line);
    if (END_PANIC.test(text)) return "done";
    if (END_TRACE.test(text)) this.ended = true;
    if (this.lines.length >= MAX_REPORT_LINES) {
      this.corrupted = `report cut at ${MAX_REPORT_LINES} lines without its end`;
      return "done";
    }
    return "more";
  }

  /** The log went quiet or stopped: the report is what was read. */
  finish(): void {
    if (!this.corrupted && !this.ended && !this.lines.some((l) => /^Call Trace:/.test(stripPrefix(l))))
      this.corrupted = "no Call Trace: the report stops before its stack trace";
  }
}
