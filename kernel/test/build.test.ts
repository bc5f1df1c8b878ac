// The kernel build is reproducible and refuses what it does not know.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readElfInfo } from "../../soak/elf.ts";
import { buildKernel } from "../build.ts";

describe("kernel build", () => {
  it("gives the same ELF build-id in two different folders", async () => {
    const a = await buildKernel({ outDir: await mkdtemp(join(tmpdir(), "kbuild-a-")) });
    const b = await buildKernel({ outDir: await mkdtemp(join(tmpdir(), "kbuild-b-")) });
    const [ia, ib] = await Promise.all([readElfInfo(a.elf), readElfInfo(b.elf)]);
    expect(ia.pvhEntry).toBe(true);
    expect(ia.buildId).toMatch(/^[0-9a-f]{40}$/);
    expect(ib.buildId).toBe(ia.buildId);
  });

  it("names the known switches when asked for an unknown fault", async () => {
    await expect(buildKernel({ fault: "no-such-fault" })).rejects.toThrow(/unknown fault 'no-such-fault'; known: /);
  });
});
