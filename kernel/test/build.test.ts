// The kernel build is reproducible, is kept while its inputs are unchanged, and
// refuses what it does not know.
import { appendFile, cp, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { readElfInfo } from "../../soak/index.ts";
import { buildKernel } from "../build.ts";
import { inputsDigest } from "../build-cache.ts";

const KERNEL_DIR = resolve(import.meta.dirname, "..");
const made: string[] = [];
const tempDir = async (prefix: string) => {
  const d = await mkdtemp(join(tmpdir(), prefix));
  made.push(d);
  return d;
};
afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

describe("kernel build", () => {
  // three full builds: about 8 s each on an idle machine, minutes when other tests boot VMs
  it("gives the same ELF build-id in two folders, keeps it while the inputs are unchanged", {
    timeout: 400_000,
  }, async () => {
    const dirA = await tempDir("kbuild-a-");
    const a = await buildKernel({ outDir: dirA });
    const b = await buildKernel({ outDir: await tempDir("kbuild-b-") });
    const [ia, ib] = await Promise.all([readElfInfo(a.elf), readElfInfo(b.elf)]);
    expect(ia.pvhEntry).toBe(true);
    expect(ia.buildId).toMatch(/^[0-9a-f]{40}$/);
    expect(ib.buildId).toBe(ia.buildId);
    // and the same as the one built inside the repository (its work folder is under the root there)
    expect((await readElfInfo(inject("kernelElf"))).buildId).toBe(ia.buildId);
    expect([a.reused, b.reused]).toEqual([false, false]);

    expect((await buildKernel({ outDir: dirA })).reused).toBe(true);
    await writeFile(`${a.elf}.inputs`, `${"0".repeat(64)}\n`); // as if a source had changed
    const rebuilt = await buildKernel({ outDir: dirA });
    expect(rebuilt.reused).toBe(false);
    expect((await readElfInfo(rebuilt.elf)).buildId).toBe(ia.buildId);
  });

  it("digests every source, asset and switch the ELF is made from", async () => {
    const copy = await tempDir("kbuild-src-");
    await cp(KERNEL_DIR, copy, { recursive: true, filter: (src) => !src.includes(`${KERNEL_DIR}/build/`) });
    const base = await inputsDigest(copy, []);
    expect(await inputsDigest(KERNEL_DIR, [])).toBe(base);
    expect(await inputsDigest(copy, ["--use", "FAULT_RESET=1"])).not.toBe(base);
    let before = base;
    for (const file of ["platform/rep.h", "src/net/tcp.ts", "assets/style.css", "build.ts"]) {
      await appendFile(join(copy, file), "\n");
      const after = await inputsDigest(copy, []);
      expect(after, file).not.toBe(before);
      before = after;
    }
  });

  it("two builds of the same kernel in one folder at once both succeed, and leave no work folder", async () => {
    const dir = await tempDir("kbuild-race-");
    const [a, b] = await Promise.all([buildKernel({ outDir: dir }), buildKernel({ outDir: dir })]);
    expect((await readElfInfo(a.elf)).buildId).toBe((await readElfInfo(b.elf)).buildId);
    expect((await readdir(dir)).sort()).toEqual(["kernel.elf", "kernel.elf.inputs"]);
  });

  it("names the known switches when asked for an unknown fault", async () => {
    await expect(buildKernel({ fault: "no-such-fault" })).rejects.toThrow(/unknown fault 'no-such-fault'; known: /);
  });
});
