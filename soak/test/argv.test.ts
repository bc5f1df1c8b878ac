// options -> argv -> parseCli gives the same options back, so a report's "Reproduce"
// command runs what was run.
import { describe, expect, it } from "vitest";
import { optionsToArgv, reproduceCommand } from "../argv.ts";
import { parseCli } from "../cli-options.ts";
import type { SoakOptions } from "../options.ts";

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
