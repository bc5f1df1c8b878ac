// After the soak: outputs, the job summary, one annotation for a crash, the artifact,
// and the step's result. The step exits with the verdict's code, as the CLI does
// (0 pass, 1 the kernel failed, 2 an error), which is what the summary says.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DefaultArtifactClient } from "@actions/artifact";
import * as core from "@actions/core";
import { type KernelUnderTest, logLine, logLines, type Report } from "../soak/index.ts";
import { artifactUrl, uniqueArtifactName, uploadReport } from "./artifact.ts";
import type { ActionConfig } from "./inputs.ts";
import { sourcePlace } from "./source-link.ts";
import { jobSummary, stoppedSummary } from "./summary.ts";

function setOutputs(report: Report, outDir: string): void {
  core.setOutput("verdict", report.verdict.kind);
  core.setOutput("report-dir", outDir);
  if (report.load) {
    core.setOutput("requests", String(report.load.requests));
    core.setOutput("rps", String(Math.round(report.load.rps)));
    core.setOutput("p99-ms", String(report.load.latencyMs.p99));
  }
  if (report.crash) {
    // workflows interpolate these: one line, neutralised
    core.setOutput("fault-title", logLine(report.crash.title));
    const at = report.crash.asSource;
    core.setOutput("fault-location", logLine(at ? `${at.file}:${at.line}` : (report.crash.source ?? "")));
  }
}

export async function upload(config: ActionConfig, outDir: string, env: NodeJS.ProcessEnv, failed: boolean) {
  if (!(config.upload === "always" || (config.upload === "on-failure" && failed))) return undefined;
  try {
    const name = uniqueArtifactName(config.artifactName, env);
    const artifact = await uploadReport(new DefaultArtifactClient(), name, outDir, config.retentionDays);
    core.saveState("uploaded", "true");
    if (artifact.id !== undefined) core.setOutput("artifact-id", String(artifact.id));
    return { name: artifact.name, url: artifactUrl(artifact.id, env) };
  } catch (err) {
    core.warning(`Could not upload the report: ${(err as Error).message}`);
    return undefined;
  }
}

/** Reword the engine's flag names as the inputs that set them. */
const asInputs = (message: string) => message.replace(/--([a-z-]+)/g, "input '$1'");

export async function reportOutcome(
  report: Report,
  config: ActionConfig,
  kernel: KernelUnderTest,
  outDir: string,
  env: NodeJS.ProcessEnv,
  /** what repro-budget's repro found, for the summary */
  repro?: string,
): Promise<void> {
  if (report.accel.refused)
    core.warning(`The soak ran under TCG (software emulation): ${report.accel.refused}`, { title: "No KVM" });
  setOutputs(report, outDir);
  const failed = report.verdict.kind !== "pass";
  const artifact = await upload(config, outDir, env, failed);
  const place = await sourcePlace(report.crash?.asSource, kernel, env);
  const summaryMd = await readFile(join(outDir, "summary.md"), "utf8").catch(() => "");
  await core.summary.addRaw(jobSummary(report, summaryMd, { artifact, sourceLink: place.link, repro })).write();

  if (report.crash) {
    const lines = [report.crash.title, ...report.crash.lines, ...(place.link ? [`source: ${place.link}`] : [])];
    core.error(logLines(lines.join("\n")), {
      title: "unikernel-soak: kernel crash",
      ...(place.annotation && { file: logLine(place.annotation.file), startLine: place.annotation.line }),
    });
  }
  core.saveState("done", "true");
  if (failed) {
    let why = asInputs(report.verdict.reasons[0]?.message ?? report.verdict.kind);
    if (config.requireKvm && /KVM cannot be used/.test(why))
      why = `require-kvm is true, but KVM cannot be used on this runner: ${why.replace(/^.*KVM cannot be used: /, "")}. Use a runner with KVM, or set require-kvm: false to soak under TCG.`;
    core.setFailed(
      logLine(`Soak verdict: ${report.verdict.kind}${report.crash ? ` — ${report.crash.title}` : ""}: ${why}`),
    );
    process.exitCode = report.verdict.exitCode;
  }
}

/** A run that stopped before the soak: verdict error, a summary saying why, exit 2. */
export async function reportStopped(stage: string, message: string, hint: string, outDir?: string): Promise<void> {
  core.setOutput("verdict", "error");
  if (outDir) core.setOutput("report-dir", outDir);
  await core.summary.addRaw(stoppedSummary(stage, message, hint)).write();
  core.setFailed(logLine(`unikernel-soak stopped while ${stage}: ${message}`));
  process.exitCode = 2;
}
