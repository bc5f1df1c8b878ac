// A runner-faithful harness: runs the committed bundle (dist/index.js, then dist/post.js)
// the way a GitHub runner does. Every input of action.yml is set, to the workflow's
// `with:` value or else to its default (empty defaults included), as
// INPUT_<NAME, spaces as _, upper case>; the step talks to the runner through the file
// commands (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY, GITHUB_ENV) and stdout
// workflow commands (::error, ::group); the post step gets the main step's state as
// STATE_<name>. The workspace, RUNNER_TEMP and files live in a temporary folder outside
// this repository, removed by cleanup(), which also checks that no QEMU outlived it.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chown, cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { qemuPidsFor } from "../../soak/index.ts";

export const REPO = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

export interface Annotation {
  level: "error" | "warning" | "notice";
  props: Record<string, string>;
  message: string;
}

export interface StepResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  annotations: Annotation[];
}

/** `name<<DELIM` ... `DELIM` blocks (and `name=value` lines) of a file command. */
export function fileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^=<]+)<<(.+)$/.exec(lines[i]);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (lines[i].includes("=")) {
      out[lines[i].slice(0, lines[i].indexOf("="))] = lines[i].slice(lines[i].indexOf("=") + 1);
    }
  }
  return out;
}

const unescapeData = (s: string) => s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
const unescapeProp = (s: string) => unescapeData(s).replace(/%3A/g, ":").replace(/%2C/g, ",");

/** The ::error / ::warning / ::notice workflow commands on stdout. */
export function annotations(stdout: string): Annotation[] {
  const found: Annotation[] = [];
  for (const line of stdout.split("\n")) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? "").split(",").filter(Boolean)) {
      const at = kv.indexOf("=");
      props[kv.slice(0, at)] = unescapeProp(kv.slice(at + 1));
    }
    found.push({ level: m[1] as Annotation["level"], props, message: unescapeData(m[3]) });
  }
  return found;
}

interface ActionYml {
  inputs: Record<string, { default?: string }>;
}

export interface StepOptions {
  /** extra environment (an artifact service's URL and token, say) */
  env?: Record<string, string>;
  /** send this signal once `when(stdout so far)` is true, as the runner does on cancel */
  cancel?: { signal: NodeJS.Signals; when: (stdout: string) => boolean };
  timeoutMs?: number;
}

/** whom a step runs as, when not as the test */
export interface StepUser {
  uid: number;
  gid: number;
  home: string;
}

export class Habitat {
  readonly workspace: string;
  readonly runnerTemp: string;
  private readonly files: string;
  private state: Record<string, string> = {};
  private inputs: Record<string, string> = {};
  private step = 0;

  private constructor(
    readonly top: string,
    /** the action's checkout: action.yml and dist/ */
    readonly actionDir: string,
    /** the steps run as this user (a GitHub-hosted runner's `runner`), not as the test's */
    private readonly user?: StepUser,
  ) {
    this.workspace = join(top, "workspace");
    this.runnerTemp = join(top, "runner-temp");
    this.files = join(top, "files");
  }

  /** `fresh`: run a copy of the action (action.yml, dist/, scripts/) with no node_modules
   * and no kernel sources or build beside it, instead of this repository's checkout;
   * `dist`: with that bundle instead of the committed one; `user`: every step as that user,
   * who owns the habitat's folders (its folders must be open to it: `top` under /tmp). */
  static async create({ fresh = false, dist = join(REPO, "dist"), user = undefined as StepUser | undefined } = {}) {
    const top = await mkdtemp(join(tmpdir(), "habitat-"));
    const actionDir = fresh ? join(top, "action") : REPO;
    if (fresh)
      for (const f of ["action.yml", "dist", "scripts"])
        await cp(f === "dist" ? dist : join(REPO, f), join(actionDir, f), { recursive: true });
    const h = new Habitat(top, actionDir, user);
    for (const d of [h.workspace, h.runnerTemp, h.files]) await mkdir(d, { recursive: true });
    if (user) await run("chown", ["-R", `${user.uid}:${user.gid}`, top]);
    return h;
  }

