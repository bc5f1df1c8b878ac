// The action's compare mode (input `compare-to`, for pull_request workflows): the kernel
// the step prepared (the head) against `compare-to`, a kernel path or a git ref built
// with build-command into the `kernel` path. Only maps the inputs and publishes: the
// rounds, statistics and report are soak/compare's.
import { access, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import * as core from "@actions/core";
import {
  changeText,
  compare,
  DEFAULTS,
  type KernelUnderTest,
  logLine,
  optionsToArgv,
  parseCompare,
  UsageError,
} from "../soak/index.ts";
import type { ActionConfig } from "./inputs.ts";
import { reportStopped, upload } from "./outcome.ts";
import { fitToLimit } from "./summary.ts";

/** compare's flags for `compare-to`: an existing file is kernel A, anything else a ref to build. */
async function baseFlags(config: ActionConfig, workspace: string): Promise<string[]> {
  const to = config.compareTo;
  const isFile = await access(resolve(workspace, to)).then(
    () => true,
    () => false,
  );
  if (isFile) return ["--base", resolve(workspace, to)];
  if (!config.buildCommand || !config.options.kernel)
    throw new UsageError(
      `input 'compare-to': "${to}" is no file, so it is a git ref to build, which needs input 'build-command' and input 'kernel' (the path it builds)`,
    );
  return [
    "--base-ref",
    to,
    "--build-command",
    config.buildCommand,
    "--kernel",
    config.options.kernel,
    "--repo",
    workspace,
  ];
}

export async function runCompare(
  config: ActionConfig,
  head: KernelUnderTest,
  outDir: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
): Promise<void> {
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  let input: ReturnType<typeof parseCompare>;
  try {
    // the soak inputs as flags, without the kernel (it is the head) and the folder (compare's own)
    const soak = optionsToArgv({ ...config.options, kernel: undefined, fault: undefined, out: DEFAULTS.out });
    input = parseCompare(
      [...(await baseFlags(config, workspace)), "--head", head.elf, "--out", outDir, ...soak],
      core.info,
      signal,
    );
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return reportStopped("reading the inputs", err.message, "Fix the input named above in the workflow's `with:`.");
  }
  let result: Awaited<ReturnType<typeof compare>>;
  try {
    result = await core.group("Compare", () => compare(input));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    return reportStopped("comparing", err.message, "See the log group 'Compare'.", outDir);
  }
  const v = result.verdict;
  core.setOutput("verdict", v.kind);
  core.setOutput("report-dir", outDir);
  const failed = v.exitCode !== 0;
  const artifact = await upload(config, outDir, env, failed);
  const summary = await readFile(join(outDir, "summary.md"), "utf8");
  const link = artifact ? `\nArtifact: ${artifact.url ?? artifact.name} (each round's report under rounds/)\n` : "";
  await core.summary.addRaw(fitToLimit(`${summary}${link}`)).write();
  core.saveState("done", "true");
  if (failed) {
    core.setFailed(logLine(`Compare verdict: ${v.kind}: ${v.reasons[0] ?? ""}`));
    process.exitCode = v.exitCode;
  } else for (const m of result.metrics.filter((x) => x.gated)) core.info(logLine(changeText(m)));
}
