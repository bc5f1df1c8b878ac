// Entry of dist/index.js (the action's main step). An unexpected error fails the step
// with its message (the stack goes to the debug log, not into the annotation).
import * as core from "@actions/core";
import { logLine } from "../soak/index.ts";
import { run } from "./main.ts";

run().catch((err: Error) => {
  core.debug(err.stack ?? String(err));
  core.setOutput("verdict", "error");
  core.setFailed(logLine(`unikernel-soak: ${err.message ?? err}`));
  process.exitCode = 2;
});
