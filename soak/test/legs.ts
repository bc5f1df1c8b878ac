// Three real report folders, as the legs of a sharded soak leave them: two clean legs and
// one whose kernel faults (the seed's PF dump, on the kernel command line). Made by the
// CLI against real QEMU; removed after the test file (tempDir).
import { join } from "node:path";
import { expect } from "vitest";
import { cli, tempDir } from "./cli-run.ts";

export const LEGS: [name: string, args: string[], exit: number][] = [
  ["leg-a", ["--requests", "20000", "--connections", "10"], 0],
  ["leg-b-fault", ["--requests", "500000", "--append", "fault=pf fault_after_ms=1500"], 1],
  ["leg-c-churn", ["--requests", "20000", "--churn", "50"], 0],
];

export async function soakLegs(elf: string): Promise<string[]> {
  const root = await tempDir("soak-legs-");
  const dirs: string[] = [];
  for (const [name, args, exit] of LEGS) {
    const out = join(root, name);
    const { code, stderr } = await cli(["--kernel", elf, "--accel", "tcg", "--out", out, ...args]).done;
    expect(code, `${name}: ${stderr}`).toBe(exit);
    dirs.push(out);
  }
  return dirs;
}
