// The flag table is the one place a flag is written: a table with one more row
// (--example-knob) gets it in --help, the parser and its bounds, the reproduce command,
// scenario files and the action's inputs, with nothing else changed.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readInputs } from "../../action/inputs.ts";
import { optionsToArgv, savedOptionsToArgv } from "../argv.ts";
import { parseCli } from "../cli-options.ts";
import { type Flag, type FlagTable, flagsOf } from "../flags/flag.ts";
import { parseNumber, whole } from "../flags/kinds.ts";
import { FLAGS } from "../flags/table.ts";
import { usage } from "../flags/usage.ts";
import type { SoakOptions } from "../options.ts";
import { scenarioOf } from "../scenario.ts";

const knob: Flag = {
  name: "example-knob",
  option: "exampleKnob",
  kind: whole(1, 9),
  value: "N",
  help: "how far the example knob turns (default {default})",
  input: { description: "How far the example knob turns." },
};
const TABLE: FlagTable = {
  sections: [...FLAGS.sections, { title: "examples", flags: [knob] }],
  defaults: { ...FLAGS.defaults, exampleKnob: 3 },
};
type Knobbed = SoakOptions & { exampleKnob: number };
const parse = (argv: string[]) => parseCli(argv, TABLE) as Knobbed;

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

describe("a table with one more row", () => {
  it("shows it in --help, in its own section, with its default", () => {
    expect(usage(TABLE)).toMatch(/\nexamples\n {2}--example-knob N {9}how far the example knob turns \(default 3\)\n/);
    expect(usage(FLAGS)).not.toContain("example-knob");
  });

  it("parses it, defaults it, and refuses it out of its bounds", () => {
    expect(parse([]).exampleKnob).toBe(3);
    expect(parse(["--example-knob", "7"]).exampleKnob).toBe(7);
    expect(() => parse(["--example-knob", "10"])).toThrow("--example-knob: 10 is more than the 9 this tool accepts");
    expect(() => parse(["--example-knob", "0"])).toThrow("--example-knob: expected a whole number ≥ 1, got 0");
    expect(() => parse(["--example-knob", "2.5"])).toThrow("--example-knob: expected a whole number ≥ 1, got 2.5");
    expect(() => parseCli(["--example-knob", "7"])).toThrow(/Unknown option '--example-knob'/);
  });

  it("writes it back for the reproduce command (and a report's saved options), only when not the default", () => {
    const o = parse(["--example-knob", "7", "--requests", "500"]);
    expect(optionsToArgv(o, TABLE)).toEqual(["--requests", "500", "--example-knob", "7"]);
    expect(optionsToArgv(parse([]), TABLE)).toEqual([]);
    expect(parse(optionsToArgv(o, TABLE))).toEqual(o);
    expect(savedOptionsToArgv({ exampleKnob: 5 }, TABLE)).toEqual(["--example-knob", "5"]);
    expect(() => parse(savedOptionsToArgv({ exampleKnob: 50 }, TABLE))).toThrow(/more than the 9/);
  });

  it("reads it from a scenario file and writes it into one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flags-scenario-"));
    dirs.push(dir);
    const file = join(dir, "scenario.json");
    await writeFile(file, JSON.stringify({ "example-knob": 8, connections: 2 }));
    const o = parse(["--scenario", file]);
    expect([o.exampleKnob, o.connections]).toEqual([8, 2]);
    expect(scenarioOf(o, dir, TABLE)).toEqual({ "example-knob": 8, connections: 2 });
    expect(parse(["--scenario", file, "--example-knob", "1"]).exampleKnob).toBe(1);
  });

  it("is an input of the action, checked as the flag is and named as an input", () => {
    const read = (inputs: Record<string, string>) => readInputs((n) => inputs[n] ?? "", "/tmp/out", TABLE);
    expect((read({ "example-knob": "6" }).options as Knobbed).exampleKnob).toBe(6);
    expect((read({}).options as Knobbed).exampleKnob).toBe(3);
    expect(() => read({ "example-knob": "12" })).toThrow("input 'example-knob': 12 is more than the 9");
  });
});

