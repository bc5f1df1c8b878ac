// The action's own output with a hostile guest, as the runner reads it: the soak's log
// group, the outputs, the crash annotation and the step's failure. Only the commands the
// action means to issue may come of it.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderSummary } from "../../soak/index.ts";
import { COUNTER, hostileReport, PAYLOADS } from "../../soak/test/hostile.ts";
import { brokenTables } from "../../soak/test/markdown-shape.ts";
import { guestLogGroup } from "../guest-log.ts";
import type { ActionConfig } from "../inputs.ts";
import { reportOutcome } from "../outcome.ts";
import { obeyedCommands } from "./runner-commands.ts";

let dir: string;
let stdout: string;
const saved = { ...process.env };
const write = process.stdout.write;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "guest-log-"));
  for (const f of ["GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT", "GITHUB_STATE"]) {
    process.env[f] = join(dir, f);
    await writeFile(join(dir, f), "");
  }
  process.env.GITHUB_WORKSPACE = dir;
  stdout = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
});

afterEach(async () => {
  process.stdout.write = write;
  process.env = { ...saved };
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe("the action's log with a hostile guest", () => {
  it("the soak's group: every line neutralised, commands stopped under a token the guest cannot know", async () => {
    const result = await guestLogGroup("Soak", async (log) => {
      for (const p of [...PAYLOADS, COUNTER]) log(`crash: serial: ${p}`);
      return 7;
    });
    expect(result).toBe(7);
    const obeyed = obeyedCommands(stdout).map((c) => c.command);
    expect(obeyed).toEqual(["group", "stop-commands", "resume-commands", "endgroup"]);
    const token = /::stop-commands::(\S+)/.exec(stdout)?.[1] ?? "";
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    // escaped as well as wrapped: with the wrapping gone, still nothing to obey
    const inside = stdout.split("\n").filter((l) => l.startsWith("crash: serial: "));
    expect(inside).toHaveLength(PAYLOADS.length + 1);
    expect(obeyedCommands(inside.join("\n"))).toEqual([]);
  });

  it("a second group gets a token of its own", async () => {
    await guestLogGroup("a", async () => undefined);
    await guestLogGroup("b", async () => undefined);
    const tokens = [...stdout.matchAll(/::stop-commands::(\S+)/g)].map((m) => m[1]);
    expect(new Set(tokens).size).toBe(2);
  });

  it("outputs, the annotation, the failure and the job summary: only the action's own commands", async () => {
    const report = hostileReport();
    await writeFile(join(dir, "summary.md"), renderSummary(report, []));
    const config = { upload: "never", requireKvm: false } as ActionConfig;
    await reportOutcome(report, config, { elf: "kernel.elf", sourceRoot: dir, bundled: false }, dir, process.env);
    const obeyed = obeyedCommands(stdout);
    expect(obeyed.map((c) => c.command)).toEqual(["error", "error"]); // the crash annotation, setFailed
    // each one line (core escapes newlines), with no `##[` a runner could fall back to
    for (const { line } of obeyed) expect(line).not.toMatch(/##\[|\p{Cc}/u);
    const outputs = await readFile(join(dir, "GITHUB_OUTPUT"), "utf8");
    const title = /fault-title<<(\S+)\n([\s\S]*?)\n\1/.exec(outputs)?.[2] ?? "";
    expect(title).toMatch(/^crash pattern matched: /);
    expect(title).not.toMatch(/##\[|\p{Cc}/u);
    expect(brokenTables(await readFile(join(dir, "GITHUB_STEP_SUMMARY"), "utf8"))).toEqual([]);
    expect(process.exitCode).toBe(1);
  });
});
