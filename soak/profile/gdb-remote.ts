// A minimal client of QEMU's gdbstub (the GDB remote serial protocol over the VM's unix
// socket), enough to sample a running guest: interrupt, read registers and memory, run on.
// gdb itself takes about a second a start, far too slow for a sample; this speaks the
// protocol directly (QEMU 7.2's stub has no no-ack mode: every packet is acknowledged).
import type { Socket } from "node:net";
import { connectUnix } from "../vm/unix-socket.ts";

/** more than any answer asked for here (registers, a 2 KiB read as hex): past it the stub is not talking gdb */
const MAX_PACKET = 64 * 1024;

const checksum = (data: string) => {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum = (sum + data.charCodeAt(i)) & 0xff;
  return sum.toString(16).padStart(2, "0");
};

export class GdbRemote {
  private buffer = "";
  /** answers awaited, in the order they were asked for (requests may be sent together) */
  private readonly waiting: { stop: boolean; resolve: (packet: string) => void; reject: (e: Error) => void }[] = [];
  private closed?: Error;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => this.onData(d));
    socket.on("error", (e) => this.fail(e));
    socket.on("close", () => this.fail(new Error("gdbstub: connection closed")));
  }

  /** Connects; QEMU stops the guest when a debugger connects, so this runs it on at once. */
  static async connect(path: string, timeoutMs = 5000): Promise<GdbRemote> {
    const socket = await connectUnix(path, timeoutMs, "gdbstub");
    const gdb = new GdbRemote(socket);
    try {
      // QEMU announces the stop it made on connecting, and answers "?" with it again: the
      // first is taken here, the other dropped before the next answer (packets come in order)
      await gdb.answer(timeoutMs, () => gdb.send("?"), true);
      await gdb.request("qAttached", timeoutMs);
      gdb.send("c");
    } catch (err) {
      socket.destroy();
      throw err;
    }
    return gdb;
  }

  private fail(e: Error): void {
    this.closed ??= e;
    for (const w of this.waiting.splice(0)) w.reject(e);
  }

  private onData(d: string): void {
    this.buffer += d;
    for (;;) {
      // acknowledgements (before no-ack mode) and anything between packets are skipped
      const start = this.buffer.indexOf("$");
      if (start < 0) {
        this.buffer = "";
        return;
      }
      const end = this.buffer.indexOf("#", start);
      if (end < 0 || end + 3 > this.buffer.length) {
        if (this.buffer.length - start > MAX_PACKET) this.fail(new Error("gdbstub: a packet past the size limit"));
        this.buffer = this.buffer.slice(start);
        return;
      }
      const packet = this.buffer.slice(start + 1, end);
      this.buffer = this.buffer.slice(end + 3);
      this.socket.write("+");
      // a stop reply answers an interrupt only; registers, memory and OK never start with S or T
      if (/^[ST][0-9a-f]{2}/.test(packet) !== this.waiting[0]?.stop) continue;
      this.waiting.shift()?.resolve(packet);
    }
  }

  private send(data: string): void {
    this.socket.write(`$${data}#${checksum(data)}`);
  }

  private answer(timeoutMs: number, write: () => void, stop = false): Promise<string> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise((resolve, reject) => {
      // an answer that comes late would answer the next question: the connection is done
      const timer = setTimeout(() => this.fail(new Error(`gdbstub: no answer in ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push({
        stop,
        resolve: (p) => {
          clearTimeout(timer);
          resolve(p);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      write();
    });
  }

  request(data: string, timeoutMs = 2000): Promise<string> {
    return this.answer(timeoutMs, () => this.send(data));
  }

  /** Stops the running guest and reads its general registers, both asked at once (one round
   * trip): 64-bit little-endian hex in x86-64's gdb order. */
  async interruptForRegisters(timeoutMs = 2000): Promise<string> {
    const [, registers] = await Promise.all([
      this.answer(timeoutMs, () => this.socket.write("\x03"), true),
      this.request("g", timeoutMs),
    ]);
    return registers;
  }

  /** Runs the stopped guest on; the stub answers only at the next stop. */
  resume(): void {
    if (!this.closed) this.send("c");
  }

  /** `length` bytes of guest (virtual) memory at `address`; undefined where it is not mapped. */
  async memory(address: bigint, length: number): Promise<Buffer | undefined> {
    const hex = await this.request(`m${address.toString(16)},${length.toString(16)}`);
    if (!/^(?:[0-9a-f]{2})+$/.test(hex)) return undefined;
    return Buffer.from(hex, "hex");
  }

  /** Stops the guest, detaches (QEMU runs it on) and closes; never throws. QEMU's stub takes
   * any byte that comes while the guest runs as an interrupt, so a bare "D" would leave it stopped. */
  async close(): Promise<void> {
    try {
      if (!this.closed) {
        await this.answer(2000, () => this.socket.write("\x03"), true);
        await this.request("D", 2000);
      }
    } catch {
      // a guest gone or a stub silent: closing is all that is left
    }
    this.socket.destroy();
  }
}

/** x86-64's registers in gdb's `g` order: rax rbx rcx rdx rsi rdi rbp rsp r8..r15 rip */
export function gdbRegister(g: string, index: number): bigint | undefined {
  const hex = g.slice(index * 16, index * 16 + 16);
  if (!/^[0-9a-f]{16}$/.test(hex)) return undefined;
  return Buffer.from(hex, "hex").readBigUInt64LE();
}

export const GDB_RBP = 6;
export const GDB_RSP = 7;
export const GDB_RIP = 16;
