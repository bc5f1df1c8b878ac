// The oldest QEMU supported (soak/vm/qemu-version.ts) is checked before anything boots: an
// older one is one clear line and exit 2, and is never started.
import { execFile } from "node:child_process";
import { access, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { parseQemuVersion, qemuVersion } from "../vm/qemu-version.ts";
import { cli, readReport, soakArgs, tempDir } from "./cli-run.ts";

const elf = inject("kernelElf");
const run = promisify(execFile);

describe("the oldest QEMU supported", () => {
  it("this machine's QEMU is new enough", async () => {
    const { stdout } = await run("qemu-system-x86_64", ["--version"]);
    expect(parseQemuVersion(stdout)).toBeDefined();
    expect(await qemuVersion()).toEqual({ line: stdout.split("\n")[0] });
  });

  it("an older one ends the soak before it boots, saying which and what to do", async () => {
    // a QEMU 6.1 cannot be had here: a stand-in that answers --version as it does, and
    // leaves a mark if it is ever started for a guest
    const dir = await tempDir("soak-old-qemu-");
    const qemu = join(dir, "qemu-system-x86_64");
    const started = join(dir, "started");
    await writeFile(
      qemu,
      `#!/bin/sh\n[ "$1" = --version ] && { echo 'QEMU emulator version 6.1.1 (Debian 1:6.1+dfsg-8)'; exit 0; }\ntouch '${started}'\n`,
      { mode: 0o755 },
    );
    const { code, stderr } = await cli(soakArgs(elf, join(dir, "out"), 1000, "--qemu", qemu)).done;
    expect(stderr).toContain(`${qemu} is QEMU 6.1, older than 6.2, the oldest this soak supports: install a newer`);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(code).toBe(2);
    await expect(access(started)).rejects.toThrow();
    // the report written on the way out says which QEMU it was
    expect((await readReport(join(dir, "out"))).host.qemu).toBe("QEMU emulator version 6.1.1 (Debian 1:6.1+dfsg-8)");
  });
});
