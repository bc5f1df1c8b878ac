// repro takes nothing in a report.json on trust: its options go through the command line's
// own parser and checks (a hand-edited file is refused with exit 2, naming what is wrong,
// before anything boots), and the QEMU it names is never the one run.
import { copyFile, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { readFailure } from "../repro/failure.ts";
import { cli, tempDir } from "./cli-run.ts";

/** A report folder of a crash, as a soak leaves it (a real report.json, its verdict a crash),
 * with `options` as someone edited them. */
async function editedReport(options: Record<string, unknown>): Promise<string> {
  const dir = await tempDir("repro-options-");
  await copyFile(inject("kernelElf"), join(dir, "kernel.elf"));
  const report = JSON.parse(await readFile(join(import.meta.dirname, "fixtures/reports/pass-20k.json"), "utf8"));
  report.verdict = { kind: "crash", exitCode: 1, reasons: [{ kind: "crash", message: "PF", at: Date.now() }] };
  report.options = {
    requests: 2000,
    connections: 4,
    paths: [{ path: "/health", weight: 1, revalidate: false }],
    ...options,
  };
  report.files = { kernel: "kernel.elf" };
  await writeFile(join(dir, "report.json"), JSON.stringify(report));
  return dir;
}

describe("repro: the report's options", () => {
  it.each([
    [{ connections: "lots" }, /--connections: expected a number, got "lots"/],
    [{ connections: 5000 }, /--connections: 5000 is more than the 4096/],
    [{ paths: "/health" }, /options\.paths: "\/health" is not a value it takes/],
    [{ healthPath: "health" }, /--health-path: must start with "\/", got "health"/],
    [{ crashPatterns: ["/(/"] }, /--crash-pattern: Invalid regular expression/],
  ])("%j is refused, exit 2, before anything boots", async (options, message) => {
    const dir = await editedReport(options);
    const r = await cli(["repro", dir]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/report\.json's options are refused, as the command line would refuse them/);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(await readdir(dir)).not.toContain("repro");
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell payload, meant literally
  const payload = "/health?$(touch${IFS}x)";
  it("the QEMU a report names is not run: repro's own --qemu, else the one on PATH", async () => {
    const dir = await editedReport({ qemu: "/tmp/not-qemu", healthPath: payload });
    expect((await readFailure(dir)).options.qemu).toBeUndefined();
    expect((await readFailure(dir, "/usr/bin/qemu-system-x86_64")).options.qemu).toBe("/usr/bin/qemu-system-x86_64");
    // a value the command line takes is kept as it is: repro.sh quotes it (repro-script.test.ts)
    expect((await readFailure(dir)).options.healthPath).toBe(payload);
  });

  it("runs the extra QEMU arguments a report names only when told to", async () => {
    const dir = await editedReport({ qemuArgs: ["-netdev", "tap,id=x,script=/tmp/evil"] });
    const r = await cli(["repro", dir]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('report.json asks for extra QEMU arguments ("-netdev" "tap,id=x,script=/tmp/evil")');
    expect(r.stderr).toContain("--allow-qemu-args");
    expect(await readdir(dir)).not.toContain("repro");
    expect((await readFailure(dir, undefined, true)).options.qemuArgs).toEqual([
      "-netdev",
      "tap,id=x,script=/tmp/evil",
    ]);
  });
});
