// Two ways to take one stack sample of the guest's first vCPU: through the gdbstub (the
// default: fewer and smaller round trips, BENCHMARKS.md "Profiler") or through QMP (stop,
// `info registers`, `x`, cont). Both stop the guest for the sample, so RIP and the frame
// chain belong to one moment, under TCG and KVM alike.
import { Qmp } from "../vm/qmp.ts";
import { type Registers, walkFrames } from "./frame-walk.ts";
import { GDB_RBP, GDB_RIP, GDB_RSP, GdbRemote, gdbRegister } from "./gdb-remote.ts";

export interface StackSampler {
  /** RIP, then return addresses, innermost first; undefined when the guest gave no registers */
  sample(): Promise<bigint[] | undefined>;
  close(): Promise<void>;
}

export type SamplerKind = "gdb" | "qmp";

export async function openSampler(kind: SamplerKind, socket: string): Promise<StackSampler> {
  return kind === "gdb" ? new GdbSampler(await GdbRemote.connect(socket)) : new QmpSampler(await Qmp.connect(socket));
}

class GdbSampler implements StackSampler {
  constructor(private readonly gdb: GdbRemote) {}

  async sample(): Promise<bigint[] | undefined> {
    const g = await this.gdb.interruptForRegisters();
    try {
      const rip = gdbRegister(g, GDB_RIP);
      const rsp = gdbRegister(g, GDB_RSP);
      const rbp = gdbRegister(g, GDB_RBP);
      if (rip === undefined || rsp === undefined || rbp === undefined) return undefined;
      return await walkFrames({ rip, rsp, rbp }, (a, n) => this.gdb.memory(a, n));
    } finally {
      this.gdb.resume();
    }
  }

  close(): Promise<void> {
    return this.gdb.close();
  }
}

/** RIP, RSP and RBP of the first vCPU in `info registers` (long mode), if it shows them */
export function registersOf(text: string): Registers | undefined {
  const reg = (name: string) => {
    const m = new RegExp(`\\b${name}=([0-9a-f]{16})\\b`).exec(text);
    return m ? BigInt(`0x${m[1]}`) : undefined;
  };
  const rip = reg("RIP");
  const rsp = reg("RSP");
  const rbp = reg("RBP");
  return rip === undefined || rsp === undefined || rbp === undefined ? undefined : { rip, rsp, rbp };
}

/** The words of HMP's `x /Ngx` ("addr: 0x… 0x…" lines) as bytes; undefined for anything else. */
export function bytesOfDump(text: string, length: number): Buffer | undefined {
  const words = [...text.matchAll(/\b0x([0-9a-f]{16})\b/g)].map((m) => BigInt(`0x${m[1]}`));
  if (words.length * 8 !== length) return undefined;
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < words.length; i++) bytes.writeBigUInt64LE(words[i], i * 8);
  return bytes;
}

class QmpSampler implements StackSampler {
  constructor(private readonly qmp: Qmp) {}

  async sample(): Promise<bigint[] | undefined> {
    await this.qmp.execute("stop", {}, 2000);
    try {
      const regs = registersOf(await this.qmp.hmp("info registers", 2000));
      if (!regs) return undefined;
      return await walkFrames(regs, async (a, n) =>
        bytesOfDump(await this.qmp.hmp(`x /${n / 8}gx 0x${a.toString(16)}`, 2000), n),
      );
    } finally {
      await this.qmp.execute("cont", {}, 2000);
    }
  }

  async close(): Promise<void> {
    this.qmp.close();
  }
}
