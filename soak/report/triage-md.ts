// triage.md, what a person needs for a crash or a hang: plain GitHub-flavoured Markdown.
import { basename } from "node:path";
import type { CrashTriage } from "../triage/crash.ts";
import type { HangTriage } from "../triage/hang.ts";

export function renderTriage(c: CrashTriage): string {
  const out = [`# ${c.title}`, "", "```", ...c.lines, "```", ""];
  if (c.corrupted) out.push(`> ⚠️ The dump is corrupted: ${c.corrupted}`, "");
  if (c.cr2) out.push(`- **CR2** ${c.cr2} = ${c.cr2Signed} as a signed 64-bit number`);
  if (c.errDecoded) out.push(`- **error code** ${c.err}: ${c.errDecoded.bits.join("; ")}`);
  else if (c.err) out.push(`- **error code** ${c.err}`);
  if (c.rip) out.push(`- **RIP** ${c.rip}${c.symbol ? ` in \`${c.symbol}\`` : ""}${c.source ? ` (${c.source})` : ""}`);
  if (c.asSource) out.push(`- **source** \`${c.asSource.file}:${c.asSource.line}\``);
  if (c.rsp) out.push(`- **RSP** ${c.rsp}`);
  if (c.symbol && !c.rip) out.push(`- **in** \`${c.symbol}\`${c.source ? ` (${c.source})` : ""}`);
  if (c.kernelOffset) out.push(`- **Kernel Offset** ${c.kernelOffset}`);
  out.push("");
  if (c.trace?.length) {
    out.push("## Trace (RIP, then the Call Trace without its `?` frames)", "", "| frame | source |", "|---|---|");
    for (const f of c.trace) {
      const name = `\`${f.func}+0x${f.offset}/0x${f.size}\`${f.module ? ` [${f.module}]` : ""}${f.rip ? " (RIP)" : ""}`;
      const inlined = (f.inlined ?? []).map((i) => `<br>inlined: ${i}`).join("");
      out.push(`| ${name} | ${f.source ?? ""}${inlined} |`);
    }
    out.push("");
  }
  if (c.frames.length) {
    out.push("## Where (addr2line -f -i, innermost first)", "", "| function | source |", "|---|---|");
    for (const f of c.frames) out.push(`| \`${f.name}\` | ${f.file}:${f.line} |`);
    out.push("");
  }
  if (c.disassembly) out.push("## Disassembly (=> marks RIP)", "", "```", c.disassembly, "```", "");
  if (c.backtrace) out.push("## Backtrace (gdb through the gdbstub)", "", "```", c.backtrace, "```", "");
  if (c.notes.length) out.push("## Notes", "", ...c.notes.map((n) => `- ${n}`), "");
  return out.join("\n");
}

export function renderHang(h: HangTriage, elf: string): string {
  const out = ["# Hang: the guest stopped answering", ""];
  if (h.registers) out.push("## Registers of every vCPU (QMP info registers -a)", "", "```", h.registers, "```", "");
  if (h.backtrace) out.push("## Backtrace (gdb through the gdbstub)", "", "```", h.backtrace, "```", "");
  if (h.memoryDump)
    out.push(
      "## Memory",
      "",
      `\`${basename(h.memoryDump)}\`: open with \`gdb ${basename(elf)} ${basename(h.memoryDump)}\``,
      "",
    );
  if (h.notes.length) out.push("## Notes", "", ...h.notes.map((n) => `- ${n}`), "");
  return out.join("\n");
}
