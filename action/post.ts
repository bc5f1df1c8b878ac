// The post step: after a cancelled or crashed main step, stop any QEMU it left and
// upload whatever report exists, if main did not get to it.
import { access } from "node:fs/promises";
import { DefaultArtifactClient } from "@actions/artifact";
import * as core from "@actions/core";
import { qemuPidsFor } from "../soak/index.ts";
import { uniqueArtifactName, uploadReport } from "./artifact.ts";
import { readArtifactName, readUpload } from "./inputs.ts";

export async function post(env = process.env): Promise<void> {
  const out = core.getState("out");
  if (!out) return;
  for (const pid of await qemuPidsFor(out)) {
    core.info(`stopping QEMU (pid ${pid}) left by the soak`);
    process.kill(pid, "SIGKILL");
  }
  const get = (name: string) => core.getInput(name);
  const upload = readUpload(get);
  // main finished (and uploaded as asked), or uploads are off: nothing left to do
  if (core.getState("done") === "true" || core.getState("uploaded") === "true" || upload === "never") return;
  try {
    await access(out);
  } catch {
    return;
  }
  try {
    const name = `${uniqueArtifactName(readArtifactName(get), env)}-partial`;
    const { id } = await uploadReport(new DefaultArtifactClient(), name, out);
    core.info(`uploaded the partial report as ${name} (id ${id})`);
  } catch (err) {
    core.warning(`Could not upload the partial report: ${(err as Error).message}`);
  }
}
