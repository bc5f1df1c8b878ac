// Which path into the guest. `tap` (vm/tap-network.ts) when this machine allows it, as root
// or through password-less sudo (vm/privilege.ts): the soak's busiest host thread is QEMU's
// main loop relaying user networking's TCP, which the tap skips. `auto` falls back to QEMU
// user networking and says why; `tap` refuses to run without it; `user` is user networking.
// Both answer DHCP with 10.0.2.15 (vm/dhcp.ts on the tap path).
import { type Privilege, tapPrivilege } from "./vm/privilege.ts";

export type NetworkMode = "auto" | "user" | "tap";
export type Network = "user" | "tap";

export interface NetworkChoice {
  network: Network;
  /** how the tap path gets its privileges (absent on user networking) */
  privilege?: Privilege;
  /** why the tap path was not used (absent when it was, or when user networking was asked for) */
  refused?: string;
}

export async function chooseNetwork(mode: NetworkMode): Promise<NetworkChoice> {
  if (mode === "user") return { network: "user" };
  const privilege = await tapPrivilege();
  if (typeof privilege !== "string") return { network: "tap", privilege };
  if (mode === "tap") throw new Error(`--network tap: ${privilege}`);
  return { network: "user", refused: privilege };
}

/** The report's words for how the tap path was had. */
export const TAP_VIA = {
  root: "as root",
  sudo: "through password-less sudo (the namespace and the tap only; QEMU and the load run as this user)",
} as const;
