// Linux report extraction against real serial logs of Debian's 6.1 kernel made to crash
// on demand (fixtures/serial, captured by capture.sh with scripts/linux-guest): where
// each report starts and ends, its normalised title and its frames.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseLinuxReport } from "../triage/linux-report.ts";
import { CrashDetector, type CrashReport } from "../watch/crash-detector.ts";
import { MAX_REPORT_LINES } from "../watch/linux-report-block.ts";

function serialLines(name: string): string[] {
  const lines = readFileSync(join(import.meta.dirname, "fixtures/serial", name), "latin1").split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((l) => l.replace(/\r$/, ""));
}

/** The first report in `lines`; its first and last line numbers (1-based) in the log. */
function firstReport(lines: string[]): { report: CrashReport; start: number; end: number } {
  const d = new CrashDetector();
  for (const [i, line] of lines.entries()) {
    const report = d.feed(line);
    if (report) return { report, start: lines.indexOf(report.lines[0]) + 1, end: lastIndex(lines, report, i) };
  }
  const report = d.flush();
  if (!report) throw new Error("no report");
  return { report, start: lines.indexOf(report.lines[0]) + 1, end: lastIndex(lines, report, lines.length - 1) };
}

const lastIndex = (lines: string[], r: CrashReport, upTo: number) =>
  lines.lastIndexOf(r.lines.at(-1) as string, upTo) + 1;

const SYSCALL = ["do_syscall_64", "entry_SYSCALL_64_after_hwframe"];
const INSMOD = ["do_one_initcall", "do_init_module", "__do_sys_finit_module", ...SYSCALL];

describe.each([
  {
    file: "linux-6.1-null.log",
    kind: "linux-oops",
    start: [269, "BUG: kernel NULL pointer dereference, address: 0000000000000000"],
    end: [327, "note: busybox[93] exited with irqs disabled"],
    title: "BUG: kernel NULL pointer dereference in crashme_null_deref",
    frames: ["crashme_null_deref [crashme] (RIP)", ...INSMOD],
  },
  {
    file: "linux-6.1-warn.log",
    kind: "linux-warning",
    start: [269, "------------[ cut here ]------------"],
    end: [310, "---[ end trace 0000000000000000 ]---"],
    title: "WARNING in crashme_warn",
    frames: ["crashme_warn [crashme] (RIP)", "crashme_init [crashme]", ...INSMOD],
  },
  {
    file: "linux-6.1-gpf.log",
    kind: "linux-oops",
    start: [276, "general protection fault, maybe for address 0x0: 0000 [#1] PREEMPT SMP NOPTI"],
    end: [330, "PKRU: 55555554"],
    title: "general protection fault in crashme_gpf",
    frames: ["crashme_gpf [crashme] (RIP)", ...INSMOD],
  },
  {
    file: "linux-6.1-panic.log",
    kind: "linux-panic",
    start: [276, "Kernel panic - not syncing: sysrq triggered crash"],
    end: [307, "---[ end Kernel panic - not syncing: sysrq triggered crash ]---"],
    title: "kernel panic: sysrq triggered crash",
    frames: [
      "dump_stack_lvl",
      "panic",
      "sysrq_handle_crash",
      "__handle_sysrq.cold",
      "write_sysrq_trigger",
      "proc_reg_write",
      "vfs_write",
      "ksys_write",
      ...SYSCALL,
    ],
    kernelOffset: "0x24800000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)",
  },
  {
    file: "linux-6.1-panic-no-rootfs.log",
    kind: "linux-panic",
    start: [309, "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)"],
    end: [
      323,
      "Kernel Offset: 0x1ee00000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)",
    ],
    title: "kernel panic: VFS: Unable to mount root fs on unknown-block(N,N)",
    frames: [
      "dump_stack_lvl",
      "panic",
      "mount_block_root",
      "prepare_namespace",
      "kernel_init_freeable",
      "kernel_init",
      "ret_from_fork",
    ],
    kernelOffset: "0x1ee00000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)",
  },
])("$file", ({ file, kind, start, end, title, frames, kernelOffset }) => {
  const lines = serialLines(file);
  const { report, start: first, end: last } = firstReport(lines);
  const parsed = parseLinuxReport(report.lines);

  it("is one report block, from its first line through its end", () => {
    expect(report.kind).toBe(kind);
    expect(report.corrupted).toBeUndefined();
    expect([first, report.lines[0].replace(/^\[\s*[\d.]+\] /, "")]).toEqual(start);
    expect([last, (report.lines.at(-1) as string).replace(/^\[\s*[\d.]+\] /, "")]).toEqual(end);
    // every kernel line in between is in it, user-space output is not
    const between = lines.slice(first - 1, last).filter((l) => l.startsWith("["));
    expect(report.lines).toEqual(between);
    expect(report.lines.some((l) => l.includes("Call Trace:"))).toBe(true);
  });

  it("has a normalised title and the trace's frames, ? frames left out", () => {
    expect(parsed.title).toBe(title);
    expect(parsed.frames.map((f) => `${f.func}${f.module ? ` [${f.module}]` : ""}${f.rip ? " (RIP)" : ""}`)).toEqual(
      frames,
    );
    expect(parsed.kernelOffset).toBe(kernelOffset);
  });
});

