// The serial follower stops cleanly while a read is under way: it waits for that read,
// reads what came after, and only then closes the file (it once closed it under the read,
// and the EBADF ended the process; repro, which runs soak after soak, hit it).
import { appendFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { SerialTail } from "../vm/serial.ts";

let dir: string;
afterEach(() => rm(dir, { recursive: true, force: true }));

it("stop() during a read: no error, and every line written before stop is read", async () => {
  dir = await mkdtemp(join(tmpdir(), "serial-"));
  const file = join(dir, "serial.log");
  // enough for many reads of 64 KiB, so stop() comes while they go on
  const lines = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${"x".repeat(60)}`);
  await writeFile(file, `${lines.join("\n")}\n`);
  const tail = new SerialTail(file, lines.length + 10);
  await tail.start();
  const reading = tail.poll();
  await appendFile(file, "last");
  await tail.stop();
  await reading;
  expect(tail.lines).toHaveLength(lines.length + 1);
  expect(tail.lines.at(-1)?.text).toBe("last");
});
