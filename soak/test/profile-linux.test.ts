// --profile on Debian's stock 6.1 bzImage (scripts/linux-guest, with its vmlinux from the
// -dbg package as --symbols) under TCG and load: the samples resolve to the kernel's own
// function names (a module's stay addresses, and so does the user program's: vmlinux does
// not hold them). Debian's kernel unwinds with ORC, not frame pointers, so a stack is RIP
// and its inline chain. KASLR is on, as Debian ships it: the engine reads from the guest's
// page tables how far the image moved and moves the samples back.
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
      ...["--append", "console=ttyS0", "--guest-port", "8000-8255", "--paths", "/health=1"],
      ...["--requests", "3000", "--connections", "4", "--churn", "0", "--boot-timeout", "180", "--page-growth", "2048"],
      ...["--profile", "--out", out],
    ];
    const { code, stderr } = await cli(args).done;
    expect(code, stderr).toBe(0);
    expect((await readReport(out)).files["profile.json"]).toBe("profile.json");
    const p = await readProfileFile(out);
    expect(p.notes).toEqual([
      expect.stringMatching(/^the kernel ran 0x[0-9a-f]+ above .* \(KASLR, read from its page tables\)/),
    ]);
    const steady = p.phases.steady;
    expect(steady?.samples).toBeGreaterThan(100);
    const stacks = steady?.stacks ?? [];
    const sum = (list: typeof stacks) => list.reduce((n, s) => n + s.count, 0);
    const named = sum(stacks.filter((s) => !/^0x/.test(s.frames.at(-1) ?? "0x")));
    // an address left: in a module (virtio_net and the like) or the user program (server.c)
    const elsewhere = (f: string) => BigInt(f) >= 0xffffffffc0000000n || BigInt(f) < 0x800000000000n;
    const inVmlinux = stacks.filter((s) => s.frames.every((f) => !/^0x/.test(f) || !elsewhere(f)));
    const share = named / (steady?.samples ?? 1);
    console.log(
      `Linux profile: ${steady?.samples} samples, ${(share * 100).toFixed(1)}% named; top ${p.top
        .slice(0, 5)
        .map((t) => `${t.name} ${t.self}`)
        .join(", ")}`,
    );
    expect(share).toBeGreaterThan(0.5);
    // every sample in vmlinux's own text is named, as C identifiers (the idle loop first, here)
    expect(sum(inVmlinux.filter((s) => s.frames.some((f) => /^0x/.test(f))))).toBe(0);
    expect(sum(inVmlinux)).toBe(named);
    expect(p.top[0].name).toMatch(/^[A-Za-z_]\w*$/);
    // the boot is Linux's too: its own functions before the first healthy answer
    expect(p.phases.boot?.stacks.some((s) => /^[A-Za-z_]/.test(s.frames.at(-1) ?? ""))).toBe(true);
  });
});
