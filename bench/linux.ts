// The Linux reference the kernel is measured against: Debian's stock 6.1 kernel with a
// busybox initramfs and scripts/linux-guest/server.c (epoll, keep-alive), built by
// scripts/linux-guest/build.sh into its cache folder (downloaded once, then kept).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type Accel, hostTscKhz } from "../soak/index.ts";
import type { LinuxImage } from "./measure.ts";

/** scripts/linux-guest/build.sh --no-symbols: the bzImage and its initramfs (packages kept in its cache). */
export function linuxGuestImage(): { bzImage: string; initrd: string } {
  // --no-symbols: serving needs no vmlinux, so the 860 MB -dbg package is not fetched
  // (about 85 MB on the first run; its progress is on stderr)
  const script = fileURLToPath(new URL("../scripts/linux-guest/build.sh", import.meta.url));
  const stdout = execFileSync(script, ["--no-symbols"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  const paths = Object.fromEntries(stdout.split("\n").map((l) => l.split("=", 2)));
  if (!paths.KERNEL || !paths.INITRD)
    throw new Error(`scripts/linux-guest/build.sh printed no KERNEL/INITRD:\n${stdout}`);
  return { bzImage: paths.KERNEL, initrd: paths.INITRD };
}

export async function buildLinuxReference(accel: Accel): Promise<LinuxImage> {
  const { bzImage, initrd } = linuxGuestImage();
  let append = "console=ttyS0";
  // Under TCG Linux cannot calibrate its TSC on microvm (no PIT gate, no HPET) and hangs:
  // tell it the host's rate, which TCG's rdtsc runs at. Under KVM kvmclock gives it.
  // (The engine adds it itself, soak/vm/linux-tsc.ts; the bench boots through Guest.boot.)
  if (accel === "tcg") {
    const khz = await hostTscKhz();
    if (khz === undefined) throw new Error("no 'cpu MHz' in /proc/cpuinfo for Linux's tsc_early_khz=");
    append += ` tsc_early_khz=${khz}`;
  }
  return { bzImage, initrd, append };
}
