// The engine's process life: QEMU and the load workers never outlive it, whatever kills it; a kill from
// outside is never blamed on the kernel; odd report paths reach QEMU intact.
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { qemuPidsFor } from "../vm/qemu.ts";
import { alive, cli, guestReady, ROOT, readReport, soakArgs, TSX, tempDir, waitFor } from "./cli-run.ts";

const elf = inject("kernelElf");

async function qemuOf(out: string): Promise<number> {
  await guestReady(out);
  const pid = await waitFor("QEMU's pid", async () => (await qemuPidsFor(out))[0], 10_000);
  return pid;
}

const gone = (pid: number, what = "QEMU") =>
  waitFor(`${what} ${pid} to be gone`, async () => ((await alive(pid)) ? undefined : true), 5000);

/** The engine's load workers: its children running load-worker.ts */
async function loadWorkersOf(engine: number): Promise<number[]> {
  const pids: number[] = [];
  for (const p of (await readdir("/proc")).filter((d) => /^\d+$/.test(d))) {
    const stat = await readFile(`/proc/${p}/stat`, "utf8").catch(() => "");
    const cmd = await readFile(`/proc/${p}/cmdline`, "utf8").catch(() => "");
    const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (parent === engine && cmd.includes("load-worker")) pids.push(Number(p));
  }
  return pids;
}

describe("QEMU and the load workers never outlive the engine", () => {
  it("SIGKILL of the engine takes QEMU along (parent-death signal)", async () => {
    const out = await tempDir();
    const run = cli(soakArgs(elf, out));
    const qemu = await qemuOf(out);
    run.child.kill("SIGKILL");
    await run.done;
    expect(await gone(qemu)).toBe(true);
  });

  it("SIGKILL of the engine mid-load takes its load workers along", async () => {
    const out = await tempDir();
    const run = cli([...soakArgs(elf, out), "--load-workers", "2"]);
    const engine = run.child.pid as number;
    await qemuOf(out);
    const workers = await waitFor(
      "two load workers",
      async () => ((await loadWorkersOf(engine)).length === 2 ? loadWorkersOf(engine) : undefined),
      20_000,
    );
    run.child.kill("SIGKILL");
    await run.done;
    for (const pid of workers) expect(await gone(pid, "load worker")).toBe(true);
  });

  // SIGINT then SIGTERM: two of the same signal sent at once may arrive as one
  it("a second signal stops at once, and QEMU goes too", async () => {
    const out = await tempDir();
    const run = cli(soakArgs(elf, out));
    const qemu = await qemuOf(out);
    run.child.kill("SIGINT");
    run.child.kill("SIGTERM");
    const started = Date.now();
    const { code, stderr } = await run.done;
    expect(Date.now() - started).toBeLessThan(3000);
    expect(code).toBe(2);
    expect(stderr).toMatch(/SIG(INT|TERM) while cancelling: stopping now, without a report/);
    expect(await gone(qemu)).toBe(true);
  });

  it("a terminal's Ctrl-C (the whole process group) cancels the soak without a false reset", async () => {
    const out = await tempDir();
    const child = spawn(process.execPath, ["--import", TSX, join(ROOT, "cli/main.ts"), ...soakArgs(elf, out)], {
      cwd: ROOT,
      detached: true,
      stdio: "ignore",
    });
    const done = new Promise<number | null>((r) => child.on("close", r));
    const qemu = await qemuOf(out);
    await new Promise((r) => setTimeout(r, 2000));
    process.kill(-(child.pid as number), "SIGINT");
    expect(await done).toBe(2);
    const report = await readReport(out);
    expect(report.verdict.kind).toBe("error");
    expect(report.verdict.reasons.map((r) => r.message)).toEqual(["cancelled (SIGINT/SIGTERM); partial report"]);
    expect(await gone(qemu)).toBe(true);
  });
});

describe("QEMU stopped from outside is an infrastructure error (exit 2), not a verdict on the kernel", () => {
  it("SIGTERM to QEMU", async () => {
    const out = await tempDir();
    const run = cli(soakArgs(elf, out));
    const qemu = await qemuOf(out);
    process.kill(qemu, "SIGTERM");
    const { code } = await run.done;
    const report = await readReport(out);
    expect(code).toBe(2);
    expect(report.verdict.kind).toBe("error");
    // QEMU names the sender's pid when it can see it; on the tap path it runs in a PID
    // namespace of its own, where a signal from outside comes from no pid it knows
    expect(report.verdict.reasons[0].message).toMatch(
      /QEMU was stopped from outside the engine \(signal 15( from pid \d+)?\)/,
    );
  });
});

describe("report paths QEMU options cannot carry as they are", () => {
  it.each([
    ["a comma", "with,comma,path=/tmp/x"],
    ["a path longer than a unix socket's", "d".repeat(120)],
  ])("%s", async (_, name) => {
    const out = join(await tempDir(), name);
    const { code } = await cli(soakArgs(elf, out, 2000)).done;
    expect(code).toBe(0);
    expect((await readReport(out)).verdict.kind).toBe("pass");
  });
});
