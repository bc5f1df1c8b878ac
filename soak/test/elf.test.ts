import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfInfo } from "../elf.ts";
import { tempDir } from "./cli-run.ts";

describe("readElfInfo", () => {
  it("refuses a file that is not an ELF, naming it", async () => {
    const path = join(await tempDir("soak-elf-"), "not-an-elf.txt");
    await writeFile(path, "hello, I am text\n".repeat(8));
    await expect(readElfInfo(path)).rejects.toThrow(`${path} is not an ELF file`);
  });

  it("refuses a missing file with the reason", async () => {
    await expect(readElfInfo("/nonexistent/kernel.elf")).rejects.toThrow(/cannot read kernel .*ENOENT/);
  });

  it("refuses a 64-bit ELF for another machine", async () => {
    const path = join(await tempDir("soak-elf-"), "arm.elf");
    const buf = Buffer.alloc(64);
    buf.writeUInt32BE(0x7f454c46, 0);
    buf[4] = 2;
    buf[5] = 1;
    buf.writeUInt16LE(183, 18); // EM_AARCH64
    await writeFile(path, buf);
    await expect(readElfInfo(path)).rejects.toThrow(/not an x86-64 ELF/);
  });
});
