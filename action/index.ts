// Entry of dist/index.js (the action's main step).
import * as core from "@actions/core";
import { run } from "./main.ts";

run().catch((err) => core.setFailed(`unikernel-soak: ${(err as Error).stack ?? err}`));
