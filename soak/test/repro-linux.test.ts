// A Linux crash travels: Debian's bzImage with the initramfs of scripts/linux-guest/ (built
// there from Debian's packages, cached outside the repository) panics after some requests.
// Its report folder keeps the initrd and the --symbols ELF beside the kernel, and its
// reproduce command names them relative to the folder: run from a copy of the folder in
// another place, it boots and crashes again. `repro` on the report writes repro.sh,
// summary.md and verdict.json, and repro.sh boots the bzImage with its initrd and crashes it.
import { execFile, spawn } from "node:child_process";
import { cp, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { qemuPidsFor } from "../vm/qemu.ts";
import { cli, ROOT, readReport, TSX, tempDir } from "./cli-run.ts";

const run = promisify(execFile);
let kernel: string;
let initrd: string;

beforeAll(async () => {
  const { stdout } = await run("bash", [join(ROOT, "scripts/linux-guest/build.sh"), "--no-symbols"], {
    maxBuffer: 16 * 1024 * 1024,
  });
  kernel = /^KERNEL=(.*)$/m.exec(stdout)?.[1] ?? "";
  initrd = /^INITRD=(.*)$/m.exec(stdout)?.[1] ?? "";
  expect(kernel && initrd, stdout).toBeTruthy();
}, 600_000);

/** Runs `command` (a report's, `npx unikernel-soak@V …`) with bash in `cwd`, this checkout's CLI standing in for npx. */
function runCommand(command: string, cwd: string) {
  const npx = `npx() { shift; node --import ${TSX} ${join(ROOT, "cli/main.ts")} "$@"; }`;
  const child = spawn("bash", ["-c", `${npx}\n${command}`], { cwd });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise<{ code: number | null; stderr: string }>((r) => child.on("close", (code) => r({ code, stderr })));
}

describe("a Linux crash, reproduced from its report folder", () => {
  it("the folder keeps initrd and symbols; its command runs from a copy elsewhere; repro writes repro.sh", async () => {
    const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(await readFile("/proc/cpuinfo", "utf8"))?.[1];
    const append = `console=ttyS0 tsc_early_khz=${Math.round(Number(mhz) * 1000)} soak_crash=panic soak_crash_after=300`;
    const out = join(await tempDir("repro-linux-"), "report");
    // any ELF serves as --symbols here (Debian's vmlinux with DWARF is 860 MB): what matters is that it is kept
    const symbols = inject("kernelElf");
    const soak = await cli([
      ...["--kernel", kernel, "--initrd", initrd, "--symbols", symbols, "--append", append],
      ...["--accel", "tcg", "--guest-port", "8000-8255", "--paths", "/api/stats.json=1,/health=1"],
      ...["--page-growth", "2048", "--requests", "5000", "--connections", "4", "--boot-timeout", "120", "--out", out],
    ]).done;
    expect(soak.code, soak.stderr).toBe(1);
    const report = await readReport(out);
    expect(report.crash?.title).toMatch(/^kernel panic/);
    expect(report.files).toMatchObject({ initrd: "initramfs-6.1.0-57-amd64.cpio.gz", symbols: "kernel.elf" });
    expect(report.files.kernel).toMatch(/^vmlinuz-/);
    expect(report.command).toContain(`--initrd ${report.files.initrd}`);
    expect(report.command).toContain(`--symbols ${report.files.symbols}`);
    expect(report.command).not.toContain("/root/");

    // the folder, copied elsewhere, reproduces by its own command
    const copy = join(await tempDir("repro-linux-copy-"), "moved");
    await cp(out, copy, { recursive: true });
    const again = await runCommand(report.command, copy);
    expect(again.code, again.stderr).toBe(1);
    expect((await readReport(join(copy, "soak-report"))).crash?.title).toBe(report.crash?.title);

    // repro on the bzImage's report: no readElfInfo stack trace, every file written
    const r = await cli(["repro", out, "--attempts", "1", "--budget", "60"]).done;
    console.log(`repro of the Linux crash: ${r.stdout.split("\n").slice(0, 3).join("; ")}`);
    expect(r.stderr).not.toContain("at readElfInfo");
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(join(out, "repro"))).toEqual(
      expect.arrayContaining(["repro.sh", "summary.md", "verdict.json", "scenario.json"]),
    );
    const script = await run("bash", [join(out, "repro", "repro.sh")], { timeout: 180_000 }).then(
      (x) => ({ code: 0, stdout: x.stdout }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout + err.stderr }),
    );
    expect(await qemuPidsFor(out)).toEqual([]);
    expect(script.code, script.stdout).toBe(1);
    expect(script.stdout).toMatch(/^reproduced: crash — kernel panic/m);
    expect(script.stdout).toMatch(/\] Kernel panic - not syncing: sysrq triggered crash/);
  }, 900_000);
});
