// report.html's triage: the crash dump (whatever lines the detector kept, a Linux
// report block too), what it decodes to, the inline chain, the disassembly with RIP
// marked and the backtrace; for a hang the symbolized RIPs, the backtrace, the registers.
import { basename } from "node:path";
import type { CrashTriage } from "../triage/crash.ts";
import type { HangTriage } from "../triage/hang.ts";
import { escapeHtml as esc } from "./html-escape.ts";

/** The AssemblyScript lines around the function that faulted (or looped), `line` being its declaration. */
export interface SourceExcerpt {
  file: string;
  line: number;
  /** the function, as the kernel's symbols name it */
  name: string;
  /** lines from `first` on */
  first: number;
  text: string[];
}

const preBlock = (text: string, cls = "") => `<pre${cls ? ` class="${cls}"` : ""}>${esc(text)}</pre>`;

export function sourceSection(x: SourceExcerpt): string {
  const rows = x.text.map((t, i) => {
    const no = x.first + i;
    return `<span class="${no === x.line ? "hit" : ""}"><i>${no}</i>${esc(t)}</span>`;
  });
  return `<section class="source"><h2>Where in the source: <code>${esc(x.file)}:${x.line}</code> (${esc(x.name)})</h2><pre class="code">${rows.join("")}</pre></section>`;
}

export function crashSection(c: CrashTriage): string {
  const out = [`<section class="triage"><h2>Crash triage</h2>`, preBlock(c.lines.join("\n"), "dump")];
  if (c.corrupted) out.push(`<p class="warn">The dump is corrupted: ${esc(c.corrupted)}</p>`);
  const facts: [string, string][] = [];
  if (c.cr2) facts.push(["CR2", `${c.cr2} = ${c.cr2Signed} as a signed 64-bit number`]);
  if (c.err) facts.push(["error code", c.errDecoded ? `${c.err}: ${c.errDecoded.bits.join("; ")}` : c.err]);
  if (c.rip) facts.push(["RIP", `${c.rip}${c.symbol ? ` in ${c.symbol}` : ""}${c.source ? ` (${c.source})` : ""}`]);
  if (c.asSource) facts.push(["source", `${c.asSource.file}:${c.asSource.line}`]);
  if (c.rsp) facts.push(["RSP", c.rsp]);
  if (facts.length)
    out.push(
      `<table class="facts">${facts.map(([k, v]) => `<tr><th>${k}</th><td>${esc(v)}</td></tr>`).join("")}</table>`,
    );
  if (c.trace?.length) {
    const rows = c.trace.map((f) => {
      const name = `${f.func}+0x${f.offset}/0x${f.size}${f.module ? ` [${f.module}]` : ""}${f.rip ? " (RIP)" : ""}`;
      const source = [f.source ?? "", ...(f.inlined ?? []).map((i) => `inlined: ${i}`)].filter(Boolean);
      return `<tr><td><code>${esc(name)}</code></td><td>${source.map(esc).join("<br>")}</td></tr>`;
    });
    out.push(
      `<h3>Trace (RIP, then the Call Trace without its ? frames)</h3><table><tr><th>frame</th><th>source</th></tr>${rows.join("")}</table>`,
    );
  }
  if (c.frames.length) {
    const rows = c.frames.map(
      (f) => `<tr><td><code>${esc(f.name)}</code></td><td>${esc(`${f.file}:${f.line}`)}</td></tr>`,
    );
    out.push(
      `<h3>Where (addr2line -f -i, innermost first)</h3><table><tr><th>function</th><th>source</th></tr>${rows.join("")}</table>`,
    );
  }
  if (c.disassembly) out.push(`<h3>Disassembly (=&gt; marks RIP)</h3>${markedDisassembly(c.disassembly)}`);
  if (c.backtrace) out.push(`<h3>Backtrace (gdb through the gdbstub)</h3>${preBlock(c.backtrace)}`);
  out.push(notesList(c.notes), "</section>");
  return out.join("\n");
}

function markedDisassembly(text: string): string {
  const lines = text.split("\n").map((l) => (l.startsWith("=>") ? `<mark>${esc(l)}</mark>` : esc(l)));
  return `<pre>${lines.join("\n")}</pre>`;
}

/** The symbolized RIP lines the hang triage appends to the registers ("RIP 0x…: f (file:line) <- …"). */
export const hangRips = (h: HangTriage) => (h.registers ?? "").split("\n").filter((l) => /^RIP 0x/.test(l));

export function hangSection(h: HangTriage, kernelFile: string): string {
  const out = [`<section class="triage"><h2>Hang triage</h2>`];
  const rips = hangRips(h);
  if (rips.length) out.push("<h3>Where every vCPU was (RIP, symbolized)</h3>", preBlock(rips.join("\n"), "dump"));
  if (h.backtrace) out.push(`<h3>Backtrace (gdb through the gdbstub)</h3>${preBlock(h.backtrace)}`);
  if (h.memoryDump) {
    const core = basename(h.memoryDump);
    out.push(
      `<p>Guest memory: <code>${esc(core)}</code>; open it with <code>gdb ${esc(kernelFile)} ${esc(core)}</code>.</p>`,
    );
  }
  if (h.registers) out.push(`<h3>Registers of every vCPU (QMP info registers -a)</h3>${preBlock(h.registers)}`);
  out.push(notesList(h.notes), "</section>");
  return out.join("\n");
}

const notesList = (list: string[]) =>
  list.length ? `<h3>Notes</h3><ul>${list.map((x) => `<li>${esc(x)}</li>`).join("")}</ul>` : "";
