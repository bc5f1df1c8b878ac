// /dev/net/tun open to every user for the test run, as udev makes it on a distribution's
// machine (GitHub's hosted runners among them: 0666); a container's is often 0600, and the
// tests that run the soak as a runner's user (soak/test/runner-user.ts) need it as a runner
// has it. Done once for the whole run (test/global-setup.ts), so no test file can close it
// under another one; the mode is put back after. Root only; elsewhere nothing is changed.
import { chmod, stat } from "node:fs/promises";

const TUN = "/dev/net/tun";

/** Opens /dev/net/tun to every user; resolves to what puts its mode back. */
export async function openTunAsUdevDoes(): Promise<() => Promise<void>> {
  const mode = await stat(TUN).then(
    (s) => s.mode & 0o777,
    () => undefined,
  );
  if (process.getuid?.() !== 0 || mode === undefined || (mode & 0o666) === 0o666) return async () => {};
  await chmod(TUN, 0o666);
  return () => chmod(TUN, mode);
}
