// binutils and gdb over the kernel ELF: which function holds an address, the
// disassembly around it, and a backtrace from a halted guest through the gdbstub.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface FunctionRange {
  name: string;
  start: bigint;
  size: bigint;
}

/** The symbol whose [start, start+size) holds `address` (nm -S), if any. */
export async function functionAt(elf: string, address: bigint): Promise<FunctionRange | undefined> {
  const { stdout } = await run("nm", ["-S", "--defined-only", elf], { maxBuffer: 64 << 20 });
  for (const line of stdout.split("\n")) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) [tTwW] (\S+)$/.exec(line);
    if (!m) continue;
    const start = BigInt(`0x${m[1]}`);
    const size = BigInt(`0x${m[2]}`);
    if (address >= start && address < start + size) return { name: m[3], start, size };
  }
  return undefined;
}

/** `context` instructions either side of `address`, that one marked with "=>". */
export async function disassembleAround(elf: string, address: bigint, context = 12): Promise<string> {
  const fn = await functionAt(elf, address);
  const start = fn ? fn.start : address > 64n ? address - 64n : 0n;
  const stop = fn ? fn.start + fn.size : address + 64n;
  const { stdout } = await run(
    "objdump",
    [
      "-d",
      "--no-show-raw-insn",
      `--start-address=0x${start.toString(16)}`,
      `--stop-address=0x${stop.toString(16)}`,
      elf,
    ],
    { maxBuffer: 64 << 20 },
  );
  const insns = stdout.split("\n").filter((l) => /^\s+[0-9a-f]+:\t/.test(l));
  const at = insns.findIndex((l) => BigInt(`0x${l.trim().split(":")[0]}`) === address);
  if (at < 0) return insns.slice(0, 2 * context).join("\n");
  return insns
    .slice(Math.max(0, at - context), at + context + 1)
    .map((l, i, all) => (all[i] === insns[at] ? `=> ${l.trimStart()}` : `   ${l.trimStart()}`))
    .join("\n");
}

/**
 * A backtrace of the stopped guest: gdb attaches to the gdbstub and unwinds with the
 * ELF's DWARF. For a fault, `at` puts the faulting context back first (RIP/RSP from
 * the dump; RBP from the kernel's fault_frame when the ELF has one); for a hang, the
 * live registers are the context. gdb's detach lets the guest run on.
 */
export async function gdbBacktrace(
  elf: string,
  gdbSocket: string,
  at?: { rip: bigint; rsp: bigint },
  timeoutMs = 15000,
): Promise<string> {
  const { stdout: syms } = await run("nm", [elf], { maxBuffer: 64 << 20 });
  const hasFaultFrame = /\sfault_frame$/m.test(syms);
  const context = at
    ? [
        ...["-ex", `set $rip = 0x${at.rip.toString(16)}`, "-ex", `set $rsp = 0x${at.rsp.toString(16)}`],
        ...(hasFaultFrame ? ["-ex", "set $rbp = fault_frame.rbp"] : []),
      ]
    : [];
  const args = [
    "-nx",
    "-batch",
    "-ex",
    "set pagination off",
    "-ex",
    "set confirm off",
    "-ex",
    `target remote ${gdbSocket}`,
    ...context,
    "-ex",
    "bt 32",
    "-ex",
    "detach",
    elf,
  ];
  const { stdout } = await run("gdb", args, { timeout: timeoutMs, maxBuffer: 16 << 20 });
  return stdout
    .split("\n")
    .filter((l) => /^#\d+/.test(l))
    .join("\n");
}
