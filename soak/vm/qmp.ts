// A minimal QMP client (QEMU Machine Protocol: JSON lines over a unix socket):
// capabilities negotiation, then one command at a time.
import type { Socket } from "node:net";
import { connectUnix } from "./unix-socket.ts";

/** more than any answer the engine asks for (registers, status): a line past it is not QMP */
const MAX_LINE = 4 * 1024 * 1024;

/** A line of QMP as its JSON object; undefined for anything else (whatever sits on the socket). */
function messageOf(line: string): Record<string, unknown> | undefined {
  try {
    const msg: unknown = JSON.parse(line);
    return typeof msg === "object" && msg !== null && !Array.isArray(msg)
      ? (msg as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export class Qmp {
  private buffer = "";
  private waiting?: { resolve: (v: unknown) => void; reject: (e: Error) => void };

  private constructor(private readonly socket: Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (d: string) => this.onData(d));
    socket.on("error", (e) => this.waiting?.reject(e));
  }

  static async connect(path: string, timeoutMs = 5000): Promise<Qmp> {
    const socket = await connectUnix(path, timeoutMs, "QMP");
    const qmp = new Qmp(socket);
    await qmp.next(timeoutMs); // the greeting
    await qmp.execute("qmp_capabilities", {}, timeoutMs);
    return qmp;
  }

  private onData(d: string): void {
    this.buffer += d;
    if (this.buffer.length > MAX_LINE && !this.buffer.includes("\n")) {
      this.buffer = "";
      this.answer(new Error(`QMP: a line longer than ${MAX_LINE} bytes`));
      return;
    }
    let nl = this.buffer.indexOf("\n");
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      nl = this.buffer.indexOf("\n");
      if (!line) continue;
      const msg = messageOf(line);
      if (!msg) this.answer(new Error(`QMP: not a QMP message: ${JSON.stringify(line.slice(0, 80))}`));
      else if ("event" in msg)
        continue; // asynchronous events are not needed here
      else if ("error" in msg) this.answer(new Error(`QMP: ${JSON.stringify(msg.error)}`));
      else this.answer("return" in msg ? msg.return : msg);
    }
  }

  /** Settles the command waiting for an answer, if any: with its value, or its error. */
  private answer(result: unknown): void {
    const w = this.waiting;
    this.waiting = undefined;
    if (result instanceof Error) w?.reject(result);
    else w?.resolve(result);
  }

  private next(timeoutMs: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`QMP: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  async execute(command: string, args: Record<string, unknown> = {}, timeoutMs = 10000): Promise<unknown> {
    const answer = this.next(timeoutMs);
    this.socket.write(`${JSON.stringify({ execute: command, arguments: args })}\n`);
    return answer;
  }

  /** A human monitor command ("info registers -a"), as text. */
  async hmp(commandLine: string, timeoutMs = 10000): Promise<string> {
    return String(await this.execute("human-monitor-command", { "command-line": commandLine }, timeoutMs));
  }

  close(): void {
    this.socket.destroy();
  }
}
