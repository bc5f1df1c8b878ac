// The GitHub Action: inputs -> engine options, the runner and kernel prepared, the
// soak, then the outcome (outputs, summary, annotation, artifact). Everything about
// soaking lives in soak/; this file only puts the stages in order.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DefaultArtifactClient } from "@actions/artifact";
import * as core from "@actions/core";
import { progressDue, progressLine, reproduceCommand, runSoak, VERSION } from "../soak/index.ts";
import { stepFolderName } from "./artifact.ts";
import { runCompare } from "./compare.ts";
import { guestLogGroup } from "./guest-log.ts";
import { InputError, readInputs } from "./inputs.ts";
import { runMerge } from "./merge.ts";
import { reportOutcome, reportStopped } from "./outcome.ts";
import { prepare, StageError } from "./prepare.ts";
import { reproAfterFailure } from "./repro.ts";

export async function run(env = process.env): Promise<void> {
  const outDir = join(env.RUNNER_TEMP ?? tmpdir(), stepFolderName(env));
  const controller = new AbortController();
  const cancel = () => controller.abort();
  process.once("SIGINT", cancel);
  process.once("SIGTERM", cancel);

  const mergePattern = core.getInput("merge").trim();
  if (mergePattern) return runMerge(mergePattern, new DefaultArtifactClient(), env);

  let config: ReturnType<typeof readInputs>;
  try {
    config = readInputs((name) => core.getInput(name), outDir);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return reportStopped("reading the inputs", err.message, "Fix the input named above in the workflow's `with:`.");
  }
  core.saveState("out", outDir);

  let kernel: Awaited<ReturnType<typeof prepare>>;
  try {
    kernel = await prepare(config, env);
  } catch (err) {
    if (!(err instanceof StageError)) throw err;
    return reportStopped(err.stage, err.message, err.hint);
  }
  if (controller.signal.aborted) return reportStopped("preparing", "cancelled before the soak started", "");
  if (config.compareTo) return runCompare(config, kernel, outDir, env, controller.signal);

  let lastProgress = 0;
  const report = await guestLogGroup("Soak", (log) =>
    runSoak(config.options, kernel, {
      command: reproduceCommand(config.options, kernel.elf, VERSION),
      signal: controller.signal,
      log,
      progress: (p) => {
        if (!progressDue(p.elapsedS, lastProgress)) return;
        lastProgress = p.elapsedS;
        log(progressLine(p));
      },
    }),
  );
  const repro = await reproAfterFailure(report, config.reproBudgetS, outDir, controller.signal);
  await reportOutcome(report, config, kernel, outDir, env, repro);
}
