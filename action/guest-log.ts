// The action's log while guest text flows through it (the soak, repro): every line goes
// through logLine, and the runner's commands are stopped meanwhile with a token the guest
// cannot know, so a line that slipped past logLine would still be only text. Nothing in
// the group may mean to issue a command: it would be printed, not obeyed.
import { randomUUID } from "node:crypto";
import * as core from "@actions/core";
import { logLine } from "../soak/index.ts";

export type GuestLog = (line: string) => void;

export function guestLogGroup<T>(name: string, work: (log: GuestLog) => Promise<T>): Promise<T> {
  return core.group(name, async () => {
    const token = randomUUID();
    core.info(`::stop-commands::${token}`);
    try {
      return await work((line) => core.info(logLine(line)));
    } finally {
      core.info(`::${token}::`);
    }
  });
}
