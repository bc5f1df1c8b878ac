// The serial signature table against real captured logs (fixtures/serial).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CrashDetector, type CrashReport } from "../watch/crash-detector.ts";

function scan(name: string): CrashReport[] {
  const text = readFileSync(join(import.meta.dirname, "fixtures/serial", name), "latin1");
  const d = new CrashDetector();
  const found: CrashReport[] = [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop(); // the newline ending the last line
  for (const line of lines) {
    const r = d.feed(line.replace(/\r$/, ""));
    if (r) found.push(r);
  }
  const last = d.flush();
  if (last) found.push(last);
  return found;
}

describe("crash signatures", () => {
  it("finds nothing in a clean boot", () => {
    expect(scan("kernel-clean.log")).toEqual([]);
  });

  it("parses the seed's page-fault dump with its register lines", () => {
    const [r, ...more] = scan("kernel-fault-pf.log");
    expect(more).toEqual([]);
    expect(r.kind).toBe("page-fault");
    expect(r.fields).toEqual(["0xffffffffffffff88", "0x0000000000000000"]);
    expect(r.corrupted).toBeUndefined();
    expect(r.registers?.cs).toBe(8n);
    expect(r.registers?.rip).toBeGreaterThan(0x100000n);
    expect(r.lines).toHaveLength(3);
  });

  it("parses a stack overflow as a write fault", () => {
    const [r] = scan("kernel-fault-stack.log");
    expect(r.kind).toBe("page-fault");
    expect(r.fields[1]).toBe("0x0000000000000002");
    expect(r.registers).toBeDefined();
  });

  it("parses a wasm trap", () => {
    const [r] = scan("kernel-fault-trap.log");
    expect(r.kind).toBe("trap");
    expect(r.fields).toEqual(["oob"]);
    expect(r.registers).toBeDefined();
  });

  it("parses an AssemblyScript panic with its message", () => {
    const [r] = scan("kernel-fault-panic.log");
    expect(r.kind).toBe("panic");
    expect(r.fields[0]).toMatch(/^panic requested on the command line at kernel\/src\/faults\.ts:\d+:\d+$/);
    expect(r.registers).toBeDefined();
  });

  it("reports the seed's excerpt, whose ISR printed no registers, as a corrupted page fault", () => {
    const [r] = scan("seed-excerpt.log");
    expect(r.kind).toBe("page-fault");
    expect(r.fields[0]).toBe("0xffffffffffffff88");
    expect(r.corrupted).toMatch(/register lines missing/);
  });

  it("reports a dump cut off mid-line as corrupted, never dropping it", () => {
    const [r] = scan("kernel-fault-pf-truncated.log");
    expect(r.kind).toBe("page-fault");
    expect(r.corrupted).toMatch(/expected a RFL=… RSP=… SS=… line, got "RFL=0x/);
  });

  it("finds the panic in a real Linux boot log", () => {
    const found = scan("linux-6.1-panic-no-rootfs.log");
    expect(found.map((r) => r.kind)).toEqual(["linux-panic"]);
    expect(found[0].fields[0]).toMatch(/^VFS: Unable to mount root fs on /);
  });

  it("knows the other CPU exceptions and Linux oops and panic lines", () => {
    const d = new CrashDetector();
    expect(d.feed("GP at 0x0000000000101234 err=0x0000000000000000")).toBeUndefined();
    d.feed("RIP=0x0000000000101234 CS=0x0000000000000008");
    expect(d.feed("RFL=0x0000000000010206 RSP=0x0000000000187000 SS=0x0000000000000010")?.kind).toBe("exception");
    // a Linux headline opens a report block, ended by its end line or by the log stopping
    const oops = new CrashDetector();
    expect(oops.feed("[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000008")).toBeUndefined();
    expect(oops.flush()?.kind).toBe("linux-oops");
    const panic = new CrashDetector();
    expect(panic.feed("[    0.912345] Kernel panic - not syncing: VFS: Unable to mount root fs")).toBeUndefined();
    expect(
      panic.feed("[    0.912345] ---[ end Kernel panic - not syncing: VFS: Unable to mount root fs ]---")?.fields,
    ).toEqual(["VFS: Unable to mount root fs"]);
  });

  it("takes extra patterns from the user", () => {
    expect(new CrashDetector([/^ASSERTION FAILED/]).feed("ASSERTION FAILED: x > 0")?.kind).toBe("custom");
  });
});