  /** Every input: the `with:` value, else action.yml's default, else empty. */
  async inputEnv(withValues: Record<string, string | number | boolean>): Promise<Record<string, string>> {
    const action = parse(await readFile(join(this.actionDir, "action.yml"), "utf8")) as ActionYml;
    const unknown = Object.keys(withValues).filter((k) => !(k in action.inputs));
    if (unknown.length) throw new Error(`inputs not in action.yml: ${unknown.join(", ")}`);
    const env: Record<string, string> = {};
    for (const [name, spec] of Object.entries(action.inputs)) {
      const v = name in withValues ? String(withValues[name]) : (spec.default ?? "");
      env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = v;
    }
    return env;
  }

  private baseEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env))
      if (!/^(INPUT_|STATE_|GITHUB_|RUNNER_|ACTIONS_|VITEST|NODE_OPTIONS)/.test(k)) env[k] = v;
    return {
      ...env,
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_WORKSPACE: this.workspace,
      RUNNER_TEMP: this.runnerTemp,
      RUNNER_OS: "Linux",
      RUNNER_ARCH: "X64",
      RUNNER_NAME: "habitat",
      GITHUB_JOB: "soak",
      GITHUB_RUN_ID: "4242",
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_REPOSITORY: "someone/their-app",
      GITHUB_SHA: "0123456789abcdef0123456789abcdef01234567",
      GITHUB_SERVER_URL: "https://github.com",
      GITHUB_ACTION: "__quartz_unikernel-soak",
      GITHUB_ACTION_REPOSITORY: "quartz/unikernel-soak",
      GITHUB_ACTION_REF: "v1",
    };
  }

  private async runStep(script: string, extra: Record<string, string>, o: StepOptions): Promise<StepResult> {
    const n = ++this.step;
    const env: NodeJS.ProcessEnv = { ...this.baseEnv(), ...this.inputs, ...extra, ...o.env };
    for (const f of ["GITHUB_OUTPUT", "GITHUB_STATE", "GITHUB_STEP_SUMMARY", "GITHUB_ENV"]) {
      env[f] = join(this.files, `${f.toLowerCase()}-${n}`);
      await writeFile(env[f] as string, "");
      if (this.user) await chown(env[f] as string, this.user.uid, this.user.gid);
    }
    const node = [process.execPath, join(this.actionDir, "dist", script)];
    const u = this.user;
    if (u) {
      env.HOME = u.home;
      // a runner user's PATH: the system's and node's, not this root shell's (its folders are closed to the user)
      env.PATH = [dirname(process.execPath), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"].join(":");
    }
    const argv = u ? ["setpriv", `--reuid=${u.uid}`, `--regid=${u.gid}`, "--init-groups", "--", ...node] : node;
    const child: ChildProcess = spawn(argv[0], argv.slice(1), {
      cwd: this.workspace,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let cancelled = false;
    const onData = (d: Buffer) => {
      stdout += d;
      if (o.cancel && !cancelled && o.cancel.when(stdout)) {
        cancelled = true;
        child.kill(o.cancel.signal);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs ?? 170_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
      child.on("close", (c, s) => r([c, s])),
    );
    clearTimeout(timer);
    const text = async (k: string) => readFile(env[k] as string, "utf8");
    const state = fileCommand(await text("GITHUB_STATE"));
    return {
      code,
      signal,
      stdout,
      outputs: fileCommand(await text("GITHUB_OUTPUT")),
      state,
      summary: await text("GITHUB_STEP_SUMMARY"),
      annotations: annotations(stdout),
    };
  }

  /** The main step with these `with:` values. */
  async main(withValues: Record<string, string | number | boolean> = {}, o: StepOptions = {}): Promise<StepResult> {
    this.inputs = await this.inputEnv(withValues);
    const r = await this.runStep("index.js", {}, o);
    this.state = r.state;
    return r;
  }

  /** The post step, with the main step's inputs and saved state. */
  async post(o: StepOptions = {}): Promise<StepResult> {
    const state = Object.fromEntries(Object.entries(this.state).map(([k, v]) => [`STATE_${k}`, v]));
    return this.runStep("post.js", state, o);
  }

  /** QEMU processes still running with a file of this habitat on their command line. */
  leftoverQemu(): Promise<number[]> {
    return qemuPidsFor(this.top, { under: true });
  }

  async cleanup(): Promise<void> {
    const left = await this.leftoverQemu();
    for (const pid of left) process.kill(pid, "SIGKILL");
    await rm(this.top, { recursive: true, force: true });
    if (left.length) throw new Error(`QEMU outlived the steps (pids ${left.join(", ")})`);
  }
}
