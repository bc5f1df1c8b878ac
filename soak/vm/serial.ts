// Follows the guest's serial log as QEMU writes it to a file. QEMU writes the file
// itself, so the guest never blocks on us however busy the engine is; we read the
// new bytes every few milliseconds and hand out whole lines.
import { EventEmitter } from "node:events";
import { type FileHandle, open } from "node:fs/promises";

export interface SerialLine {
  text: string;
  /** ms since the epoch when the engine read the line */
  at: number;
}

const POLL_MS = 20;
const CHUNK = 64 * 1024;

export class SerialTail extends EventEmitter<{ line: [SerialLine] }> {
  private file?: FileHandle;
  private offset = 0;
  private partial = "";
  private timer?: NodeJS.Timeout;
  /** the read under way: stop() waits for it before closing the file */
  private reading?: Promise<void>;
  readonly lines: SerialLine[] = [];

  constructor(
    readonly path: string,
    /** keep at most this many lines in memory (the file on disk keeps all) */
    private readonly keep = 2000,
  ) {
    super();
  }

  async start(): Promise<void> {
    this.file = await open(this.path, "a+");
    this.timer = setInterval(() => void this.poll(), POLL_MS);
  }

  /** Reads whatever is new now (also used once more at stop, so nothing is missed). */
  poll(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    this.reading ??= this.readNew(file).finally(() => {
      this.reading = undefined;
    });
    return this.reading;
  }

  private async readNew(file: FileHandle): Promise<void> {
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      const { bytesRead } = await file.read(buf, 0, CHUNK, this.offset);
      if (bytesRead === 0) break;
      this.offset += bytesRead;
      this.feed(buf.subarray(0, bytesRead).toString("latin1"));
    }
  }

  private feed(text: string): void {
    const parts = (this.partial + text).split("\n");
    this.partial = parts.pop() ?? "";
    const at = Date.now();
    for (const raw of parts) {
      const line = { text: raw.replace(/\r$/, ""), at };
      this.lines.push(line);
      if (this.lines.length > this.keep) this.lines.shift();
      this.emit("line", line);
    }
  }

  /** Resolves with the first line (already seen or still to come) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<SerialLine> {
    const seen = this.lines.find((l) => pattern.test(l.text));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const onLine = (line: SerialLine) => {
        if (!pattern.test(line.text)) return;
        clearTimeout(timer);
        this.off("line", onLine);
        resolve(line);
      };
      const timer = setTimeout(() => {
        this.off("line", onLine);
        reject(new Error(`no serial line matching ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on("line", onLine);
    });
  }

  text(): string {
    return this.lines.map((l) => l.text).join("\n");
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    // a read still under way would find the file closed under it (EBADF, which once
    // ended the process): let it finish, then read what came after it
    await this.reading?.catch(() => undefined);
    await this.poll();
    if (this.partial) this.feed("\n");
    await this.file?.close();
    this.file = undefined;
  }
}
