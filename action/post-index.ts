// Entry of dist/post.js (the action's post step).
import * as core from "@actions/core";
import { post } from "./post.ts";

post().catch((err) => core.warning(`unikernel-soak post step: ${(err as Error).message}`));
