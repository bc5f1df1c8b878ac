// The timeline: each entry appended to timeline.jsonl as the soak goes, so an hours-long
// soak's entries never sit in memory and a cancelled soak's file holds all it saw; a
// bounded, evenly thinned copy stays in memory for the summary's charts.
import { createWriteStream, type WriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
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
