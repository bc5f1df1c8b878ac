// Which path into the guest. `tap` (vm/tap-network.ts) when this machine allows it: the
// soak's busiest host thread is QEMU's main loop relaying user networking's TCP, which
// the tap skips. `auto` falls back to QEMU user networking and says why; `tap` refuses
// to run without it; `user` is user networking (also for a kernel that needs DHCP: the
// tap path has none, the guest must be at 10.0.2.15).
import { tapRefusal } from "./vm/tap-network.ts";

export type NetworkMode = "auto" | "user" | "tap";
export type Network = "user" | "tap";

export interface NetworkChoice {
  network: Network;
  /** why the tap path was not used (absent when it was, or when user networking was asked for) */
  refused?: string;
}

export async function chooseNetwork(mode: NetworkMode): Promise<NetworkChoice> {
  if (mode === "user") return { network: "user" };
  const refused = await tapRefusal();
  if (!refused) return { network: "tap" };
  if (mode === "tap") throw new Error(`--network tap: ${refused}`);
  return { network: "user", refused };
}
