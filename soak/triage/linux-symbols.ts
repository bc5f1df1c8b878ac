// A Linux trace's "func+0x1a/0x40" frames to file:line with vmlinux: func's address from
// the symbol table (nm; of several same-named functions, the one of the printed size),
// plus the offset, through addr2line. The frames are symbol-relative, so where KASLR
// put the kernel (its Kernel Offset) does not matter. A return address points after
// its call, so it is looked up one byte back; the RIP frame is looked up as it is.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { TraceFrame } from "./linux-report.ts";

const run = promisify(execFile);

interface FunctionSymbol {
  start: bigint;
  size: bigint;
}

async function functionSymbols(vmlinux: string, names: Set<string>): Promise<Map<string, FunctionSymbol[]>> {
  const { stdout } = await run("nm", ["-S", "--defined-only", vmlinux], { maxBuffer: 256 << 20 });
  const found = new Map<string, FunctionSymbol[]>();
  for (const line of stdout.split("\n")) {
    // assembly labels such as entry_SYSCALL_64_after_hwframe have no size
    const m = /^([0-9a-f]+)(?: ([0-9a-f]+))? [tTwW] (\S+)$/.exec(line);
    if (!m || !names.has(m[3])) continue;
    const list = found.get(m[3]) ?? [];
    list.push({ start: BigInt(`0x${m[1]}`), size: BigInt(`0x${m[2] ?? "0"}`) });
    found.set(m[3], list);
  }
  return found;
}

/** Fills in `source` and `inlined` of the frames vmlinux holds; returns what could not be resolved, and why. */
export async function symbolizeTrace(vmlinux: string, frames: TraceFrame[]): Promise<string[]> {
  const notes: string[] = [];
  const inModules = [...new Set(frames.filter((f) => f.module).map((f) => f.module))];
  if (inModules.length)
    notes.push(`frames in modules (${inModules.join(", ")}) are not in ${vmlinux}: left as printed`);
  const wanted = frames.filter((f) => !f.module);
  if (!wanted.length) return notes;
  const symbols = await functionSymbols(vmlinux, new Set(wanted.map((f) => f.func)));
  const lookups: { frame: TraceFrame; address: bigint }[] = [];
  for (const frame of wanted) {
    const candidates = symbols.get(frame.func) ?? [];
    const size = BigInt(`0x${frame.size}`);
    const fn = candidates.find((c) => c.size === size) ?? candidates[0];
    if (!fn) {
      notes.push(`${frame.func} is not in ${vmlinux}'s symbol table: is it this kernel's vmlinux?`);
      continue;
    }
    const address = fn.start + BigInt(`0x${frame.offset}`) - (frame.rip ? 0n : 1n);
    lookups.push({ frame, address });
  }
  if (!lookups.length) return notes;
  const addresses = lookups.map((l) => `0x${l.address.toString(16)}`);
  const { stdout } = await run("addr2line", ["-a", "-f", "-i", "-e", vmlinux, ...addresses], {
    maxBuffer: 16 << 20,
  });
  // -a: each address line, then function/file:line pairs for it, innermost inline first
  const blocks = stdout.split(/^0x[0-9a-f]+\n/m).slice(1);
  blocks.forEach((block, i) => {
    const out = block.trimEnd().split("\n");
    const chain: string[] = [];
    for (let j = 0; j + 1 < out.length; j += 2) chain.push(`${out[j]} ${cleanPath(out[j + 1])}`);
    const frame = lookups[i].frame;
    const outermost = out.at(-1);
    if (!outermost || outermost.startsWith("??")) return;
    frame.source = cleanPath(outermost);
    if (chain.length > 1) frame.inlined = chain.slice(0, -1);
  });
  return notes;
}

/** "./kernel/panic.c:123 (discriminator 2)" -> "kernel/panic.c:123" */
function cleanPath(where: string): string {
  return where.replace(/ \(discriminator \d+\)$/, "").replace(/^(\.\/)+/, "");
}
