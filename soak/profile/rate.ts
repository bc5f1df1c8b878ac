// The profiler's rate for this soak. `auto` samples on the tap path only: each sample stops
// the VM, and on a stop QEMU drops the packets queued for the guest's NIC (net/net.c purges
// what it cannot deliver). A tap's packets wait in the host kernel and are lost one at a time,
// resent by Linux within a fifth of a second; slirp's are lost by the queueful and resent
// after seconds, long enough for a request to time out (BENCHMARKS.md, "Profiler").
import type { Network } from "../network.ts";
import { PROFILE_AUTO_HZ } from "../options.ts";

export const USER_NETWORK_NOTE =
  "each sample stops the VM, and over QEMU user networking QEMU then drops the packets queued for the guest, which slirp resends only seconds later";

/** The samples a second, and a line for the log when the choice needs saying. */
export function profileRate(asked: number | "auto", network: Network): { hz: number; note?: string } {
  if (asked === "auto")
    return network === "tap"
      ? { hz: PROFILE_AUTO_HZ }
      : { hz: 0, note: `the profile is off: ${USER_NETWORK_NOTE} (--profile samples anyway)` };
  if (asked > 0 && network === "user")
    return {
      hz: asked,
      note: `the profile samples over user networking as asked, but ${USER_NETWORK_NOTE}: a request that times out may be the profiler's doing`,
    };
  return { hz: asked };
}
