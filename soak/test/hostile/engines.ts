// The two ways a hostile case runs the engine: the real CLI, a node process per case
// (the named cases), or an engine host (engine-host.ts) that runs one case after another
// in one process (the generated cases, hundreds of them). Either ends within the
// deadline: past it the process is killed and the run marked overran.
import { type ChildProcess, fork, spawn } from "node:child_process";
import { join } from "node:path";
import { ROOT, TSX } from "../cli-run.ts";
import type { HostReply } from "./engine-host.ts";
import type { EngineRun } from "./invariants.ts";

/** a case's engine is killed after this long: every wait in a tiny soak is far shorter */
const DEADLINE_MS = 60_000;

export type Engine = (args: string[], env: Record<string, string>) => Promise<EngineRun>;

/** cli/main.ts in a node process of its own, as a user runs it */
export const cliEngine: Engine = (args, env) => {
  const child = spawn(process.execPath, ["--import", TSX, join(ROOT, "cli/main.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let [stdout, stderr, overran] = ["", "", false];
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => {
    overran = true;
    child.kill("SIGKILL");
  }, DEADLINE_MS);
  return new Promise((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, overran });
    }),
  );
};

/** An engine host, started on first use and again after one ended; `close` ends it. */
export function hostEngine(): Engine & { close(): void } {
  let host: ChildProcess | undefined;
  let hostStderr = "";
  const start = () => {
    const child = fork(join(import.meta.dirname, "engine-host.ts"), [], {
      cwd: ROOT,
      execArgv: ["--import", TSX],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    child.stderr?.on("data", (d) => (hostStderr += d));
    child.once("exit", () => {
      if (host === child) host = undefined;
    });
    return child;
  };
  const engine: Engine = (args, env) => {
    host ??= start();
    const child = host;
    hostStderr = "";
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), DEADLINE_MS);
      const done = (run: EngineRun) => {
        clearTimeout(timer);
        child.off("message", onReply);
        child.off("exit", onExit);
        resolve(run);
      };
      const onReply = (r: HostReply) =>
        done({ code: r.code, signal: null, stdout: r.stdout, stderr: r.stderr, overran: false });
      const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
        done({ code, signal, stdout: "", stderr: hostStderr, overran: signal === "SIGKILL" });
      child.on("message", onReply);
      child.once("exit", onExit);
      child.send({ args, env });
    });
  };
  return Object.assign(engine, { close: () => host?.kill("SIGTERM") });
}
