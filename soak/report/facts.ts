// One-line facts the summary and the HTML report both state the same way.
import type { Report } from "./types.ts";

export const accelLine = (r: Report) =>
  `${r.accel.used ?? "?"}${r.accel.refused ? ` (KVM refused: ${r.accel.refused})` : ""}`;

export const networkLine = (n: NonNullable<Report["network"]>) =>
  `${n.used === "tap" ? "tap device in a private network namespace" : n.used === "user" ? "QEMU user networking" : "?"}${n.refused ? ` (tap refused: ${n.refused})` : ""}`;
