// The oldest QEMU the soak supports: 6.2, Ubuntu 22.04's (GitHub's ubuntu-22.04 runners; 24.04
// has 8.2, Debian 12 7.2). Older ones lack parts of microvm the engine asks for (ACPI for a
// bzImage, its PIT and option-ROM switches) or were never tried. Checked before anything
// boots, so a runner with an old QEMU gets one clear line instead of a guest that never answers.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);
export const OLDEST_QEMU = { major: 6, minor: 2 };

/** "QEMU emulator version 8.2.2 (…)" → [8, 2]; undefined for anything else (a stand-in, a wrapper). */
export function parseQemuVersion(text: string): [number, number] | undefined {
  const m = /QEMU emulator version (\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** What `qemu --version` says of itself: its first line (recorded in report.json's host.qemu),
 * and why it is too old, if it is (undefined: new enough, or a program that names no QEMU version). */
export async function qemuVersion(qemu = "qemu-system-x86_64"): Promise<{ line?: string; tooOld?: string }> {
  const out = await run(qemu, ["--version"], { timeout: 10_000 }).then(
    (r) => r.stdout,
    () => "", // not there, or no answer to --version: starting it says why
  );
  const line = out.split("\n")[0].trim().slice(0, 200) || undefined;
  const version = parseQemuVersion(out);
  if (!version) return { line };
  const [major, minor] = version;
  const { major: oldestMajor, minor: oldestMinor } = OLDEST_QEMU;
  if (major > oldestMajor || (major === oldestMajor && minor >= oldestMinor)) return { line };
  return {
    line,
    tooOld: `${qemu} is QEMU ${major}.${minor}, older than ${oldestMajor}.${oldestMinor}, the oldest this soak supports: install a newer qemu-system-x86 (Ubuntu 22.04 and Debian 12 have one) or pass --qemu with the path of one`,
  };
}
