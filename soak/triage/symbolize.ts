// Addresses to source: addr2line -f -i over the kernel ELF, with wasm2c's mangled
// names turned back into the AssemblyScript names they came from.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Frame {
  /** the function as the ELF names it (wasm2c-mangled for AssemblyScript code) */
  symbol: string;
  /** the readable name: `kernel/src/faults/faultReadKernelHalf` for AssemblyScript code */
  name: string;
  file: string;
  line: number;
}

/** `w2c_kernel_kernel0x2Fsrc0x2Ffaults0x2Fpoll` -> `kernel/src/faults/poll`; other names unchanged. */
export function demangle(symbol: string): string {
  const m = /^w2c_[A-Za-z0-9]+_(.+)$/.exec(symbol);
  if (!m) return symbol;
  return m[1].replace(/0x([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** True for functions that came from the AssemblyScript (wasm) side. */
export function isWasmFunction(symbol: string): boolean {
  return /^w2c_[A-Za-z0-9]+_/.test(symbol) && !symbol.startsWith("w2c_env_");
}

/** The inline chain at `address`, innermost first. Unknown addresses give one "??" frame. */
export async function symbolize(elf: string, address: bigint): Promise<Frame[]> {
  const { stdout } = await run("addr2line", ["-f", "-i", "-e", elf, `0x${address.toString(16)}`]);
  const lines = stdout.trim().split("\n");
  const frames: Frame[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const symbol = lines[i];
    const where = /^(.*):(\d+|\?)(?: \(discriminator \d+\))?$/.exec(lines[i + 1]);
    frames.push({
      symbol,
      name: demangle(symbol),
      file: where ? where[1].replace(/^(\.\/)+/, "") : lines[i + 1],
      line: where && where[2] !== "?" ? Number(where[2]) : 0,
    });
  }
  return frames;
}
