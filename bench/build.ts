// The kernel build from scratch beside the build the engine keeps (inputs unchanged):
// what every CLI soak, test run and benchmark pays before the guest boots.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildKernel } from "../kernel/build.ts";

export interface BuildTimes {
  fullS: number[];
  keptS: number[];
}

export async function timeBuilds(runs: number): Promise<BuildTimes> {
  const outDir = await mkdtemp(join(tmpdir(), "bench-build-"));
  try {
    const times: BuildTimes = { fullS: [], keptS: [] };
    for (let i = 0; i < runs; i++) {
      times.fullS.push((await buildKernel({ outDir, force: true })).seconds);
      const kept = await buildKernel({ outDir });
      if (!kept.reused) throw new Error("the second build of unchanged inputs was not kept");
      times.keptS.push(kept.seconds);
    }
    return times;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
