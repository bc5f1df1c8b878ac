// triage.md, what a person needs for a crash or a hang: plain GitHub-flavoured Markdown.
// Everything in it but the headings came from the guest or its ELF: guest-text.ts.
import { basename } from "node:path";
import type { CrashTriage } from "../triage/crash.ts";
import type { HangTriage } from "../triage/hang.ts";
import { mdCode, mdFence, mdText } from "./guest-text.ts";

const at = (source?: string) => (source ? ` (${mdText(source)})` : "");

export function renderTriage(c: CrashTriage): string {
  const out = [`# ${mdText(c.title)}`, "", ...mdFence(c.lines), ""];
  if (c.corrupted) out.push(`> ⚠️ The dump is corrupted: ${mdText(c.corrupted)}`, "");
  if (c.cr2) out.push(`- **CR2** ${mdText(c.cr2)} = ${mdText(c.cr2Signed ?? "")} as a signed 64-bit number`);
  if (c.errDecoded) out.push(`- **error code** ${mdText(c.err ?? "")}: ${mdText(c.errDecoded.bits.join("; "))}`);
  else if (c.err) out.push(`- **error code** ${mdText(c.err)}`);
  if (c.rip) out.push(`- **RIP** ${mdText(c.rip)}${c.symbol ? ` in ${mdCode(c.symbol)}` : ""}${at(c.source)}`);
  if (c.asSource) out.push(`- **source** ${mdCode(`${c.asSource.file}:${c.asSource.line}`)}`);
  if (c.rsp) out.push(`- **RSP** ${mdText(c.rsp)}`);
  if (c.symbol && !c.rip) out.push(`- **in** ${mdCode(c.symbol)}${at(c.source)}`);
  if (c.kernelOffset) out.push(`- **Kernel Offset** ${mdText(c.kernelOffset)}`);
  out.push("");
  if (c.trace?.length) {
    out.push("## Trace (RIP, then the Call Trace without its `?` frames)", "", "| frame | source |", "|---|---|");
    for (const f of c.trace) {
      const name = `${mdCode(`${f.func}+0x${f.offset}/0x${f.size}`)}${f.module ? ` [${mdText(f.module)}]` : ""}${f.rip ? " (RIP)" : ""}`;
      const inlined = (f.inlined ?? []).map((i) => `<br>inlined: ${mdText(i)}`).join("");
      out.push(`| ${name} | ${mdText(f.source ?? "")}${inlined} |`);
    }
    out.push("");
  }
  if (c.frames.length) {
    out.push("## Where (addr2line -f -i, innermost first)", "", "| function | source |", "|---|---|");
    for (const f of c.frames) out.push(`| ${mdCode(f.name)} | ${mdText(`${f.file}:${f.line}`)} |`);
    out.push("");
  }
  if (c.disassembly) out.push("## Disassembly (=> marks RIP)", "", ...mdFence(c.disassembly), "");
  if (c.backtrace) out.push("## Backtrace (gdb through the gdbstub)", "", ...mdFence(c.backtrace), "");
  if (c.notes.length) out.push("## Notes", "", ...c.notes.map((n) => `- ${mdText(n)}`), "");
  return out.join("\n");
}

export function renderHang(h: HangTriage, elf: string): string {
  const out = ["# Hang: the guest stopped answering", ""];
  if (h.registers) out.push("## Registers of every vCPU (QMP info registers -a)", "", ...mdFence(h.registers), "");
  if (h.backtrace) out.push("## Backtrace (gdb through the gdbstub)", "", ...mdFence(h.backtrace), "");
  if (h.memoryDump)
    out.push(
      "## Memory",
      "",
      `${mdCode(basename(h.memoryDump))}: open with ${mdCode(`gdb ${basename(elf)} ${basename(h.memoryDump)}`)}`,
      "",
    );
  if (h.notes.length) out.push("## Notes", "", ...h.notes.map((n) => `- ${mdText(n)}`), "");
  return out.join("\n");
}
