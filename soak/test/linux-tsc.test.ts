// Linux under TCG on microvm and its TSC (soak/vm/linux-tsc.ts): the command line a bzImage
// boots with, and the hang triage's note when a real Debian 6.1 boot could not calibrate
// (fixtures/serial/linux-6.1-tsc-uncalibrated.log, captured without tsc_early_khz=).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { guestAppend, hostTscKhz, tscHangNote, tscKhzFromCpuinfo } from "../vm/linux-tsc.ts";

const serial = (name: string) => readFileSync(join(import.meta.dirname, "fixtures/serial", name), "latin1");

describe("the command line", () => {
  const tcgLinux = { bzImage: true, accel: "tcg" as const, hostKhz: 2596138 };

  it("a bzImage under TCG gets the host's TSC rate, said in a note", () => {
    const r = guestAppend("console=ttyS0", tcgLinux);
    expect(r.append).toBe("console=ttyS0 tsc_early_khz=2596138");
    expect(r.note).toMatch(/^the command line got tsc_early_khz=2596138 \(the host's TSC rate\)/);
    expect(guestAppend("", tcgLinux).append).toBe("tsc_early_khz=2596138");
  });

  it("never overrides a rate the user set, and leaves PVH kernels and KVM alone", () => {
    expect(guestAppend("console=ttyS0 tsc_early_khz=1000000", tcgLinux)).toEqual({
      append: "console=ttyS0 tsc_early_khz=1000000",
    });
    expect(guestAppend("tsc_early_khz=1", tcgLinux)).toEqual({ append: "tsc_early_khz=1" });
    expect(guestAppend("console=ttyS0", { ...tcgLinux, accel: "kvm" })).toEqual({ append: "console=ttyS0" });
    expect(guestAppend("heartbeat_ms=300", { ...tcgLinux, bzImage: false })).toEqual({ append: "heartbeat_ms=300" });
    // another parameter that merely ends in the name is not it
    expect(guestAppend("x_tsc_early_khz=5", tcgLinux).append).toBe("x_tsc_early_khz=5 tsc_early_khz=2596138");
  });

  it("without the host's rate, says what to set instead of guessing", () => {
    const r = guestAppend("console=ttyS0", { ...tcgLinux, hostKhz: undefined });
    expect(r.append).toBe("console=ttyS0");
    expect(r.note).toContain("set tsc_early_khz=<host kHz> in --append");
  });

  it("reads the rate from /proc/cpuinfo's first cpu MHz", async () => {
    expect(tscKhzFromCpuinfo("processor\t: 0\ncpu MHz\t\t: 2596.138\ncpu MHz\t\t: 1.0\n")).toBe(2596138);
    expect(tscKhzFromCpuinfo("processor\t: 0\n")).toBeUndefined();
    expect(await hostTscKhz()).toBeGreaterThan(0); // this machine's
  });
});

describe("the hang triage", () => {
  it("names the cause and the fix when Linux could not calibrate against the PIT", () => {
    const note = tscHangNote(serial("linux-6.1-tsc-uncalibrated.log"), 2596138);
    expect(note).toMatch(/^the serial log says "tsc: Unable to calibrate against PIT"/);
    expect(note).toContain("a platform failure, not the kernel's");
    expect(note).toContain("tsc_early_khz=2596138 in --append");
  });

  it("says nothing for a boot that calibrated, or a hang of another kind", () => {
    expect(tscHangNote(serial("linux-6.1-gpf.log"), 2596138)).toBeUndefined(); // "Fast TSC calibration failed", then calibrated
    expect(tscHangNote(serial("kernel-clean.log"), 2596138)).toBeUndefined();
  });
});
