// The path into the guest (soak/network.ts): the tap in a network namespace of the soak's
// own when the engine runs as root, QEMU user networking otherwise, said in the report;
// and nothing of the tap path left behind, however the engine ends.
import { execFile, spawn } from "node:child_process";
import { chmod, copyFile, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, inject, it } from "vitest";
import { bootTestGuest } from "../../test/http-guest.ts";
import { GUEST_IP } from "../vm/tap-network.ts";
import { alive, cli, guestReady, ROOT, readReport, soakArgs, tempDir, waitFor } from "./cli-run.ts";

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
    expect(report.network).toEqual({ mode: "auto", used: "tap" });
    expect(report.verdict.kind).toBe("pass");
    expect(code).toBe(0);
    expect(await readFile(join(out, "summary.md"), "utf8")).toMatch(
      /\| network \| tap device in a private network namespace \|/,
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

describe("not root", () => {
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
      expect(tap.stderr).toMatch(/--network tap: the tap path needs root .*: run as root, or pass --network user/);
    },
  );
});
