import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ArtifactUploader, stepFolderName, uniqueArtifactName, uploadReport } from "../artifact.ts";

const made: string[] = [];
afterEach(async () => {
  for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
});

const env = { GITHUB_JOB: "soak", GITHUB_RUN_ATTEMPT: "1", RUNNER_NAME: "runner 7", INPUT_CONNECTIONS: "50" };

describe("artifact names", () => {
  it("are unique per job, matrix leg and attempt", () => {
    const a = uniqueArtifactName("unikernel-soak", env);
    expect(a).toMatch(/^unikernel-soak-soak-[0-9a-f]{8}-attempt1$/);
    expect(uniqueArtifactName("unikernel-soak", { ...env, GITHUB_RUN_ATTEMPT: "2" })).not.toBe(a);
    expect(uniqueArtifactName("unikernel-soak", { ...env, INPUT_CONNECTIONS: "256" })).not.toBe(a); // another leg
    expect(uniqueArtifactName("unikernel-soak", { ...env, GITHUB_JOB: "nightly" })).not.toBe(a);
    expect(uniqueArtifactName("unikernel-soak", { ...env, GITHUB_ACTION: "__quartz_unikernel-soak_2" })).not.toBe(a); // a second use in the job
    expect(uniqueArtifactName("unikernel-soak", { ...env })).toBe(a); // stable
  });
});

describe("the report folder", () => {
  it("is one per run attempt, job and step, and a name of plain characters", () => {
    const step = {
      GITHUB_RUN_ID: "42",
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_JOB: "job",
      GITHUB_ACTION: "__quartz_unikernel-soak",
    };
    const a = stepFolderName(step);
    expect(a).toBe("unikernel-soak-42-1-job-__quartz_unikernel-soak");
    // the second use of the action in the job; and a job whose name the first's is a prefix of
    expect(stepFolderName({ ...step, GITHUB_ACTION: "__quartz_unikernel-soak_2" })).not.toBe(a);
    expect(stepFolderName({ ...step, GITHUB_JOB: "job2" })).not.toBe(a);
    expect(stepFolderName({ ...step, GITHUB_RUN_ATTEMPT: "2" })).not.toBe(a);
    expect(stepFolderName({ ...step, GITHUB_JOB: "a/../b c" })).toBe(
      "unikernel-soak-42-1-a_.._b_c-__quartz_unikernel-soak",
    );
  });
});

describe("upload", () => {
  async function reportDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "artifact-"));
    made.push(dir);
    await writeFile(join(dir, "report.json"), "{}");
    await writeFile(join(dir, "serial.log"), "ready\n");
    await mkdir(join(dir, "repro", "attempts", "001-confirm"), { recursive: true });
    await writeFile(join(dir, "repro", "attempts", "001-confirm", "report.json"), "{}");
    return dir;
  }

  it("uploads every file of the report directory, a repro's included, with the retention asked", async () => {
    const calls: unknown[][] = [];
    const client: ArtifactUploader = {
      uploadArtifact: async (...args) => {
        calls.push(args);
        return { id: 42 };
      },
    };
    const dir = await reportDir();
    expect(await uploadReport(client, "n", dir, 7)).toEqual({ id: 42, name: "n" });
    expect(calls[0][0]).toBe("n");
    expect((calls[0][1] as string[]).sort()).toEqual([
      join(dir, "report.json"),
      join(dir, "repro/attempts/001-confirm/report.json"),
      join(dir, "serial.log"),
    ]);
    expect(calls[0][2]).toBe(dir);
    expect(calls[0][3]).toEqual({ retentionDays: 7 });
  });

  it("takes another name on a 409 conflict instead of failing", async () => {
    const names: string[] = [];
    const client: ArtifactUploader = {
      uploadArtifact: async (name) => {
        names.push(name);
        if (names.length === 1)
          throw new Error("Failed request: (409) Conflict: an artifact with this name already exists");
        return { id: 43 };
      },
    };
    const r = await uploadReport(client, "n", await reportDir());
    expect(names).toHaveLength(2);
    expect(r.name).toMatch(/^n-[0-9a-f]{6}$/);
    expect(r.id).toBe(43);
  });

  it("passes other errors on", async () => {
    const client: ArtifactUploader = { uploadArtifact: async () => Promise.reject(new Error("network down")) };
    await expect(uploadReport(client, "n", await reportDir())).rejects.toThrow("network down");
  });
});
