// The CLI end to end, booting real guests: exit codes, reports, the fault path,
// QEMU dying under it, and Ctrl-C.
import { execFile } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { kvmRefusal } from "../accel.ts";
import { qemuPidsFor } from "../vm/qemu.ts";
import { cli, readReport, tempDir, waitFor } from "./cli-run.ts";

const run = promisify(execFile);
const elf = inject("kernelElf");
const outDir = () => tempDir();

describe("bad input: exit 2 with a one-line reason", () => {
  it.each([
    [["--requests", "lots"], /--requests: expected a number, got "lots"/],
    [["--frobnicate"], /Unknown option '--frobnicate'/],
    [["--kernel", "/nonexistent/kernel.elf"], /cannot read kernel \/nonexistent\/kernel.elf: ENOENT/],
    [["--accel", "fast"], /--accel: expected auto, kvm or tcg, got "fast"/],
    [["--paths", "health=3"], /--paths: "health=3" is not PATH\[=WEIGHT\]/],
    [["--guest-port", "80-70"], /--guest-port: expected ports like 80 or 8000-8255,9000, got "80-70"/],
    [["--guest-port", "70000"], /--guest-port: 70000 is not a TCP port \(1-65535\)/],
    [["--requests", "1e99"], /--requests: expected a number, got "1e99"/],
    [["--requests", "0x10"], /--requests: expected a number, got "0x10"/],
    [["--connections", "5000"], /--connections: 5000 is more than the 4096 this tool accepts/],
    [["--paths", ""], /--paths: needs at least one path/],
    [["--paths", "/a=99999999999999999999"], /--paths: the weights add up to 100000000000000000000; at most 100000/],
  ])("%j", async (args, message) => {
    const out = await outDir();
    const { code, stderr, stdout } = await cli([...args, "--out", out]).done;
    expect(code).toBe(2);
    expect(`${stderr}${stdout}`).toMatch(message);
  });

  it.each([
    ["/proc/x", /--out \/proc\/x: cannot create \/proc\/x/],
    ["/etc/hostname", /--out \/etc\/hostname: exists and is not a folder/],
  ])("--out %s is refused at once", async (out, message) => {
    const started = Date.now();
    const { code, stderr } = await cli(["--kernel", elf, "--out", out]).done;
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("--out . in a repository is refused and nothing is deleted", async () => {
    const repo = await outDir();
    await run("git", ["init", "-q", repo]);
    await writeFile(join(repo, "work.ts"), "precious\n");
    const before = (await readdir(repo)).sort();
    const { code, stderr } = await cli(["--kernel", elf, "--out", "."], repo).done;
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /--out \.: the folder is not empty and holds no report of unikernel-soak \(\.git, work\.ts\)/,
    );
    expect((await readdir(repo)).sort()).toEqual(before);
    expect(await readFile(join(repo, "work.ts"), "utf8")).toBe("precious\n");
  });

  it("a kernel that is neither a PVH ELF nor a bzImage", async () => {
    const out = await outDir();
    const text = join(out, "kernel.txt");
    await writeFile(text, "not a kernel\n".repeat(10));
    const { code, stdout } = await cli(["--kernel", text, "--out", join(out, "r")]).done;
    expect(code).toBe(2);
    expect(stdout).toContain(`${text} is neither an ELF file nor a Linux bzImage`);
  });

  it("--symbols that is not an ELF", async () => {
    const out = await outDir();
    const text = join(out, "vmlinux.txt");
    await writeFile(text, "not symbols\n".repeat(10));
    const { code, stdout } = await cli(["--kernel", elf, "--symbols", text, "--out", join(out, "r")]).done;
    expect(code).toBe(2);
    expect(stdout).toContain(`--symbols: ${text} is not an ELF file; expected the kernel's ELF with its symbols`);
  });

  it("QEMU not installed", async () => {
    const out = await outDir();
    const r = await cli(["--kernel", elf, "--accel", "tcg", "--qemu", "/nonexistent/qemu-system-x86_64", "--out", out])
      .done;
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/cannot start \/nonexistent\/qemu-system-x86_64: .*ENOENT.*install qemu-system-x86/);
  });

  it("--accel kvm where KVM cannot run a guest", async () => {
    const refused = await kvmRefusal();
    const out = await outDir();
    const r = await cli(["--kernel", elf, "--accel", "kvm", "--requests", "1000", "--out", out]).done;
    if (refused) {
      expect(r.code).toBe(2);
      expect(r.stdout).toContain(`--accel kvm: KVM cannot be used: ${refused}`);
    } else {
      expect(r.code).toBe(0); // a machine with working KVM soaks under it
    }
  });
});

/** Soaks the kernel with `fault=KIND fault_after_ms=AFTER`; latency is from the fault's onset (an upper bound) to the first finding. */
async function soakWithFault(kind: string, afterMs: number) {
  const out = await outDir();
  const append = `fault=${kind} fault_after_ms=${afterMs}`;
  const { code } = await cli(["--kernel", elf, "--accel", "tcg", "--append", append, "--out", out]).done;
  const report = await readReport(out);
  // The guest's `ready` precedes the health answer, so onset <= ready + fault_after_ms.
  const onset = Date.parse(report.startedAt) + (report.boot.readyMs ?? 0) + afterMs;
  const latency = report.verdict.reasons[0].at - onset;
  console.log(`fault=${kind}: ${report.verdict.kind} detected ${latency} ms after the fault (upper bound)`);
  return { code, report, out, latency };
}

