// The path into the guest (soak/network.ts): the tap in a network namespace of the soak's
// own when the engine runs as root, QEMU user networking otherwise, said in the report;
// and nothing of the tap path left behind, however the engine ends.
import { execFile, spawn } from "node:child_process";
import { chmod, copyFile, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import { bootTestGuest } from "../../test/http-guest.ts";
import { qemuPidsFor } from "../vm/qemu.ts";
import { GUEST_IP } from "../vm/tap-network.ts";
import { alive, cli, guestReady, ROOT, readReport, soakArgs, tempDir, waitFor } from "./cli-run.ts";
import { cliAs, makeRunnerUser, processesOf } from "./runner-user.ts";

const elf = inject("kernelElf");
const root = process.getuid?.() === 0;

/** The live child processes of `pid`. */
async function childrenOf(pid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const p of await readdir("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    const stat = await readFile(`/proc/${p}/stat`, "utf8").catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === pid && (await alive(Number(p)))) pids.push(Number(p));
  }
  return pids;
}

const taps = async () => (await readdir("/sys/class/net")).filter((n) => n.startsWith("uks"));

const run = promisify(execFile);
const LARGE = join(ROOT, "kernel/assets/large.txt");

describe.runIf(root)("the tap path (as root)", () => {
  it("carries the large asset byte for byte, in jumbo segments (the tap's MTU is 9000)", async () => {
    const guest = await bootTestGuest(elf, { network: "tap" });
    const enter = guest.enter ?? [];
    try {
      await guest.vm.serial.waitFor(/^ready$/, 20_000);
      const get = (path: string) =>
        run(enter[0], [...enter.slice(1), "curl", "-sS", "--fail", "--max-time", "20", `http://${GUEST_IP}${path}`], {
          encoding: "buffer",
          maxBuffer: 1 << 22,
        }).then((r) => r.stdout as Buffer);
      const stats = async () => JSON.parse((await get("/api/stats.json")).toString()) as { tx_packets: number };
      const before = await stats();
      const body = await get("/large.txt");
      const after = await stats();
      expect(body.equals(await readFile(LARGE))).toBe(true);
      // 1460-byte segments would take over 200 frames; 8960-byte ones about 35
      expect(after.tx_packets - before.tx_packets).toBeLessThan(60);
    } finally {
      await guest.stop();
    }
  });

  it("is the default: the soak passes over it, and leaves no gateway, worker or tap behind", async () => {
    const out = await tempDir();
    const { code, stdout } = await cli(soakArgs(elf, out, 20_000)).done;
    const report = await readReport(out);
    expect(report.network).toEqual({ mode: "auto", used: "tap", via: "as root" });
    expect(report.verdict.kind).toBe("pass");
    expect(code).toBe(0);
    expect(await readFile(join(out, "summary.md"), "utf8")).toMatch(
      /\| network \| tap device in a private network namespace, as root \|/,
    );
    expect(stdout).toMatch(/verdict: pass/);
    expect(await taps()).toEqual([]);
  });

  it("SIGKILL of the engine mid-load takes QEMU, the gateway and the load workers along", async () => {
    const out = await tempDir();
    const run = cli(soakArgs(elf, out, 2_000_000, "--network", "tap"));
    await guestReady(out);
    // QEMU, the gateway and the load worker are the engine's children (each exec'd through setpriv)
    const ours = await waitFor(
      "QEMU, the gateway and a load worker",
      async () => {
        const kids = await childrenOf(run.child.pid ?? 0);
        return kids.length >= 3 ? kids : undefined;
      },
      10_000,
    );
    await new Promise((r) => setTimeout(r, 1500)); // the load is under way
    run.child.kill("SIGKILL");
    await run.done;
    await waitFor(
      "every process of the soak to be gone",
      async () => {
        for (const pid of ours) if (await alive(pid)) return undefined;
        return true;
      },
      5000,
    );
    expect(await taps()).toEqual([]);
  });
});

// A GitHub-hosted runner's step: the user `runner`, with password-less sudo. Root makes the
// user; the soak itself never runs as root, so nothing here passes only because it does.
describe.runIf(root)("as a runner's user with password-less sudo", () => {
  const TAP_SUDO = /tap device in a private network namespace, through password-less sudo/;

  it("auto takes the tap path through sudo: two soaks at once pass, QEMU runs as the user, nothing is left", async () => {
    const user = await makeRunnerUser({ sudo: true });
    const soaks = ["a", "b"].map((o) => ({
      out: join(user.home, o),
      run: cliAs(user, elf, ["--accel", "tcg", "--requests", "20000", "--out", o]),
    }));
    // while it runs: QEMU is the user's, not root's
    const qemu = await waitFor("QEMU", async () => (await qemuPidsFor(soaks[0].out))[0], 30_000);
    expect((await processesOf(user.uid)).includes(qemu)).toBe(true);
    for (const { out, run } of soaks) {
      const { code, stderr } = await run.done;
      expect(stderr).toMatch(/network: the tap path, through password-less sudo/);
      expect(code, stderr).toBe(0);
      const report = await readReport(out);
      expect(report.network).toMatchObject({ mode: "auto", used: "tap" });
      expect(report.verdict.kind).toBe("pass");
      expect(await readFile(join(out, "summary.md"), "utf8")).toMatch(TAP_SUDO);
    }
    await waitFor(
      "no process of the user",
      async () => ((await processesOf(user.uid)).length ? undefined : true),
      5000,
    );
    expect(await taps()).toEqual([]);
  });

  it("SIGKILL of the engine mid-load takes QEMU, the gateway and the load workers along", async () => {
    const user = await makeRunnerUser({ sudo: true });
    const { child, done } = cliAs(user, elf, [
      "--accel",
      "tcg",
      "--requests",
      "2000000",
      "--network",
      "tap",
      "--out",
      "out",
    ]);
    const engine = (await child).pid ?? 0;
    await guestReady(join(user.home, "out"));
    // the engine, QEMU, the gateway and a load worker: all the user's
    await waitFor(
      "QEMU, the gateway and a load worker",
      async () => ((await processesOf(user.uid)).length >= 4 ? true : undefined),
      10_000,
    );
    await new Promise((r) => setTimeout(r, 1500)); // the load is under way
    (await child).kill("SIGKILL");
    await done;
    await waitFor(
      "every process of the soak to be gone (the user's, and the engine's sudo children)",
      async () => ((await processesOf(user.uid)).length || (await childrenOf(engine)).length ? undefined : true),
      5000,
    );
    expect(await taps()).toEqual([]);
  });
});

describe.runIf(root)("as a runner's user with password-less sudo, QEMU killed from outside", () => {
  it("is the engine's error naming the signal, not the kernel's failure, and leaves nothing running", async () => {
    const user = await makeRunnerUser({ sudo: true });
    const out = join(user.home, "out");
    const { done } = cliAs(user, elf, ["--accel", "tcg", "--requests", "2000000", "--network", "tap", "--out", "out"]);
    await guestReady(out);
    const [qemu] = await qemuPidsFor(out);
    process.kill(qemu, "SIGKILL"); // behind sudo and nsenter: the engine must still see how it ended
    const { code, stderr } = await done;
    expect(code, stderr).toBe(2);
    const report = await readReport(out);
    expect(report.verdict.kind).toBe("error");
    expect(report.verdict.reasons.map((f) => f.message).join("\n")).toMatch(
      /QEMU was stopped from outside the engine \(SIGKILL\)/,
    );
    await waitFor(
      "no process of the user",
      async () => ((await processesOf(user.uid)).length ? undefined : true),
      5000,
    );
  });
});

describe("not root", () => {
  it.runIf(root)("without sudo: auto soaks over QEMU user networking and says why; --network tap refuses", async () => {
    const user = await makeRunnerUser({ sudo: false });
    const auto = await cliAs(user, elf, ["--accel", "tcg", "--requests", "5000", "--out", "out"]).done;
    expect(auto.stderr).toMatch(
      /network: QEMU user networking, not the tap path: the tap path needs root or password-less sudo, and this user \(uid \d+\) has neither \(sudo: .*\)/,
    );
    expect(auto.code, auto.stderr).toBe(0);
    expect((await readReport(join(user.home, "out"))).network?.used).toBe("user");
    const tap = await cliAs(user, elf, ["--accel", "tcg", "--requests", "5000", "--network", "tap", "--out", "out2"])
      .done;
    expect(tap.code).toBe(2);
    expect(tap.stderr).toMatch(/--network tap: .*allow sudo without a password, or pass --network user/);
  });

  const made: string[] = [];
  afterAll(() => Promise.all(made.map((d) => rm(d, { recursive: true, force: true }))));

  /** The published CLI (dist/) as user nobody, from a folder of its own: the temp folder and the
   * checkout may be closed to other users. */
  async function asNobody(...more: string[]) {
    const dir = await mkdtemp("/tmp/soak-nobody-");
    made.push(dir);
    await chmod(dir, 0o777);
    for (const f of ["cli.js", "load-worker.js", "gateway.js"]) await copyFile(join(ROOT, "dist", f), join(dir, f));
    await copyFile(elf, join(dir, "kernel.elf"));
    const args = ["--kernel", "kernel.elf", "--accel", "tcg", "--requests", "5000", "--out", "out", ...more];
    const child = spawn(
      "setpriv",
      ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "cli.js", ...args],
      { cwd: dir, env: { ...process.env, TMPDIR: dir, HOME: dir } },
    );
    let stderr = "";
    child.stderr?.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on("close", r));
    return { code, stderr, out: join(dir, "out") };
  }

  it.runIf(root)(
    "auto soaks over QEMU user networking and says why; --network tap refuses with what to do",
    async () => {
      const auto = await asNobody();
      expect(auto.stderr).toMatch(/network: QEMU user networking, not the tap path: the tap path needs root/);
      expect(auto.code).toBe(0);
      const report = await readReport(auto.out);
      expect(report.network?.used).toBe("user");
      expect(report.network?.refused).toMatch(/needs root.*--network user/);

      const tap = await asNobody("--network", "tap");
      expect(tap.code).toBe(2);
      expect(tap.stderr).toMatch(/--network tap: the tap path needs root.*: run as root, .*pass --network user/);
    },
  );
});
