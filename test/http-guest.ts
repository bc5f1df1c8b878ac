// A guest serving HTTP on loopback ports, and a small raw HTTP/1.1 client for the
// tests that need to see (or break) the bytes on the wire. Every wait has a deadline.
import { readFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { expect } from "vitest";
import { Guest, readElfInfo, SIGNATURES, tapPrivilege, type Vm } from "../soak/index.ts";

/** The engine's Guest (soak/vm/guest.ts) on QEMU user networking, with the raw ports the tests connect to. */
export interface HttpGuest {
  guest: Guest;
  vm: Vm;
  /** the first forwarded port (the health probe's) and its URL */
  port: number;
  base: string;
  /** every forwarded port, the probes' two first; QEMU accepts on each with a backlog of 1, so spread many connections over them */
  ports: number[];
}

export interface HttpGuestOptions {
  /** keep-alive load ports (Guest.loadUrls), beyond the probes' two */
  loadPorts?: number;
  /** churn load ports (Guest.churnUrls) */
  churnPorts?: number;
  /** guest ports, port i to [i % length]; default: those the ELF note announces */
  guestPorts?: number[];
  /** a kernel command line (e.g. shorter TCP timeouts) */
  append?: string;
  /** more QEMU arguments (e.g. -icount) */
  extraArgs?: string[];
}

/** Boots `elf` under TCG as the soak engine does, its files in a folder the guest removes at
 * stop (the test stops it); `network`: QEMU user networking unless "tap" (root only). */
export async function bootTestGuest(
  elf: string,
  o: HttpGuestOptions & { network?: "user" | "tap" } = {},
): Promise<Guest> {
  const network = o.network ?? "user";
  const privilege = network === "tap" ? await tapPrivilege() : undefined;
  if (typeof privilege === "string") throw new Error(privilege);
  return Guest.boot({
    kernel: elf,
    accel: "tcg",
    append: o.append,
    extraArgs: o.extraArgs,
    network,
    privilege,
    guestPorts: o.guestPorts ?? (await readElfInfo(elf)).httpPorts ?? [80],
    loadPorts: o.loadPorts ?? 0,
    churnPorts: o.churnPorts ?? 0,
  });
}

/** bootTestGuest on QEMU user networking, then the bundled kernel's `ready`. */
export async function startHttpGuest(elf: string, o: HttpGuestOptions = {}): Promise<HttpGuest> {
  const guest = await bootTestGuest(elf, o);
  try {
    await guest.vm.serial.waitFor(/^ready$/, 20_000);
  } catch (err) {
    await guest.stop();
    throw err;
  }
  const [port] = guest.hostPorts;
  return { guest, vm: guest.vm, port, base: `http://127.0.0.1:${port}`, ports: guest.hostPorts };
}

/** Stops the guest; its folder (serial and QEMU logs) goes with it, so a test leaves nothing behind. */
export async function stopHttpGuest(g: HttpGuest | undefined): Promise<void> {
  await g?.guest.stop();
}

/** Serial lines that are crash headlines (PF at, TRAP:, PANIC:, CPU exceptions), from the whole log on disk. */
export async function crashLines(vm: Vm): Promise<string[]> {
  const log = await readFile(join(vm.config.dir, "serial.log"), "latin1");
  return log.split("\n").filter((line) => SIGNATURES.some((s) => s.headline.test(line.replace(/\r$/, ""))));
}

/** The guest still answers /health with 200 and its serial log shows no crash. */
export async function expectHealthy(guest: HttpGuest): Promise<void> {
  const res = await httpGet(guest.port, "/health");
  expect(res.status).toBe(200);
  expect(res.body.toString()).toBe("ok\n");
  expect(await crashLines(guest.vm)).toEqual([]);
}

export interface Response {
  status: number;
  /** header names in lower case */
  headers: Record<string, string>;
  body: Buffer;
}

/** The status line and header fields of the response starting at `at`, and the index just past its blank line; null while incomplete. */
export function parseHead(
  buf: Buffer,
  at = 0,
): { status: number; headers: Record<string, string>; end: number } | null {
  const blank = buf.indexOf("\r\n\r\n", at, "latin1");
  if (blank < 0) return null;
  const [statusLine, ...fields] = buf.toString("latin1", at, blank).split("\r\n");
  const m = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine);
  if (!m) throw new Error(`not a status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const field of fields) {
    const colon = field.indexOf(":");
    headers[field.slice(0, colon).toLowerCase()] = field.slice(colon + 1).trim();
  }
  return { status: Number(m[1]), headers, end: blank + 4 };
}

/**
 * The complete responses at the start of `buf` (each framed by Content-Length; 304
 * has no body) and the number of bytes they take.
 */
export function parseResponses(buf: Buffer): { responses: Response[]; used: number } {
  const responses: Response[] = [];
  let at = 0;
  for (let head = parseHead(buf); head; head = parseHead(buf, at)) {
    const length = head.status === 304 ? 0 : Number(head.headers["content-length"] ?? 0);
    if (head.end + length > buf.length) break;
    responses.push({ status: head.status, headers: head.headers, body: buf.subarray(head.end, head.end + length) });
    at = head.end + length;
  }
  return { responses, used: at };
}

/** A client socket to the guest that keeps everything it receives. */
export class RawConnection {
  received = Buffer.alloc(0);
  /** the peer closed (FIN or reset) */
  closed = false;
  private readonly changed = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.received = Buffer.concat([this.received, d]);
      this.notify();
    });
    const onClose = () => {
      this.closed = true;
      this.notify();
    };
    socket.on("end", onClose);
    socket.on("close", onClose);
    socket.on("error", onClose); // a reset is a close here; callers check what they got
  }

  /** `from`: the client's own loopback address and port, when a test needs them fixed;
   * `allowHalfOpen`: the server's FIN does not close our half (we end it, or never do) */
  static open(
    port: number,
    timeoutMs = 5_000,
    from?: { localAddress: string; localPort: number },
    allowHalfOpen = false,
  ): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port, allowHalfOpen, ...from });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to 127.0.0.1:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        resolve(new RawConnection(socket));
      });
    });
  }

  /** Writes `data` and resolves once it has been handed to the host's TCP stack. */
  write(data: string | Buffer, timeoutMs = 5_000): Promise<void> {
    return withDeadline(
      new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve()))),
      timeoutMs,
      `write of ${data.length} bytes`,
    );
  }

  /** Resolves once `done()` holds, checked on every byte received and at close. */
  until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    let check = () => {};
    const reached = new Promise<void>((resolve) => {
      check = () => done() && resolve();
      this.changed.add(check);
    });
    return withDeadline(reached, timeoutMs, what).finally(() => this.changed.delete(check));
  }

  responses(): Response[] {
    return parseResponses(this.received).responses;
  }

  /** Waits for `n` complete responses (or the close) and returns those received. */
  async waitForResponses(n: number, timeoutMs = 10_000): Promise<Response[]> {
    await this.until(() => this.closed || this.responses().length >= n, timeoutMs, `${n} response(s)`);
    return this.responses();
  }

  waitForClose(timeoutMs = 10_000): Promise<void> {
    return this.until(() => this.closed, timeoutMs, "the server to close the connection");
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    for (const check of this.changed) check();
  }
}

/** One GET on a connection of its own, which the client closes first (so the guest keeps no TIME_WAIT). */
export async function httpGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
): Promise<Response> {
  const c = await RawConnection.open(port);
  try {
    const fields = Object.entries({ Host: "127.0.0.1", ...headers }).map(([k, v]) => `${k}: ${v}\r\n`);
    await c.write(`GET ${path} HTTP/1.1\r\n${fields.join("")}\r\n`);
    const [res] = await c.waitForResponses(1, timeoutMs);
    if (!res) throw new Error(`GET ${path}: connection closed without a response`);
    return res;
  } finally {
    c.socket.end();
    c.socket.setTimeout(5_000, () => c.destroy());
  }
}

export type Stats = Record<string, number>;

export async function getStats(port: number): Promise<Stats> {
  const res = await httpGet(port, "/api/stats.json");
  expect(res.status).toBe(200);
  return JSON.parse(res.body.toString()) as Stats;
}

/** Polls `probe` until it returns a value `ok` accepts; fails with the last value after `timeoutMs`. */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached within ${timeoutMs} ms; last ${JSON.stringify(value)}`);
    await sleep(250);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withDeadline<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
