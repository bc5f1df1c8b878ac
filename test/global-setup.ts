// Builds the clean kernel once for the whole test run and hands its path to the tests,
// opens /dev/net/tun as a runner has it (tun-mode.ts); after the run, puts it back and says
// what the tests left in the temp folder.
import type { TestProject } from "vitest/node";
import { buildKernel } from "../kernel/build.ts";
import { tempFolderCheck } from "./tmp-check.ts";
import { openTunAsUdevDoes } from "./tun-mode.ts";

declare module "vitest" {
  export interface ProvidedContext {
    kernelElf: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const check = await tempFolderCheck();
  const { elf, seconds, reused } = await buildKernel();
  console.log(`global-setup: ${reused ? "kept" : "built"} ${elf} in ${seconds.toFixed(1)} s`);
  project.provide("kernelElf", elf);
  const closeTun = await openTunAsUdevDoes();
  return async () => {
    await closeTun();
    await check();
  };
}