describe("Linux reports, edge cases", () => {
  it("tells two WARNINGs in a row apart (busybox insmod loads the module twice)", () => {
    const d = new CrashDetector();
    const found = serialLines("linux-6.1-warn.log").flatMap((l) => d.feed(l) ?? []);
    expect(found.map((r) => [r.lines[0].slice(15), r.lines.at(-1)?.slice(15)])).toEqual([
      ["------------[ cut here ]------------", "---[ end trace 0000000000000000 ]---"],
      ["------------[ cut here ]------------", "---[ end trace 0000000000000000 ]---"],
    ]);
  });

  it("marks a report cut off before its Call Trace as corrupted", () => {
    const d = new CrashDetector();
    d.feed("[    5.7] BUG: kernel NULL pointer dereference, address: 0000000000000000");
    d.feed("[    5.8] #PF: supervisor read access in kernel mode");
    const r = d.flush();
    expect(r?.kind).toBe("linux-oops");
    expect(r?.corrupted).toMatch(/no Call Trace/);
  });

  it("cuts an endless report and says so", () => {
    const d = new CrashDetector();
    d.feed("[    1.0] WARNING: CPU: 0 PID: 1 at kernel/x.c:1 f+0x1/0x2");
    let r: CrashReport | undefined;
    for (let i = 0; !r && i < 2 * MAX_REPORT_LINES; i++) r = d.feed(`[    1.1]  f+0x${i.toString(16)}/0x1000`);
    expect(r?.lines).toHaveLength(MAX_REPORT_LINES);
    expect(r?.corrupted).toMatch(/cut at/);
  });

  it.each([
    ["BUG: KASAN: use-after-free in ip6_send_skb+0x2f5/0x330", "BUG: KASAN: use-after-free in ip6_send_skb"],
    ["BUG: unable to handle page fault for address: ffffa0d0c0000000", "BUG: unable to handle page fault in f"],
    ["kernel BUG at mm/slub.c:4005!", "kernel BUG in f"],
    ["BUG: scheduling while atomic: swapper/0/0x00000002", "BUG: scheduling while atomic in f"],
  ])("titles %s as %s", (headline, title) => {
    const lines = [headline, "RIP: 0010:f+0x1/0x2", "Call Trace:", " <TASK>", " g+0x3/0x4", " </TASK>"];
    expect(parseLinuxReport(lines).title).toBe(title);
  });
});

describe("report.html shows a Linux report's trace", () => {
  it("as a table of frames, after the whole block", async () => {
    const { crashSection } = await import("../report/html-triage.ts");
    const { report } = firstReport(serialLines("linux-6.1-null.log"));
    const linux = parseLinuxReport(report.lines);
    const html = crashSection({
      kind: report.kind,
      title: linux.title,
      lines: report.lines,
      frames: [],
      notes: [],
      trace: linux.frames,
    });
    expect(html).toContain("<h3>Trace (RIP, then the Call Trace without its ? frames)</h3>");
    for (const f of linux.frames) expect(html).toContain(`${f.func}+0x${f.offset}/0x${f.size}`);
    expect(linux.frames.length).toBeGreaterThan(2);
  });
});
