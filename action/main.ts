// The GitHub Action: inputs -> engine options, runner preparation, the soak, then
// the job summary, one annotation at the faulting source line, the artifact and
// the outputs. Everything about soaking lives in soak/; this file only adapts.
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DefaultArtifactClient } from "@actions/artifact";
import * as cache from "@actions/cache";
import * as core from "@actions/core";
import { kernelUnderTest } from "../kernel/bundled.ts";
import type { Report } from "../soak/report/types.ts";
import { runSoak } from "../soak/run.ts";
import { withAptCache } from "./apt-cache.ts";
import { uniqueArtifactName, uploadReport } from "./artifact.ts";
import { InputError, readInputs } from "./inputs.ts";
import { prepareRunner, sh } from "./runner.ts";
import { jobSummary } from "./summary.ts";

function setOutputs(report: Report, outDir: string): void {
  core.setOutput("verdict", report.verdict.kind);
  core.setOutput("report-dir", outDir);
  if (report.load) {
    core.setOutput("requests", String(report.load.requests));
    core.setOutput("rps", String(Math.round(report.load.rps)));
    core.setOutput("p99-ms", String(report.load.latencyMs.p99));
  }
  if (report.crash) {
    core.setOutput("fault-title", report.crash.title);
    const at = report.crash.asSource;
    core.setOutput("fault-location", at ? `${at.file}:${at.line}` : (report.crash.source ?? ""));
  }
}

export async function run(env = process.env): Promise<void> {
  const outDir = join(
    env.RUNNER_TEMP ?? tmpdir(),
    `unikernel-soak-${env.GITHUB_RUN_ID ?? "local"}-${env.GITHUB_JOB ?? "job"}`,
  );
  let config: ReturnType<typeof readInputs>;
  try {
    config = readInputs((name) => core.getInput(name), outDir);
  } catch (err) {
    if (err instanceof InputError) return core.setFailed(err.message);
    throw err;
  }
  core.saveState("out", outDir);

  await core.group("Prepare the runner", () => {
    const prepare = (aptDir?: string) => prepareRunner(!config.options.kernel, core.info, aptDir);
    if (!cache.isFeatureAvailable()) {
      core.info("no GitHub cache service here: apt packages come from the mirrors");
      return prepare();
    }
    const log = { info: core.info, warning: (line: string) => core.warning(line) };
    return withAptCache(cache, join(env.RUNNER_TEMP ?? tmpdir(), "unikernel-soak-apt"), env, prepare, log);
  });
  if (config.buildCommand) {
    await core.group("Build the kernel", () => sh("sh", ["-c", config.buildCommand], core.info, env.GITHUB_WORKSPACE));
  }

  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once("SIGINT", cancel);
  process.once("SIGTERM", cancel);
  let lastProgress = 0;
  const kernel = await kernelUnderTest(config.options.kernel, config.options.fault, core.info);
  const report = await core.group("Soak", () =>
    runSoak(config.options, kernel, {
      command: `npx unikernel-soak ${config.options.kernel ? `--kernel ${config.options.kernel} ` : ""}--requests ${config.options.requests}`,
      signal: controller.signal,
      log: (line) => core.info(line),
      progress: (p) => {
        if (p.elapsedS - lastProgress < 10) return;
        lastProgress = p.elapsedS;
        core.info(
          `${p.requests}/${p.asked} requests, ${p.rps} req/s, health ${p.healthMs ?? "-"} ms, tx_stalls ${p.txStalls ?? "?"}`,
        );
      },
    }),
  );
  if (report.accel.refused)
    core.warning(`The soak ran under TCG (software emulation): ${report.accel.refused}`, { title: "No KVM" });
  setOutputs(report, outDir);

  const failed = report.verdict.kind !== "pass";
  let artifact: { id?: number; name: string } | undefined;
  if (config.upload === "always" || (config.upload === "on-failure" && failed)) {
    try {
      const name = uniqueArtifactName(config.artifactName, env);
      artifact = await uploadReport(new DefaultArtifactClient(), name, outDir, config.retentionDays);
      core.saveState("uploaded", "true");
      if (artifact.id !== undefined) core.setOutput("artifact-id", String(artifact.id));
    } catch (err) {
      core.warning(`Could not upload the report: ${(err as Error).message}`);
    }
  }
  const url =
    artifact?.id !== undefined && env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/artifacts/${artifact.id}`
      : undefined;
  const summaryMd = await readFile(join(outDir, "summary.md"), "utf8").catch(() => "");
  await core.summary.addRaw(jobSummary(report, summaryMd, artifact ? { name: artifact.name, url } : undefined)).write();

  if (report.crash?.asSource) {
    core.error(`${report.crash.title}\n${report.crash.lines.join("\n")}`, {
      title: "unikernel-soak: kernel crash",
      file: report.crash.asSource.file,
      startLine: report.crash.asSource.line,
    });
  }
  core.saveState("done", "true");
  if (failed) {
    const why = report.verdict.reasons[0]?.message ?? report.verdict.kind;
    core.setFailed(`Soak verdict: ${report.verdict.kind}${report.crash ? ` — ${report.crash.title}` : ""}: ${why}`);
  }
}
