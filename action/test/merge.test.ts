// The action's merge mode over the artifact service's local stand-in: three real legs'
// report folders (one failed) uploaded as this run's artifacts with @actions/artifact,
// then listed, downloaded and merged into one summary that names the failed leg.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DefaultArtifactClient } from "@actions/artifact";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { tempDir } from "../../soak/test/cli-run.ts";
import { LEGS, soakLegs } from "../../soak/test/legs.ts";
import { uploadReport } from "../artifact.ts";
import { runMerge } from "../merge.ts";
import { type ArtifactService, startArtifactService } from "./artifact-service.ts";

const elf = inject("kernelElf");
let service: ArtifactService;
let files: { summary: string; output: string };
const saved = { ...process.env };

beforeAll(async () => {
  service = await startArtifactService(100);
  const dir = await tempDir("merge-action-");
  files = { summary: join(dir, "summary.md"), output: join(dir, "output.txt") };
  Object.assign(process.env, service.env, {
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_OUTPUT: files.output,
    RUNNER_TEMP: dir,
    GITHUB_REPOSITORY: "quartz/kernel",
    GITHUB_RUN_ID: "77",
    GITHUB_SERVER_URL: "https://github.com",
  });
  const dirs = await soakLegs(elf);
  for (const [i, d] of dirs.entries())
    await uploadReport(new DefaultArtifactClient(), `unikernel-soak-${LEGS[i][0]}`, d);
  await uploadReport(new DefaultArtifactClient(), "other-report", dirs[0]); // not a leg
}, 300_000);

afterAll(async () => {
  process.env = saved;
  process.exitCode = undefined;
  await service?.close();
});

async function merge(pattern: string) {
  await writeFile(files.summary, "");
  await writeFile(files.output, "");
  process.exitCode = undefined;
  await runMerge(pattern, new DefaultArtifactClient());
  const code = process.exitCode;
  process.exitCode = undefined;
  return { code, summary: await readFile(files.summary, "utf8"), outputs: await readFile(files.output, "utf8") };
}

describe("the action's merge mode", () => {
  it("downloads this run's legs by name, fails with the failed leg's verdict and links its artifact", async () => {
    const { code, summary, outputs } = await merge("unikernel-soak-*");
    expect(code).toBe(1);
    expect(summary).toMatch(/^# Sharded soak ❌ crash — 3 legs, 1 failed/);
    expect(summary).toContain("**First failure**: leg `unikernel-soak-leg-b-fault`");
    const failed = service.artifacts.get("unikernel-soak-leg-b-fault")?.id;
    expect(summary).toContain(
      `Triage: \`triage.md\` in [the artifact](https://github.com/quartz/kernel/actions/runs/77/artifacts/${failed})`,
    );
    expect(summary).not.toContain("other-report");
    expect(outputs).toMatch(/verdict<<\S+\ncrash\n/);
    expect(service.calls.filter((c) => c.method === "GetSignedArtifactURL")).toHaveLength(3);
  });

  it("says what to do when no artifact matches", async () => {
    const { code, summary } = await merge("nothing-*");
    expect(code).toBe(2);
    expect(summary).toContain('no artifact of this run matches "nothing-\\*"'); // Markdown-escaped
    expect(summary).toContain("upload: always");
  });
});
