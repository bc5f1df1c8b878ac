// One node process that runs hostile cases one after another through the CLI's own soak
// (cli/soak.ts, as cli/main.ts runs it, without a node start per case): the parent sends a
// case's CLI flags and environment over IPC and gets back what the CLI would have returned,
// logged and printed. An exception that escapes the engine ends this process, as it would end the CLI.
import { soak } from "../../../cli/soak.ts";
import { parseCli } from "../../cli-options.ts";
import { logLine } from "../../report/guest-text.ts";

export interface HostRequest {
  args: string[];
  env: Record<string, string>;
}

export interface HostReply {
  code: number | null;
  stdout: string;
  stderr: string;
}

let [stdout, stderr] = ["", ""];
// as cli/main.ts logs and prints: the engine's lines carry guest text
const log = (line: string) => {
  stderr += `unikernel-soak: ${logLine(line)}\n`;
};
const print = (line: string) => {
  stdout += `${logLine(line)}\n`;
};

async function run({ args, env }: HostRequest): Promise<number> {
  Object.assign(process.env, env); // what the engine spawns (the stand-in, load workers) inherits them
  try {
    const options = parseCli(args);
    if (options === "help") return 0;
    return await soak(options, { log, print, progress: () => {} });
  } catch (err) {
    log((err as Error).stack ?? String(err)); // as cli/main.ts prints it
    return 2;
  }
}

const escaped = (err: unknown) => {
  // node's own report of an uncaught exception, then its exit code 1
  process.send?.({ code: 1, stdout, stderr: `${stderr}${(err as Error).stack ?? err}\n` } satisfies HostReply);
  process.exit(1);
};
process.on("uncaughtException", escaped);
process.on("unhandledRejection", escaped);
process.on("disconnect", () => process.exit(0));
process.on("message", (m: HostRequest) => {
  [stdout, stderr] = ["", ""];
  void run(m).then((code) => process.send?.({ code, stdout, stderr } satisfies HostReply));
});
