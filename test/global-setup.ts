// Builds the clean kernel once for the whole test run and hands its path to the tests;
// opens /dev/net/tun as a runner has it (tun-mode.ts); after the run, says what the tests
// left in the temp folder.
import { readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import type { TestProject } from "vitest/node";
import { buildKernel } from "../kernel/build.ts";
import { openTunAsUdevDoes } from "./tun-mode.ts";

declare module "vitest" {
  export interface ProvidedContext {
    kernelElf: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const before = new Set(await readdir(tmpdir()));
  const { elf, seconds, reused } = await buildKernel();
  console.log(`global-setup: ${reused ? "kept" : "built"} ${elf} in ${seconds.toFixed(1)} s`);
  project.provide("kernelElf", elf);
  const closeTun = await openTunAsUdevDoes();
  return async () => {
    await closeTun();
    // tsx-<uid> is tsx's compile cache, kept across runs by design
    const left = (await readdir(tmpdir())).filter((e) => !before.has(e) && !/^tsx-\d+$/.test(e));
    // A warning only: other programs may use the temp folder too (.ci/run checks a folder of its own)
    if (left.length) console.warn(`global-setup: new in ${tmpdir()} after the tests: ${left.slice(0, 20).join(", ")}`);
  };
}
