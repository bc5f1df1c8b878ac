// --profile on Debian's stock 6.1 bzImage (scripts/linux-guest, with its vmlinux from the
// -dbg package as --symbols) under TCG and load: the samples resolve to the kernel's own
// function names. Debian's kernel unwinds with ORC, not frame pointers, so a stack is RIP
// and its inline chain; KASLR is off (nokaslr) so vmlinux's addresses are the running ones.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { readProfileFile } from "../profile/profile-file.ts";
import { cli, ROOT, readReport, tempDir } from "./cli-run.ts";

const run = promisify(execFile);
let image: { kernel: string; initrd: string; symbols: string };

beforeAll(async () => {
  const { stdout } = await run("bash", [join(ROOT, "scripts/linux-guest/build.sh")], { maxBuffer: 16 << 20 });
  const path = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(stdout)?.[1] ?? "";
  image = { kernel: path("KERNEL"), initrd: path("INITRD"), symbols: path("SYMBOLS") };
  expect(image.kernel && image.initrd && image.symbols, stdout).toBeTruthy();
}, 900_000);

describe("--profile of a Linux guest", () => {
  it("names the kernel's functions, with --symbols vmlinux", { timeout: 400_000 }, async () => {
    const out = await tempDir("soak-linux-profile-");
    const args = [
      ...["--kernel", image.kernel, "--initrd", image.initrd, "--symbols", image.symbols, "--accel", "tcg"],
      ...["--append", "console=ttyS0 nokaslr", "--guest-port", "8000-8255", "--paths", "/health=1"],
      ...["--requests", "3000", "--connections", "4", "--churn", "0", "--boot-timeout", "180", "--page-growth", "2048"],
      ...["--profile", "--out", out],
    ];
    const { code, stderr } = await cli(args).done;
    expect(code, stderr).toBe(0);
    expect((await readReport(out)).files["profile.json"]).toBe("profile.json");
    const p = await readProfileFile(out);
    expect(p.notes).toEqual([]);
    const steady = p.phases.steady;
    expect(steady?.samples).toBeGreaterThan(100);
    const named = (steady?.stacks ?? []).filter((s) => !/^0x/.test(s.frames.at(-1) ?? "0x"));
    const share = named.reduce((n, s) => n + s.count, 0) / (steady?.samples ?? 1);
    console.log(
      `Linux profile: ${steady?.samples} samples, ${(share * 100).toFixed(1)}% named; top ${p.top
        .slice(0, 5)
        .map((t) => `${t.name} ${t.self}`)
        .join(", ")}`,
    );
    expect(share).toBeGreaterThan(0.9);
    // C identifiers, as vmlinux's symbols name them (the idle loop, the network stack, ...)
    for (const t of p.top.slice(0, 5)) expect(t.name).toMatch(/^[A-Za-z_][\w.]*$/);
    // the boot is Linux's too: its own functions before the first healthy answer
    expect(p.phases.boot?.stacks.some((s) => /^[A-Za-z_]/.test(s.frames.at(-1) ?? ""))).toBe(true);
  });
});