describe("the real table", () => {
  it("has a row for every engine option but the sampling interval, each option once", () => {
    // every key of SoakOptions (the type check fails when one is missing here)
    const every: Record<keyof SoakOptions, true> = {
      ...{ kernel: true, symbols: true, fault: true, append: true, initrd: true, memoryMiB: true, qemu: true },
      ...{ qemuArgs: true, accel: true, network: true, requests: true, durationS: true, connections: true },
      ...{ churnPercent: true, pipelining: true, loadWorkers: true, paths: true, requestTimeoutS: true },
      ...{ healthPath: true, statsPath: true, guestPorts: true, intervalMs: true, healthFailures: true },
      ...{ healthTimeoutMs: true, bootTimeoutS: true, txStallBudget: true, rssGrowthMiB: true, pageGrowth: true },
      ...{ p99GrowthMs: true, warmupS: true, hangDumpMiB: true, counters: true, crashPatterns: true, out: true },
      ...{ timeWarp: true, uptimeS: true, rate: true },
      ...{ profileHz: true },
    };
    const options = flagsOf(FLAGS).flatMap((f) => (f.option ? [f.option] : []));
    expect(new Set(options).size).toBe(options.length);
    expect(options.sort()).toEqual(
      Object.keys(every)
        .filter((k) => k !== "intervalMs")
        .sort(),
    );
  });

  it.each(["1e99", "0x10", "-1", "+3", "1.", ".5", "", "Infinity", "NaN"])("one number parser refuses %j", (text) => {
    expect(() => parseNumber(text, "requests")).toThrow(`--requests: expected a number, got "${text}"`);
  });

  it.each([
    ["--requests", "0", /expected a whole number ≥ 1, got 0/],
    ["--connections", "0", /expected a whole number ≥ 1, got 0/],
    ["--pipelining", "0", /expected a whole number ≥ 1, got 0/],
    ["--health-failures", "0", /expected a whole number ≥ 1, got 0/],
    ["--boot-timeout", "0", /expected a whole number ≥ 1, got 0/],
    ["--memory", "32", /expected a whole number ≥ 64, got 32/],
    ["--churn", "100.5", /100.5 is more than the 100 this tool accepts/],
    ["--rss-growth-mb", "0", /expected a number above 0, got 0/],
    ["--health-path", "health", /must start with "\/", got "health"/],
    ["--stats-path", "stats", /must start with "\/" \(or be none, for a kernel without counters\)/],
  ])("%s %s is refused by its row's bounds", (flag, value, message) => {
    expect(() => parseCli([flag, value])).toThrow(message);
  });

  it("keeps the rules between options: connections ≤ requests, --fault only for the bundled kernel", () => {
    expect(() => parseCli(["--requests", "5", "--connections", "6"])).toThrow(
      "--connections (6) cannot exceed --requests (5)",
    );
    expect(() => parseCli(["--kernel", "k.elf", "--fault", "pf-chunker"])).toThrow(/cannot be combined with --kernel/);
  });

  it("paces the warp at 100 requests a second of the guest's time unless --rate says otherwise", () => {
    expect((parseCli(["--time-warp"]) as SoakOptions).rate).toBe(100);
    expect((parseCli(["--time-warp", "--rate", "0"]) as SoakOptions).rate).toBe(0);
    expect((parseCli([]) as SoakOptions).rate).toBe(0);
    expect((parseCli(["--time-warp", "--stats-path", "none"]) as SoakOptions).rate).toBe(0);
    expect(optionsToArgv(parseCli(["--time-warp", "--rate", "0"]) as SoakOptions)).toEqual([
      "--time-warp",
      "--rate",
      "0",
    ]);
  });

  it("reads the time warp's flags: a switch, a duration and a rate, and writes them back", async () => {
    const o = parseCli(["--time-warp", "--uptime", "1h24m", "--rate", "3", "--out", "x"]) as SoakOptions;
    expect([o.timeWarp, o.uptimeS, o.rate, o.requests]).toEqual([true, 5040, 3, 1e12]);
    expect(optionsToArgv(o)).toEqual(expect.arrayContaining(["--time-warp", "--uptime", "1h24m", "--rate", "3"]));
    expect(parseCli(optionsToArgv(o))).toEqual(o);
    expect((parseCli(["--uptime", "90s"]) as SoakOptions).uptimeS).toBe(90);
    expect((parseCli(["--uptime", "1.5s"]) as SoakOptions).uptimeS).toBe(1.5);
    expect(optionsToArgv(parseCli(["--uptime", "1.5s"]) as SoakOptions)).toEqual(["--uptime", "1s500ms"]);
    expect((parseCli(["--time-warp=false"]) as SoakOptions).timeWarp).toBe(false);
    expect(() => parseCli(["--uptime", "6 hours"])).toThrow(/--uptime: expected a duration such as 1h24m/);
    expect(() => parseCli(["--uptime", "0s"])).toThrow(/--uptime: expected a duration above 0/);
    expect(() => parseCli(["--time-warp", "yes"])).toThrow(/--time-warp: takes no value \(or true\/false\), got "yes"/);
    expect(() => parseCli(["--time-warp", "--accel", "kvm"])).toThrow(
      /--time-warp runs the guest under QEMU's instruction counter/,
    );
    expect(() => parseCli(["--rate", "3", "--stats-path", "none"])).toThrow(
      /--rate goes by the guest's uptime counter/,
    );
    const dir = await mkdtemp(join(tmpdir(), "flags-warp-"));
    dirs.push(dir);
    const scenario = scenarioOf(o, dir);
    expect(scenario).toMatchObject({ "time-warp": true, uptime: "1h24m", rate: 3 });
    const file = join(dir, "scenario.json");
    await writeFile(file, JSON.stringify(scenario));
    expect(parseCli(["--scenario", file, "--out", "x"])).toEqual(o);
    await writeFile(file, JSON.stringify({ "time-warp": "on" }));
    expect(() => parseCli(["--scenario", file])).toThrow(/"time-warp" must be true or false/);
    const read = (inputs: Record<string, string>) => readInputs((n) => inputs[n] ?? "", "/tmp/out");
    expect(read({ "time-warp": "true", uptime: "6h" }).options).toMatchObject({ timeWarp: true, uptimeS: 21600 });
    expect(read({ "time-warp": "false" }).options.timeWarp).toBe(false);
    expect(() => read({ "time-warp": "yes" })).toThrow(/input 'time-warp': takes no value \(or true\/false\)/);
  });
});
