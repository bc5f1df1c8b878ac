// One report folder, one soak: a second soak started on a folder a live soak is writing
// into is refused (exit 2) and leaves the first one's files alone; the QEMU of a folder is
// found by that folder exactly (the action's post step kills it), never by a prefix of it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { LOCK } from "../out-dir.ts";
import { qemuPidsFor } from "../vm/qemu.ts";
import { cli, guestReady, readReport, soakArgs, tempDir } from "./cli-run.ts";

const elf = inject("kernelElf");
const REQUESTS = 80_000;

describe("a report folder in use", () => {
  it("refuses a second soak on it, and finds its QEMU by the folder itself", async () => {
    const root = await tempDir("soak-out-lock-");
    const out = join(root, "job2");
    // long enough (about 15 s under TCG) to be running while the second soak is refused
    const first = cli(soakArgs(elf, out, REQUESTS, "--network", "user"));
    await guestReady(out);
    const [pid] = await qemuPidsFor(out);
    expect(pid).toBeGreaterThan(0);
    // `…/job` is a prefix of `…/job2`: not its folder
    expect(await qemuPidsFor(join(root, "job"))).toEqual([]);
    expect(await qemuPidsFor(root, { under: true })).toEqual([pid]);

    const second = await cli(soakArgs(elf, out, 1000, "--network", "user")).done;
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/another soak \(pid \d+ on .*\) is writing its report there/);
    expect(second.stdout).not.toContain("report:");

    const done = await first.done;
    expect(done.code, done.stderr).toBe(0);
    const report = await readReport(out);
    expect(report.load?.requests).toBe(REQUESTS);
    expect(await readFile(join(out, "serial.log"), "utf8")).toContain("ready");
    await expect(readFile(join(out, LOCK))).rejects.toThrow(/ENOENT/);
  });
});
