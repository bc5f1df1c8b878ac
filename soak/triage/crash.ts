// Everything a person needs from a crash dump, worked out against the kernel ELF:
// CR2 signed, the error code decoded, RIP symbolized (inline chain), the
// disassembly around it, a backtrace from the gdbstub, and a stable title. A Linux
// report keeps its whole block, with its trace resolved against vmlinux.
import type { CrashReport } from "../watch/crash-detector.ts";
import { asSourceOf, type SourceLine } from "./as-source.ts";
import { type DecodedError, decodePageFaultError, hex64, normalize, toSigned64 } from "./decode.ts";
import { disassembleAround, gdbBacktrace } from "./elf-tools.ts";
import { culprit, parseLinuxReport, type TraceFrame } from "./linux-report.ts";
import { symbolizeTrace } from "./linux-symbols.ts";
import { type Frame, isWasmFunction, symbolize } from "./symbolize.ts";

export interface CrashTriage {
  kind: CrashReport["kind"];
  title: string;
  lines: string[];
  corrupted?: string;
  cr2?: string;
  cr2Signed?: string;
  err?: string;
  errDecoded?: DecodedError;
  rip?: string;
  rsp?: string;
  /** the AssemblyScript function (or C function) that faulted */
  symbol?: string;
  /** file:line of that function's frame (in the C the kernel was compiled from) */
  source?: string;
  /** the AssemblyScript declaration of that function, when the sources are at hand */
  asSource?: SourceLine;
  frames: Frame[];
  /** Linux: the RIP frame and the Call Trace, resolved to file:line when there are symbols */
  trace?: TraceFrame[];
  /** Linux: where KASLR put the kernel, as the report says */
  kernelOffset?: string;
  disassembly?: string;
  backtrace?: string;
  /** steps that could not be done, and why */
  notes: string[];
}

/** The frame to blame: the innermost AssemblyScript function on the inline chain, else the innermost frame. */
function blame(frames: Frame[]): Frame | undefined {
  return frames.find((f) => isWasmFunction(f.symbol)) ?? frames[0];
}

export async function triageCrash(
  report: CrashReport,
  elf: string | undefined,
  gdbSocket?: string,
  /** where the kernel's AssemblyScript sources are (for asSource) */
  sourceRoot = process.cwd(),
): Promise<CrashTriage> {
  const t: CrashTriage = { kind: report.kind, title: "", lines: report.lines, frames: [], notes: [] };
  if (report.corrupted) t.corrupted = report.corrupted;
  if (report.kind.startsWith("linux-")) return triageLinux(t, elf);
  const regs = report.registers;
  if (report.kind === "page-fault") {
    const cr2 = BigInt(report.fields[0]);
    const err = BigInt(report.fields[1]);
    t.cr2 = hex64(cr2);
    t.cr2Signed = toSigned64(cr2).toString();
    t.err = hex64(err);
    t.errDecoded = decodePageFaultError(err);
  } else if (report.kind === "exception") {
    t.err = hex64(BigInt(report.fields[2]));
  }
  if (regs) {
    t.rip = hex64(regs.rip);
    t.rsp = hex64(regs.rsp);
    if (elf) {
      await step(t, "symbolize", async () => {
        t.frames = await symbolize(elf, regs.rip);
        const f = blame(t.frames);
        if (f && f.symbol !== "??") {
          t.symbol = f.name;
          t.source = `${f.file}:${f.line}`;
          t.asSource = await asSourceOf(f.name, sourceRoot);
        }
      });
      await step(t, "disassemble", async () => {
        t.disassembly = await disassembleAround(elf, regs.rip);
      });
      if (gdbSocket !== undefined) {
        await step(t, "gdb backtrace", async () => {
          t.backtrace = await gdbBacktrace(elf, gdbSocket, { rip: regs.rip, rsp: regs.rsp });
        });
      }
    }
  }
  t.title = titleOf(report, t);
  return t;
}

async function triageLinux(t: CrashTriage, vmlinux: string | undefined): Promise<CrashTriage> {
  const linux = parseLinuxReport(t.lines);
  t.title = linux.title;
  t.trace = linux.frames;
  if (linux.kernelOffset) t.kernelOffset = linux.kernelOffset;
  if (vmlinux)
    await step(t, "symbolize the trace", async () => {
      t.notes.push(...(await symbolizeTrace(vmlinux, linux.frames)));
    });
  else t.notes.push("no --symbols: the trace is as the kernel printed it (pass --symbols vmlinux)");
  const blamed = culprit(linux.frames);
  if (blamed) {
    t.symbol = blamed.func;
    if (blamed.source) t.source = blamed.source;
  }
  return t;
}

async function step(t: CrashTriage, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    t.notes.push(`${what} failed: ${(err as Error).message.split("\n")[0]}`);
  }
}

function titleOf(report: CrashReport, t: CrashTriage): string {
  const where = t.symbol ? ` in ${t.symbol}` : "";
  switch (report.kind) {
    case "page-fault": {
      const d = t.errDecoded as DecodedError;
      return `page fault${where} (${d.access}, ${d.page})`;
    }
    case "exception":
      return `${report.fields[0]} exception${where}`;
    case "trap":
      return `wasm trap ${report.fields[0]}${where}`;
    case "panic":
      return `panic${where}: ${normalize(report.fields[0].replace(/ at \S+:\d+:\d+$/, ""))}`;
    default:
      return `crash pattern matched: ${normalize(report.lines[0])}`;
  }
}
