// One node process that runs hostile cases one after another through the engine's own
// runSoak (as soak/cli.ts does, without a node start per case): the parent sends a case's
// CLI flags and environment over IPC and gets back what the CLI would have returned and
// logged. An exception that escapes the engine ends this process, as it would end the CLI.
import { basename } from "node:path";
import { kernelUnderTest } from "../../../kernel/bundled.ts";
import { reproduceCommand } from "../../argv.ts";
import { parseCli } from "../../cli-options.ts";
import { logLine } from "../../report/guest-text.ts";
import { runSoak, VERSION } from "../../run.ts";

export interface HostRequest {
  args: string[];
  env: Record<string, string>;
}

export interface HostReply {
  code: number | null;
  stderr: string;
}

let stderr = "";
// as soak/cli.ts logs: the engine's lines carry guest text
const log = (line: string) => {
  stderr += `unikernel-soak: ${logLine(line)}\n`;
};

async function run({ args, env }: HostRequest): Promise<number> {
  Object.assign(process.env, env); // what the engine spawns (the stand-in, load workers) inherits them
  try {
    const options = parseCli(args);
    if (options === "help") return 0;
    const kernel = await kernelUnderTest(options.kernel, options.fault, log);
    const command = reproduceCommand(options, basename(kernel.elf), VERSION);
    return (await runSoak(options, kernel, { command, log, progress: () => {} })).verdict.exitCode;
  } catch (err) {
    log((err as Error).stack ?? String(err)); // as soak/cli.ts prints it
    return 2;
  }
}

const escaped = (err: unknown) => {
  // node's own report of an uncaught exception, then its exit code 1
  process.send?.({ code: 1, stderr: `${stderr}${(err as Error).stack ?? err}\n` } satisfies HostReply);
  process.exit(1);
};
process.on("uncaughtException", escaped);
process.on("unhandledRejection", escaped);
process.on("disconnect", () => process.exit(0));
process.on("message", (m: HostRequest) => {
  stderr = "";
  void run(m).then((code) => process.send?.({ code, stderr } satisfies HostReply));
});
