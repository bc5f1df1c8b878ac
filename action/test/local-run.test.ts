// The bundled action (dist/index.js) run the way the runner runs it: inputs as
// INPUT_* variables, outputs, state and the job summary through the file-command
// protocol (GITHUB_OUTPUT, GITHUB_STATE, GITHUB_STEP_SUMMARY). Real QEMU, real load;
// uploads off (the artifact service does not exist here; artifact.test.ts covers it).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, inject, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const elf = inject("kernelElf");

/** Parses `name<<DELIM\nvalue\nDELIM` blocks (and `name=value` lines) of a file command. */
function fileCommand(text: string): Record<string, string> {
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

async function runAction(script: string, inputs: Record<string, string>, dir: string, state = "") {
  const files = { GITHUB_OUTPUT: "output", GITHUB_STATE: "state", GITHUB_STEP_SUMMARY: "summary" };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RUNNER_TEMP: dir,
    GITHUB_JOB: "soak",
    GITHUB_RUN_ID: "1",
    GITHUB_RUN_ATTEMPT: "1",
  };
  for (const [k, f] of Object.entries(files)) {
    env[k] = join(dir, f);
    await writeFile(join(dir, f), k === "GITHUB_STATE" ? "" : "");
  }
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  for (const [k, v] of Object.entries(fileCommand(state))) env[`STATE_${k}`] = v;
  const child = spawn(process.execPath, [join(ROOT, "dist", script)], { cwd: ROOT, env });
  let stdout = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stdout += d));
  const code = await new Promise<number | null>((r) => child.on("close", r));
  return {
    code,
    stdout,
    outputs: fileCommand(await readFile(join(dir, "output"), "utf8")),
    state: await readFile(join(dir, "state"), "utf8"),
    summary: await readFile(join(dir, "summary"), "utf8"),
  };
}

describe("the action, run locally from dist/", () => {
  it("passes a clean soak: outputs set, summary written, nothing left for the post step", async () => {
    const dir = await mkdtemp(join(tmpdir(), "action-"));
    const r = await runAction("index.js", { kernel: elf, requests: "20000", accel: "tcg", upload: "never" }, dir);
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ verdict: "pass", requests: "20000" });
    expect(Number(r.outputs.rps)).toBeGreaterThan(0);
    expect(r.summary).toContain("# Soak ✅ pass");
    expect(r.stdout).toContain("::group::Soak");
    const post = await runAction("post.js", { upload: "never" }, dir, r.state);
    expect(post.code).toBe(0);
  });

  it("fails the step on a crash, with the title, the location and one annotation at the source line", async () => {
    const dir = await mkdtemp(join(tmpdir(), "action-"));
    const inputs = { kernel: elf, append: "fault=pf fault_after_ms=1000", accel: "tcg", upload: "never" };
    const r = await runAction("index.js", inputs, dir);
    expect(r.code).toBe(1);
    expect(r.outputs).toMatchObject({
      verdict: "crash",
      "fault-title": "page fault in kernel/src/faults/faultReadKernelHalf (read, not-present)",
    });
    expect(r.outputs["fault-location"]).toMatch(/^kernel\/src\/faults\.ts:\d+$/);
    const annotations = r.stdout.split("\n").filter((l) => l.startsWith("::error "));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatch(
      /^::error title=unikernel-soak%3A kernel crash,file=kernel\/src\/faults\.ts,line=\d+::page fault in/,
    );
    expect(r.stdout).toMatch(/::error::Soak verdict: crash/);
    expect(r.summary).toContain(
      "**page fault in kernel/src/faults/faultReadKernelHalf (read, not-present)** at `kernel/src/faults.ts:",
    );
  });

  it("fails at once on a bad input, naming it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "action-"));
    const r = await runAction("index.js", { requests: "lots" }, dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`::error::input 'requests': expected a number, got "lots"`);
  });
});
