// The hostile harness's own checks can fail: the stand-in reads the engine's real QEMU
// command line, the invariants catch what they name, leftovers are found, and a seed
// always gives the same guest.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { qemuArgs } from "../vm/qemu.ts";
import { MARKUP, WORKFLOW_COMMANDS } from "./hostile/cases.ts";
import { generate } from "./hostile/generate.ts";
import { brokenInvariants, HOSTILE_TAG, workflowCommands } from "./hostile/invariants.ts";
import { leftovers } from "./hostile/run-case.ts";
import { parseQemuArgv } from "./hostile/vmm-argv.mjs";

describe("the stand-in VMM", () => {
  it("reads the command line the engine gives QEMU, a comma in a path included", () => {
    const argv = qemuArgs(
      {
        kernel: "/k.elf",
        accel: "tcg",
        dir: "/out,dir",
        hostPorts: [20001, 20002],
        guestPorts: [8000],
        append: "a=1",
      },
      "/run/qmp.sock",
      "/run/gdb.sock",
    );
    expect(parseQemuArgv(argv)).toEqual({
      serialPath: "/out,dir/serial.log",
      forwards: [
        { hostPort: 20001, guestPort: 8000 },
        { hostPort: 20002, guestPort: 8000 },
      ],
      qmpPath: "/run/qmp.sock",
      gdbPath: "/run/gdb.sock",
      kernel: "/k.elf",
      append: "a=1",
    });
  });
});

describe("the invariants", () => {
  it("take every workflow command form for one, and text that only holds '::' for none", () => {
    for (const c of WORKFLOW_COMMANDS) expect(workflowCommands(`x\n${c}\n`), c).toHaveLength(1);
    expect(workflowCommands("unikernel-soak: crash: serial: BUG: ::error::x\n50 req/s :: ok")).toEqual([]);
  });

  it("name a stack trace, a missing report, an exit code out of range, a command and raw guest markup", async () => {
    const out = await mkdtemp(join(tmpdir(), "hostile-invariants-"));
    try {
      const run = {
        code: 3,
        signal: null,
        stdout: `::error::x\n${HOSTILE_TAG}`,
        stderr: "TypeError: no\n    at parseStats (/x/guest-stats.ts:13:20)\n",
        overran: true,
      };
      const { broken } = await brokenInvariants(run, out);
      expect(broken.map((l) => l.slice(0, l.indexOf(":")))).toEqual([
        "finished",
        "exit",
        "no-throw",
        "no-command",
        "report",
      ]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it("find a case's process still running, and end it", async () => {
    const marker = `HOSTILE_CASE=harness-test-${process.pid}`;
    const child = spawn("sleep", ["30"], { env: { ...process.env, HOSTILE_CASE: marker.split("=")[1] } });
    await new Promise((r) => child.once("spawn", r));
    const exited = new Promise((r) => child.once("exit", r));
    expect(await leftovers(marker)).toEqual([expect.stringMatching(/^processes: left running: sleep 30/)]);
    await exited;
  });
});

describe("the generator", () => {
  it("gives the same guest for a seed, and different guests for different seeds", () => {
    expect(generate(7)).toEqual(generate(7));
    const guests = new Set(Array.from({ length: 50 }, (_, i) => JSON.stringify(generate(i))));
    expect(guests.size).toBe(50);
    expect(JSON.stringify(Array.from({ length: 50 }, (_, i) => generate(i)))).toContain(
      JSON.stringify(MARKUP[0]).slice(1, 12),
    );
  });
});
