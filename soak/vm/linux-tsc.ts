// Linux on microvm under TCG calibrates its TSC against the PIT at boot, and microvm has no
// PIT speaker gate or HPET to do it with: about one boot in eleven here (more on a busy
// host) ends with "tsc: Unable to calibrate against PIT … Marking TSC unstable" and no
// further output. TCG's rdtsc counts at the host's TSC rate, so the engine tells Linux that
// rate (tsc_early_khz=) unless the command line already does. Under KVM kvmclock gives it.
// Under the time warp (QEMU's icount) rdtsc counts virtual nanoseconds: 1 GHz, not the host's rate.
import { readFile } from "node:fs/promises";
import type { Accel } from "./qemu.ts";

/** The host CPU's rate in kHz from /proc/cpuinfo's first "cpu MHz" (what TCG's rdtsc counts at). */
export function tscKhzFromCpuinfo(cpuinfo: string): number | undefined {
  const mhz = /^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo);
  return mhz ? Math.round(Number(mhz[1]) * 1000) : undefined;
}

export async function hostTscKhz(): Promise<number | undefined> {
  return tscKhzFromCpuinfo(await readFile("/proc/cpuinfo", "utf8").catch(() => ""));
}

export const TSC_PARAM = "tsc_early_khz";
/** rdtsc's rate under icount: one tick a virtual nanosecond */
const ICOUNT_TSC_KHZ = 1_000_000;

const hasTscParam = (append: string) => new RegExp(`(^|\\s)${TSC_PARAM}=`).test(append);

/**
 * The command line a guest boots with: a bzImage under TCG gets tsc_early_khz=<host kHz>
 * unless `append` sets it; `note` says what was added (for the report), or why it could not be.
 */
export function guestAppend(
  append: string,
  guest: { bzImage: boolean; accel: Accel; hostKhz: number | undefined; timeWarp?: boolean },
): { append: string; note?: string } {
  if (!guest.bzImage || guest.accel !== "tcg" || hasTscParam(append)) return { append };
  if (guest.timeWarp) {
    const added = `${TSC_PARAM}=${ICOUNT_TSC_KHZ}`;
    return {
      append: append.trim() ? `${append} ${added}` : added,
      note: `the command line got ${added}: under the time warp (QEMU's icount) the TSC counts virtual nanoseconds, and Linux on microvm cannot calibrate it (no PIT speaker gate, no HPET); set ${TSC_PARAM}= in --append to choose another`,
    };
  }
  if (guest.hostKhz === undefined)
    return {
      append,
      note: `no "cpu MHz" in /proc/cpuinfo: Linux under TCG may fail to calibrate its TSC on microvm; set ${TSC_PARAM}=<host kHz> in --append`,
    };
  const added = `${TSC_PARAM}=${guest.hostKhz}`;
  return {
    append: append.trim() ? `${append} ${added}` : added,
    note: `the command line got ${added} (the host's TSC rate): Linux under TCG cannot calibrate its TSC on microvm (no PIT speaker gate, no HPET); set ${TSC_PARAM}= in --append to choose another`,
  };
}

/** For a guest that hung: the serial log's sign that Linux could not calibrate its TSC, with the fix. */
export function tscHangNote(serial: string, hostKhz: number | undefined): string | undefined {
  if (!/tsc: Unable to calibrate against PIT/.test(serial)) return undefined;
  const value = hostKhz === undefined ? "<host kHz>" : String(hostKhz);
  return `the serial log says "tsc: Unable to calibrate against PIT": Linux could not calibrate its TSC on microvm (no PIT speaker gate, no HPET; under TCG it fails now and then) and stopped there, a platform failure, not the kernel's: boot it with ${TSC_PARAM}=${value} in --append (the host's TSC rate)`;
}
