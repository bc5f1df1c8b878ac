// What a Linux report block says: its normalised title (one title per bug, whatever
// the addresses, PIDs and timings: "BUG: … in FUNC", "WARNING in FUNC", "general
// protection fault in FUNC", "kernel panic: …"), the faulting RIP and the Call Trace
// frames, and the KASLR offset a panic prints.
import { stripPrefix } from "../watch/linux-report-block.ts";
import { normalize } from "./decode.ts";

export interface TraceFrame {
  func: string;
  /** offset into func and func's size, as printed (hex) */
  offset: string;
  size: string;
  /** the module it is in, when not in vmlinux */
  module?: string;
  /** the RIP line's frame: the faulting instruction itself, not a return address */
  rip?: boolean;
  /** file:line from --symbols */
  source?: string;
  /** the functions inlined at that address, innermost first, each "name file:line" */
  inlined?: string[];
}

export interface LinuxReport {
  title: string;
  /** the kernel-mode RIP frame first (when the report has one), then the Call Trace, "? " frames left out */
  frames: TraceFrame[];
  /** "Kernel Offset: 0x… from 0x…": where KASLR put the kernel */
  kernelOffset?: string;
}

const FRAME = /^\s*([\w.$]+)\+0x([0-9a-f]+)\/0x([0-9a-f]+)(?: \[(\w+)\])?/;
const KERNEL_RIP = /^RIP: 0010:(.*)$/;
/** Frames that report the bug rather than cause it: the title names the first frame after them. */
const REPORTING =
  /^(?:dump_stack\w*|show_stack|panic|__warn\w*|warn_slowpath\w*|report_bug|handle_bug|exc_\w+|asm_exc_\w+)$/;

/** The frame a bug is blamed on: the first one that is not the kernel reporting it. */
export function culprit(frames: TraceFrame[]): TraceFrame | undefined {
  return frames.find((f) => !REPORTING.test(f.func));
}

function parseFrame(text: string): TraceFrame | undefined {
  const m = FRAME.exec(text);
  if (!m) return undefined;
  return { func: m[1], offset: m[2], size: m[3], ...(m[4] ? { module: m[4] } : {}) };
}

export function parseLinuxReport(lines: string[]): LinuxReport {
  const text = lines.map(stripPrefix);
  const frames: TraceFrame[] = [];
  const ripLine = text.map((t) => KERNEL_RIP.exec(t)).find((m) => m);
  const rip = ripLine && parseFrame(ripLine[1]);
  if (rip) frames.push({ ...rip, rip: true });
  const trace = text.findIndex((t) => t.startsWith("Call Trace:"));
  if (trace >= 0) {
    for (const t of text.slice(trace + 1)) {
      if (/^\s*<\/TASK>|^---\[ end/.test(t)) break;
      const f = /^\s*\? /.test(t) ? undefined : parseFrame(t);
      if (f) frames.push(f);
    }
  }
  const offset = text.map((t) => /^Kernel Offset: (.*)$/.exec(t)).find((m) => m);
  return { title: titleOf(text, frames), frames, ...(offset ? { kernelOffset: offset[1] } : {}) };
}

function titleOf(text: string[], frames: TraceFrame[]): string {
  const blamed = culprit(frames)?.func;
  const inFunc = blamed ? ` in ${blamed}` : "";
  for (const t of text) {
    let m = /^Kernel panic - not syncing: ?(.*)$/.exec(t);
    if (m) return `kernel panic: ${normalize(m[1])}`;
    m = /^WARNING: (?:CPU: \d+ PID: \d+ )?at \S+ ([\w.$]+)\+0x/.exec(t);
    if (m) return `WARNING in ${m[1]}`;
    if (/^WARNING: /.test(t)) return `WARNING${inFunc}`;
    if (/^general protection fault/.test(t)) return `general protection fault${inFunc}`;
    if (/^kernel BUG at /.test(t)) return `kernel BUG${inFunc}`;
    m = /^BUG: (.*)$/.exec(t);
    if (m) {
      // "BUG: KASAN: use-after-free in f+0x1/0x2" already names its function
      const named = /^(.*) in ([\w.$]+)(?:\+0x|$)/.exec(m[1]);
      if (named) return `BUG: ${named[1]} in ${named[2]}`;
      // "…, address: 0000…", "… for address: ffff…" or "…: details" end the description
      return `BUG: ${normalize(m[1].replace(/(?: (?:for|at) address)?(?:, |: ).*$/, ""))}${inFunc}`;
    }
    m = /^(Oops|Unable to handle kernel [a-z -]+?)(?: at|:|,|$)/.exec(t);
    if (m) return `${m[1] === "Oops" ? "kernel oops" : m[1]}${inFunc}`;
  }
  return `kernel oops${inFunc}`;
}
