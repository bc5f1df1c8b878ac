// Everything before the soak, each a stage with a name for the error it may end in:
// the runner's packages (through the apt cache), the user's build-command, the kernel.
import { access } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as cache from "@actions/cache";
import * as core from "@actions/core";
import { kernelUnderTest } from "../kernel/bundled.ts";
import type { KernelUnderTest } from "../soak/index.ts";
import { withAptCache } from "./apt-cache.ts";
import type { ActionConfig } from "./inputs.ts";
import { prepareRunner, sh } from "./runner.ts";

/** A failure before the soak: which stage, and what the user can do about it. */
export class StageError extends Error {
  constructor(
    readonly stage: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

async function stage<T>(name: string, hint: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw new StageError(name, (err as Error).message, hint);
  }
}

export async function prepare(config: ActionConfig, env: NodeJS.ProcessEnv): Promise<KernelUnderTest> {
  const build = !config.options.kernel; // the bundled kernel: prebuilt, unless a fault switch asks for a build
  await core.group("Prepare the runner", () =>
    stage("preparing the runner", "The log group 'Prepare the runner' shows what was missing and why.", () => {
      const prepareWith = (aptDir?: string) => prepareRunner(build && !!config.options.fault, core.info, aptDir);
      if (!cache.isFeatureAvailable()) {
        core.info("no GitHub cache service here: apt packages come from the mirrors");
        return prepareWith();
      }
      const log = { info: core.info, warning: (line: string) => core.warning(line) };
      return withAptCache(cache, join(env.RUNNER_TEMP ?? tmpdir(), "unikernel-soak-apt"), env, prepareWith, log);
    }),
  );
  if (config.buildCommand) {
    await core.group("Build the kernel (build-command)", () =>
      stage(
        "running build-command",
        `Run \`${config.buildCommand}\` in a checkout of your repository to see it fail; the log group 'Build the kernel (build-command)' has its output.`,
        () => sh("sh", ["-c", config.buildCommand], { cwd: env.GITHUB_WORKSPACE || process.cwd() }),
      ),
    );
  }
  return stage(
    "getting the kernel",
    config.options.kernel
      ? "Check input 'kernel' (a path relative to the workspace) and that build-command writes that file."
      : "The bundled kernel could not be prepared; see the log above.",
    async () => {
      const path = config.options.kernel;
      if (path)
        await access(resolve(path)).catch(() =>
          Promise.reject(new Error(`input 'kernel': no file at ${resolve(path)}`)),
        );
      return kernelUnderTest(path, config.options.fault, core.info);
    },
  );
}
