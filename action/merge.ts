// The action's merge mode (input `merge: PATTERN`): after the legs of a sharded soak (a
// matrix, each leg uploading its report with `upload: always`), one job downloads this
// run's artifacts whose names match PATTERN, merges them (soak/merge) into one summary,
// sets the outputs and fails if any leg failed.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as core from "@actions/core";
import { logLine, mergeFolders, UsageError } from "../soak/index.ts";
import { artifactUrl } from "./artifact.ts";
import { reportStopped } from "./outcome.ts";
import { fitToLimit } from "./summary.ts";

/** The part of @actions/artifact's client this uses. */
export interface ArtifactDownloader {
  listArtifacts(options?: { latest?: boolean }): Promise<{ artifacts: { id: number; name: string }[] }>;
  downloadArtifact(id: number, options?: { path?: string }): Promise<{ downloadPath?: string }>;
}

/** "unikernel-soak-*" → a RegExp over whole names (`*` any run of characters, `?` one). */
export function namePattern(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

export async function runMerge(pattern: string, client: ArtifactDownloader, env = process.env): Promise<void> {
  const wanted = namePattern(pattern);
  const all = (await client.listArtifacts({ latest: true })).artifacts;
  // a leg cancelled before its main step ended uploads NAME-partial: merged too, it is a leg's report
  const legs = all.filter((a) => wanted.test(a.name)).sort((a, b) => a.name.localeCompare(b.name));
  if (legs.length === 0)
    return reportStopped(
      "merging",
      `no artifact of this run matches "${pattern}" (this run has ${all.length ? all.map((a) => a.name).join(", ") : "none"})`,
      "Give each leg `upload: always`, run the merge job after them (`needs:` the soak job, `if: always()`), and set `merge:` to their `artifact-name` followed by `-*`.",
    );
  const root = await mkdtemp(join(env.RUNNER_TEMP ?? tmpdir(), "unikernel-soak-merge-"));
  const dirs: string[] = [];
  const labels = new Map<string, { name: string; link?: string }>();
  for (const a of legs) {
    const dir = join(root, "legs", a.name);
    core.info(`downloading ${a.name} (artifact ${a.id})`);
    await client.downloadArtifact(a.id, { path: dir });
    dirs.push(dir);
    labels.set(dir, { name: a.name, link: artifactUrl(a.id, env) });
  }
  let merged: Awaited<ReturnType<typeof mergeFolders>>;
  const out = join(root, "merged");
  try {
    merged = await mergeFolders(dirs, out, (d) => labels.get(d) ?? {});
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return reportStopped("merging", err.message, "Each artifact merged must be a report folder of this action.", out);
  }
  core.setOutput("verdict", merged.verdict.kind);
  core.setOutput("requests", String(merged.requests));
  core.setOutput("rps", String(merged.rps));
  core.setOutput("report-dir", out);
  await core.summary.addRaw(fitToLimit(await readFile(join(out, "summary.md"), "utf8"))).write();
  if (merged.verdict.kind !== "pass") {
    const first = merged.firstFailure;
    core.setFailed(
      logLine(
        `Sharded soak verdict: ${merged.verdict.kind} (${merged.legs.filter((l) => l.verdict !== "pass").length} of ${merged.legs.length} legs failed)${first ? `; first: ${first.reason.message}` : ""}`,
      ),
    );
    process.exitCode = merged.verdict.exitCode;
  }
}
