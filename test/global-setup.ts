// Builds the clean kernel once for the whole test run and hands its path to the tests;
// after the run, says what the tests left in the temp folder.
import type { TestProject } from "vitest/node";
import { buildKernel } from "../kernel/build.ts";
import { tempFolderCheck } from "./tmp-check.ts";

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
  return check;
}
