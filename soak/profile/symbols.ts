// The profile's addresses to names, each distinct address once, through one addr2line that
// reads them all (-a -f -i: the inline chain, so the AssemblyScript functions gcc inlined are
// frames of their own). wasm2c's names are turned back into the AssemblyScript ones; the
// wasm2c runtime's helpers (bounds-checked loads and stores, memory.copy: functions of the
// generated C that are not wasm functions) are folded into the function that called them.
import { spawn } from "node:child_process";
import { demangle, isWasmFunction } from "../triage/symbolize.ts";

/** a vmlinux's DWARF takes seconds to load; many thousand addresses, seconds more */
const ADDR2LINE_TIMEOUT_MS = 300_000;

/** addr2line's output for `addresses`, given on its standard input: one process, the ELF read once. */
function addr2line(elf: string, addresses: bigint[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("addr2line", ["-a", "-f", "-i", "-e", elf], { timeout: ADDR2LINE_TIMEOUT_MS });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code, signal) =>
      code === 0 ? resolve(out) : reject(new Error(`addr2line ended (${signal ?? code}): ${err.slice(0, 200)}`)),
    );
    child.stdin.on("error", () => {}); // an addr2line that exits early says why on close
    child.stdin.end(addresses.map((a) => `0x${a.toString(16)}\n`).join(""));
  });
}

export interface NamedFrame {
  name: string;
  /** the source file the ELF's line table names (the generated C for AssemblyScript code) */
  file: string;
  line: number;
  /** a function of the AssemblyScript (wasm) side */
  wasm: boolean;
  /** a helper of the wasm2c runtime, folded into its caller */
  helper?: boolean;
}

interface RawFrame {
  symbol: string;
  file: string;
  line: number;
}

/** addr2line -a output: each address line, then function and file:line pairs, innermost first. */
export function parseAddr2line(stdout: string): RawFrame[][] {
  return stdout
    .split(/^0x[0-9a-f]+\n/m)
    .slice(1)
    .map((block) => {
      const lines = block.trimEnd().split("\n");
      const frames: RawFrame[] = [];
      for (let i = 0; i + 1 < lines.length; i += 2) {
        const where = /^(.*):(\d+|\?)(?: \(discriminator \d+\))?$/.exec(lines[i + 1]);
        frames.push({
          symbol: lines[i],
          file: (where ? where[1] : lines[i + 1]).replace(/^(\.\/)+/, ""),
          line: where && where[2] !== "?" ? Number(where[2]) : 0,
        });
      }
      return frames;
    });
}

/** Each address's inline chain, innermost first; an address addr2line cannot place gets no entry. */
export async function symbolizeAddresses(elf: string, addresses: bigint[]): Promise<Map<bigint, NamedFrame[]>> {
  const raw = new Map<bigint, RawFrame[]>();
  if (addresses.length)
    parseAddr2line(await addr2line(elf, addresses)).forEach((frames, j) => {
      if (j < addresses.length && frames.length && frames[0].symbol !== "??") raw.set(addresses[j], frames);
    });
  // the generated C is the file the wasm functions are in; its other functions are the runtime's
  const generated = new Set<string>();
  for (const frames of raw.values()) for (const f of frames) if (isWasmFunction(f.symbol)) generated.add(f.file);
  const named = new Map<bigint, NamedFrame[]>();
  for (const [address, frames] of raw)
    named.set(
      address,
      frames.map((f) => {
        const wasm = isWasmFunction(f.symbol);
        const helper = !wasm && (generated.has(f.file) || /(^|\/)(wasm_rt\.c|wasm-rt[\w-]*\.h)$/.test(f.file));
        return {
          name: wasm ? demangle(f.symbol) : f.symbol,
          file: f.file,
          line: f.line,
          wasm,
          ...(helper ? { helper } : {}),
        };
      }),
    );
  return named;
}

/**
 * A sampled stack (RIP, then return addresses, innermost first) as names, root first. A
 * return address is looked up one byte back (inside its call). With symbols, the chain
 * ends below the first return address they do not hold: a kernel built without frame
 * pointers (Linux with ORC) leaves rbp to other uses, and what it points at is no chain.
 * An address no symbol holds is its hex. Runtime helpers are dropped where a caller is above,
 * with the functions they call.
 */
export function stackNames(stack: bigint[], frames: Map<bigint, NamedFrame[]>): string[] {
  const names: string[] = [];
  let inHelper = false;
  let outer = stack.length - 1;
  if (frames.size) {
    const unknown = stack.findIndex((a, i) => i > 0 && !frames.has(a - 1n));
    if (unknown > 0) outer = unknown - 1;
  }
  for (let i = outer; i >= 0; i--) {
    const at = i === 0 ? stack[0] : stack[i] - 1n;
    const chain = frames.get(at);
    if (!chain) {
      names.push(`0x${stack[i].toString(16)}`);
      continue;
    }
    for (let j = chain.length - 1; j >= 0; j--) {
      // what a helper calls (memcpy under memory.copy) is the runtime's too, until wasm code again
      if (chain[j].wasm) inHelper = false;
      else if (chain[j].helper && names.length) inHelper = true;
      if (!inHelper) names.push(chain[j].name);
    }
  }
  return names;
}

/** Every address to look up for these stacks (return addresses one byte back), once each. */
export function lookupAddresses(stacks: bigint[][]): bigint[] {
  const set = new Set<bigint>();
  for (const s of stacks) for (let i = 0; i < s.length; i++) set.add(i === 0 ? s[i] : s[i] - 1n);
  return [...set];
}
