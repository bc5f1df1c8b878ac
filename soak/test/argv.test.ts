// options -> argv -> parseCli gives the same options back, so a report's "Reproduce"
// command runs what was run.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { optionsToArgv, reproduceCommand } from "../argv.ts";
import { parseCli } from "../cli-options.ts";
import type { SoakOptions } from "../options.ts";
import { scenarioOf } from "../scenario.ts";

const parse = (argv: string[]) => parseCli(argv) as SoakOptions;
const comparable = (o: SoakOptions) => ({ ...o, crashPatterns: o.crashPatterns.map(String) });

describe("options -> argv", () => {
  it("gives no flags for the defaults", () => {
    expect(optionsToArgv(parse([]))).toEqual([]);
  });

  it.each([
    [["--kernel", "k.elf", "--requests", "100000", "--append", "fault_after_requests=2000 heartbeat_ms=0"]],
    [["--fault", "pf-chunker", "--memory", "512", "--accel", "tcg", "--duration", "30", "--connections", "7"]],
    [["--paths", "/health=3,inm:/style.css=1,/=0", "--pipelining", "4", "--request-timeout", "3"]],
    [["--guest-port", "80,8000-8003", "--health-path", "/h", "--stats-path", "/s.json", "--out", "elsewhere"]],
    [["--health-failures", "5", "--health-timeout", "900", "--boot-timeout", "20", "--tx-stall-budget", "3"]],
    [["--rss-growth-mb", "12.5", "--page-growth", "4", "--warmup", "2", "--counter", "tx-stalls=stalls"]],
    [["--hang-dump-mb", "0"]],
    [["--load-workers", "2"]],
    [["--crash-pattern", "^BUG: .*$", "--crash-pattern", "oops ('x')", "--qemu", "/opt/q", "--qemu-arg=-smp"]],
    [["--initrd", "i.img", "--qemu-arg=-d", "--qemu-arg", "int", "--counter", "boot-id=id"]],
  ])("round-trips %j through parseCli", (argv) => {
    const o = parse(argv);
    expect(comparable(parse(optionsToArgv(o)))).toEqual(comparable(o));
  });

  it("reproduces from the report folder: its ELF, no fault switch, no runner paths, the exact version", () => {
    const o = parse(["--fault", "pf-chunker", "--append", "fault_after_requests=2000", "--out", "/runner/tmp/x"]);
    expect(reproduceCommand(o, "kernel-pf-chunker.elf", "0.1.0")).toBe(
      "npx unikernel-soak@0.1.0 --kernel kernel-pf-chunker.elf --append fault_after_requests=2000",
    );
    expect(reproduceCommand(parse(["--append", "a b"]), "kernel.elf", "1.2.3")).toBe(
      "npx unikernel-soak@1.2.3 --kernel kernel.elf --append 'a b'",
    );
  });
});

describe("scenario files", () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));
  const write = async (s: unknown) => {
    const dir = await mkdtemp(join(tmpdir(), "scenario-"));
    dirs.push(dir);
    const file = join(dir, "scenario.json");
    await writeFile(file, typeof s === "string" ? s : JSON.stringify(s));
    return file;
  };

  it("gives the options it was made from, its kernel relative to its own folder; flags on the command line win", async () => {
    const o = parse([
      "--kernel",
      "/r/k.elf",
      "--requests",
      "2100",
      "--paths",
      "/health=1",
      "--qemu-arg=-d",
      "--out",
      "x",
    ]);
    const s = scenarioOf(o, "/r/repro");
    expect(s).toEqual({ kernel: "../k.elf", requests: 2100, paths: "/health=1", "qemu-arg": "-d" });
    const file = await write(s);
    const back = parse(["--scenario", file, "--connections", "1"]);
    expect(comparable(back)).toEqual(
      comparable({ ...o, kernel: resolve(dirname(file), "../k.elf"), connections: 1, out: "soak-report" }),
    );
    expect(parse(["--scenario", file, "--requests", "500"]).requests).toBe(500);
  });

  it("reads every file it names relative to itself, wherever it is run from", async () => {
    const file = await write({ kernel: "k.elf", symbols: "vmlinux", initrd: "../initrd.img" });
    const dir = dirname(file);
    const o = parse(["--scenario", file]);
    expect([o.kernel, o.symbols, o.initrd]).toEqual([
      join(dir, "k.elf"),
      join(dir, "vmlinux"),
      resolve(dir, "../initrd.img"),
    ]);
    expect(scenarioOf(o, dir)).toMatchObject({ kernel: "k.elf", symbols: "vmlinux", initrd: "../initrd.img" });
  });

  it.each([
    ["not json", /cannot read it as JSON/],
    [[1], /expected a JSON object of flags/],
    [{ bogus: 1 }, /--scenario .*Unknown option '--bogus'/],
    [{ out: "elsewhere" }, /"out" is not an engine option/],
    [{ requests: true }, /"requests" must be a string or a number/],
    [{ requests: "lots" }, /--requests: expected a number, got "lots"/],
  ])("refuses %j, saying why", async (content, message) => {
    const file = await write(content);
    expect(() => parse(["--scenario", file])).toThrow(message);
  });
});
