// Runner preparation without a runner: children through @actions/exec (lines arrive
// whole however the pipe splits them), the KVM rule waits for udev, apt under sudo
// keeps DEBIAN_FRONTEND, and only the build asks for the toolchain.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { aptInstallArgv } from "../../scripts/apt-command.mjs";
import { ROOT as REPO, TSX } from "../../soak/test/cli-run.ts";
import { makeRunnerUser, type RunnerUser } from "../../soak/test/runner-user.ts";
import { kvmRuleRefusal, kvmRuleScript, prepareRunner, type Shell, sh } from "../runner.ts";
import { sourcePlace } from "../source-link.ts";

const run = promisify(execFile);

describe("child processes", () => {
  it("reach the log in whole lines, even when a line comes in two writes", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (d) => (text += d));
    await sh("sh", ["-c", "printf 'half a '; sleep 0.3; printf 'line\\nnext\\n'"], { out });
    expect(text).toMatch(/^half a line\nnext$/m);
  });

  it("fail naming the command and its exit code", async () => {
    await expect(sh("sh", ["-c", "exit 3"], { out: new PassThrough() })).rejects.toThrow(
      "sh -c exit 3 exited with code 3",
    );
  });
});

describe("runner preparation", () => {
  it("applies the KVM rule, then waits for udev to settle, once", () => {
    const steps = kvmRuleScript().split(" && ");
    expect(steps.slice(-2)).toEqual(["udevadm trigger --name-match=kvm", "udevadm settle --timeout=30"]);
    expect(steps.filter((s) => s.includes("settle"))).toHaveLength(1);
  });

  it("installs only the system tools for the prebuilt kernel, the toolchain too for a build", async () => {
    const calls: string[][] = [];
    const run: Shell = async (cmd, args) => {
      calls.push([cmd, ...args]);
    };
    await prepareRunner(false, () => {}, undefined, run);
    await prepareRunner(true, () => {}, "/tmp/apt", run);
    expect(calls[0].slice(2)).toEqual(["--system-only"]);
    expect(calls.at(-1)?.slice(2)).toEqual(["--apt-cache", "/tmp/apt"]);
  });

  it("runs apt-get with DEBIAN_FRONTEND set inside sudo (env_reset drops the caller's)", () => {
    expect(aptInstallArgv(["qemu-system-x86"], { root: false })).toEqual([
      "sudo",
      "-n",
      "env",
      "DEBIAN_FRONTEND=noninteractive",
      "sh",
      "-c",
      "apt-get update && apt-get install -y --no-install-recommends qemu-system-x86",
    ]);
    expect(aptInstallArgv(["gdb"], { root: true, aptCache: "/c" }).slice(0, 2)).toEqual([
      "env",
      "DEBIAN_FRONTEND=noninteractive",
    ]);
  });
});

// Self-hosted runners and containers: each missing piece is one line and the best path left
describe.runIf(process.getuid?.() === 0)("why /dev/kvm stays closed", () => {
  /** kvmRuleRefusal() as `user`, from the sources */
  async function refusalAs(user: RunnerUser): Promise<string> {
    const code = `import(${JSON.stringify(join(REPO, "action/runner.ts"))}).then(async (m) => console.log(await m.kvmRuleRefusal()))`;
    const argv = [`--reuid=${user.uid}`, `--regid=${user.gid}`, "--init-groups", "--reset-env", "--"];
    const env = ["env", `TMPDIR=${user.home}`, process.execPath, "--import", TSX, "-e", code];
    return (await run("setpriv", [...argv, ...env], { cwd: user.home })).stdout.trim();
  }

  it("a user whose sudo asks a password is told so", async () => {
    expect(await refusalAs(await makeRunnerUser({ sudo: false }))).toBe("sudo asks for a password here");
  });

  it.runIf(!existsSync("/run/udev/control"))("a machine without udev (a container) is told so", async () => {
    expect(await kvmRuleRefusal()).toMatch(/^(there is no udev here|udev does not run here)/);
    expect(await refusalAs(await makeRunnerUser({ sudo: true }))).toMatch(
      /^(there is no udev here|udev does not run here)/,
    );
  });
});

describe("where a crash's source is shown", () => {
  const env = {
    GITHUB_SERVER_URL: "https://github.example",
    GITHUB_REPOSITORY: "someone/app",
    GITHUB_SHA: "abc",
    GITHUB_ACTION_REPOSITORY: "quartz/unikernel-soak",
    GITHUB_ACTION_REF: "v1",
  };
  const at = { file: "kernel/src/net/tcp.ts", line: 120 };

  it("annotates the line when the file is in the workspace", async () => {
    const ws = await mkdtemp(join(tmpdir(), "ws-"));
    try {
      await writeFile(join(ws, "x.ts"), "");
      expect(
        await sourcePlace({ file: "x.ts", line: 3 }, { bundled: false }, { ...env, GITHUB_WORKSPACE: ws }),
      ).toEqual({
        annotation: { file: "x.ts", line: 3 },
      });
      const bundled = await sourcePlace(at, { bundled: true }, { ...env, GITHUB_WORKSPACE: ws });
      expect(bundled).toEqual({
        link: "https://github.example/quartz/unikernel-soak/blob/v1/kernel/src/net/tcp.ts#L120",
      });
      // `uses: ./` has no action repository: the workflow's own, at its commit; github.com by default
      const local = { GITHUB_REPOSITORY: "quartz/unikernel-soak", GITHUB_SHA: "abc", GITHUB_WORKSPACE: ws };
      expect((await sourcePlace(at, { bundled: true }, local)).link).toBe(
        "https://github.com/quartz/unikernel-soak/blob/abc/kernel/src/net/tcp.ts#L120",
      );
    } finally {
      await rm(ws, { recursive: true, force: true });
    }
  });
});
