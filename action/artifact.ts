// Uploading the report directory as an artifact, under a name unique per job,
// matrix leg and attempt, so re-runs and matrix legs never collide (no 409).
import { createHash, randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** The part of @actions/artifact's client this uses (a fake stands in for it in tests). */
export interface ArtifactUploader {
  uploadArtifact(
    name: string,
    files: string[],
    rootDirectory: string,
    options?: { retentionDays?: number },
  ): Promise<{ id?: number; size?: number }>;
}

/**
 * `<base>-<job>-<leg>-attempt<n>`: the leg is a short hash of this step's inputs and
 * the runner, which is what tells matrix legs apart.
 */
export function uniqueArtifactName(base: string, env: NodeJS.ProcessEnv): string {
  const inputs = Object.entries(env)
    .filter(([k]) => k.startsWith("INPUT_"))
    .sort(([a], [b]) => a.localeCompare(b));
  const leg = createHash("sha256")
    .update(JSON.stringify([inputs, env.RUNNER_NAME ?? "", env.RUNNER_OS ?? "", env.GITHUB_ACTION ?? ""]))
    .digest("hex")
    .slice(0, 8);
  return `${base}-${env.GITHUB_JOB ?? "job"}-${leg}-attempt${env.GITHUB_RUN_ATTEMPT ?? "1"}`;
}

/**
 * The report folder of this use of the action: one per run attempt, job and step
 * (GITHUB_ACTION is the step's id, or `__owner_repo`, `__owner_repo_2`, … for steps without
 * one), so two uses in one job never share a folder.
 */
export function stepFolderName(env: NodeJS.ProcessEnv): string {
  const parts = [
    env.GITHUB_RUN_ID ?? "local",
    env.GITHUB_RUN_ATTEMPT ?? "1",
    env.GITHUB_JOB ?? "job",
    env.GITHUB_ACTION ?? "step",
  ];
  return `unikernel-soak-${parts.map((p) => p.replace(/[^A-Za-z0-9_.-]/g, "_")).join("-")}`;
}

/** The artifact's page on GitHub, when the run is known. */
export function artifactUrl(id: number | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (id === undefined || !env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return undefined;
  return `${env.GITHUB_SERVER_URL || "https://github.com"}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${id}`;
}

export async function uploadReport(
  client: ArtifactUploader,
  name: string,
  dir: string,
  retentionDays?: number,
): Promise<{ id?: number; name: string }> {
  // recursive: a repro (repro-budget) writes repro/ with a report per attempt
  const files = (await readdir(dir, { withFileTypes: true, recursive: true }))
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? d.path, d.name));
  try {
    const { id } = await client.uploadArtifact(name, files, dir, { retentionDays });
    return { id, name };
  } catch (err) {
    // Two legs with identical inputs on one runner name: take another name rather than fail.
    if (!/409|already exists|conflict/i.test((err as Error).message)) throw err;
    const other = `${name}-${randomBytes(3).toString("hex")}`;
    const { id } = await client.uploadArtifact(other, files, dir, { retentionDays });
    return { id, name: other };
  }
}
