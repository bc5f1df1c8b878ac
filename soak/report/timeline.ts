// The timeline: each entry appended to timeline.jsonl as the soak goes, so an hours-long
// soak's entries never sit in memory and a cancelled soak's file holds all it saw; a
// bounded, evenly thinned copy stays in memory for the summary's charts.
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { Thinned } from "../thinned.ts";
import type { TimelineEntry } from "./types.ts";

/** entries kept in memory: the charts show at most a few dozen points of them */
const KEPT = 600;

export class Timeline {
  private stream?: WriteStream;
  private readonly kept = new Thinned<TimelineEntry>(KEPT);

  constructor(private readonly path: string) {}

  add(e: TimelineEntry): void {
    this.stream ??= createWriteStream(this.path);
    this.stream.write(`${JSON.stringify(e)}\n`);
    this.kept.add(e);
  }

  /** the entries kept in memory, oldest first */
  get entries(): readonly TimelineEntry[] {
    return this.kept.items;
  }

  /** Flushes the file (an empty one when the soak never reached the load). */
  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return writeFile(this.path, "");
    await new Promise<void>((resolve, reject) => {
      stream.once("error", reject);
      stream.end(resolve);
    });
  }
}

/** What a read of timeline.jsonl found: entries passed on, lines skipped, no file at all. */
export interface TimelineRead {
  entries: number;
  /** lines that were not a timeline entry (a torn last line, an edit) */
  skipped: number;
  missing: boolean;
}

/**
 * Reads a timeline.jsonl line by line (an hours-long soak's file is never held whole),
 * handing each entry to `each`. A line that is not an entry (cut short when the soak was
 * killed, or edited) is skipped and counted, never thrown on; no file reads as empty.
 */
export async function readTimeline(path: string, each: (e: TimelineEntry) => void): Promise<TimelineRead> {
  const read: TimelineRead = { entries: 0, skipped: 0, missing: false };
  const input = createReadStream(path);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) {
      if (!line.trim()) continue;
      const e = entryOf(line);
      if (e) {
        read.entries++;
        each(e);
      } else read.skipped++;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    read.missing = true;
  }
  return read;
}

/** Every entry of a timeline.jsonl, for readers that want them all (tests, a short soak's bench). */
export async function readTimelineEntries(path: string): Promise<TimelineEntry[]> {
  const all: TimelineEntry[] = [];
  await readTimeline(path, (e) => all.push(e));
  return all;
}

function entryOf(line: string): TimelineEntry | undefined {
  let e: unknown;
  try {
    e = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof e !== "object" || e === null) return undefined;
  const { t, rps } = e as Record<string, unknown>;
  return Number.isFinite(t) && Number.isFinite(rps) ? (e as TimelineEntry) : undefined;
}