describe("soaks", () => {
  it("a clean short soak passes and writes the whole report", async () => {
    const out = await outDir();
    const { code, stderr } = await cli(["--kernel", elf, "--accel", "tcg", "--requests", "20000", "--out", out]).done;
    expect(code, stderr).toBe(0);
    const report = await readReport(out);
    expect(report.verdict).toMatchObject({ kind: "pass", exitCode: 0 });
    expect(code).toBe(0);
    expect(report.schemaVersion).toBe(1);
    expect(report.load?.requests).toBe(20000);
    expect(report.load?.errors).toBe(0);
    expect(report.guest.last?.tx_stalls).toBe(0);
    expect(report.accel.used).toBe("tcg");
    const files = await readdir(out);
    for (const f of ["report.json", "report.html", "summary.md", "serial.log", "timeline.jsonl", "kernel.elf"])
      expect(files).toContain(f);
    expect(await readFile(join(out, "summary.md"), "utf8")).toContain("# Soak ✅ pass");
  });

  it("the on-demand page fault gives a crash verdict within 5 s, exit 1, and a triage naming the function", async () => {
    const { code, report, out, latency } = await soakWithFault("pf", 3000);
    expect(code).toBe(1);
    expect(report.verdict.kind).toBe("crash");
    expect(report.crash).toMatchObject({
      title: "page fault in kernel/src/faults/faultReadKernelHalf (read, not-present)",
      cr2: "0xffffffffffffff88",
      cr2Signed: "-120",
      symbol: "kernel/src/faults/faultReadKernelHalf",
    });
    expect(report.crash?.errDecoded?.bits).toEqual([
      "bit 0: not-present",
      "bit 1: read",
      "bit 2: supervisor",
      "bit 4: data",
    ]);
    expect(report.crash?.disassembly).toMatch(/^=> /m);
    expect(report.crash?.backtrace).toMatch(/faultReadKernelHalf[\s\S]*poll/);
    expect(latency).toBeLessThan(5000);
    const triage = await readFile(join(out, "triage.md"), "utf8");
    expect(triage).toContain("# page fault in kernel/src/faults/faultReadKernelHalf (read, not-present)");
    expect(triage).toContain("= -120 as a signed 64-bit number");
  });

  it("a guest that stops answering is a hang, with symbolized registers, a backtrace and a memory dump gdb opens", async () => {
    const { code, report, out, latency } = await soakWithFault("hang", 2000);
    expect(code).toBe(1);
    expect(report.verdict.kind).toBe("hang");
    const o = { intervalMs: 1000, healthFailures: 2 };
    expect(latency).toBeLessThan(o.intervalMs * o.healthFailures + 5000);
    // RIP may be in the clock read the loop calls; the backtrace names the loop either way
    expect(report.hang?.registers).toMatch(/RIP 0x[0-9a-f]{16}: \S+ \(\S+:\d+\)/);
    expect(report.hang?.backtrace).toMatch(/faultSpin/);
    const gdb = await run("gdb", [
      "-nx",
      "-batch",
      "-ex",
      "x/1xb pvh_start",
      join(out, "kernel.elf"),
      join(out, "memory.core"),
    ]);
    expect(gdb.stdout).toMatch(/<pvh_start>:\s+0xfa/); // cli, the first instruction
  });

  it("QEMU killed from outside is an infrastructure error naming the signal, not a kernel verdict", async () => {
    const out = await outDir();
    const run = cli(["--kernel", elf, "--accel", "tcg", "--requests", "2000000", "--out", out]);
    const [pid] = await waitFor(
      "QEMU serving load",
      async () => {
        const timeline = await readFile(join(out, "serial.log"), "utf8").catch(() => "");
        const pids = await qemuPidsFor(out);
        return timeline.includes("ready") && pids.length ? pids : undefined;
      },
      60_000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    process.kill(pid, "SIGKILL");
    const { code } = await run.done;
    const report = await readReport(out);
    expect(code).toBe(2);
    expect(report.verdict.kind).toBe("error");
    expect(report.verdict.reasons[0].message).toMatch(/QEMU was stopped from outside the engine \(SIGKILL\)/);
  });

  it("SIGINT leaves no QEMU behind and still writes a partial report", async () => {
    const out = await outDir();
    const run = cli(["--kernel", elf, "--accel", "tcg", "--requests", "2000000", "--out", out]);
    await waitFor(
      "load progress",
      async () =>
        (await readFile(join(out, "serial.log"), "utf8").catch(() => "")).includes("ready") ? true : undefined,
      60_000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    run.child.kill("SIGINT");
    const { code } = await run.done;
    expect(code).toBe(2);
    const report = await readReport(out);
    expect(report.verdict.reasons[0].message).toMatch(/cancelled/);
    expect(report.load?.requests).toBeGreaterThan(0);
    expect(await qemuPidsFor(out)).toEqual([]);
  });
});
