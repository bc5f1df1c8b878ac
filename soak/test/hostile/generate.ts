// Hostile guests from a seed: each draws its serial output, its answers on every route,
// its counters, its QMP and its end from small pools of hostile values. The same seed
// gives the same guest (prng.mjs), so a failing case is replayed from its seed.

import type { Answer, Behaviour, Route, StatsBody } from "./behaviour.ts";
import { MARKUP, WORKFLOW_COMMANDS } from "./cases.ts";
import { prng } from "./prng.mjs";

const ANSWERS: Answer[] = [
  "ok",
  "slow",
  "silent",
  "close",
  "reset",
  "garbage",
  "error",
  "bad-status-line",
  "truncated",
];
const BODIES: StatsBody[] = ["ok", "garbage", "huge", "array", "scalar", "null", "empty", "deep"];
const COUNTERS = ["boot_id", "uptime_ms", "requests", "tx_stalls", "tcp_open", "pmm_pages_used", "pmm_pages_total"];
const RAW_VALUES = ["-1", "NaN", "1e999", "-1e999", '"7"', "null", "true", "[]", "{}", "0.5", "9007199254740993", "-0"];
const SIGNALS: NodeJS.Signals[] = ["SIGKILL", "SIGSEGV", "SIGTERM", "SIGABRT"];
const CRASH = [
  "PANIC: ",
  "PF at 0x0000000000000000 err=0x0000000000000002",
  "TRAP: ",
  "BUG: ",
  "Kernel panic - not syncing: ",
];
const REGISTERS = [
  "RIP=0x0000000000100000 CS=0x0000000000000008",
  "RFL=0x0000000000000002 RSP=0x0000000000200000 SS=0x0000000000000010",
];
const ANSI = ["\x1b[2J", "\x1b]0;x\x07", "\x1b[31m", "\x1b[1A\r", "\x00", "\t", "\u202e", "\ud83d\ude00"];

export function generate(seed: number): Behaviour {
  const random = prng(seed);
  const chance = (p: number) => random() < p;
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
  const some = <T>(xs: T[], max: number): T[] =>
    Array.from({ length: Math.floor(random() * (max + 1)) }, () => pick(xs));
  const text = () =>
    [pick([...WORKFLOW_COMMANDS, ...MARKUP]), pick(ANSI), pick([...WORKFLOW_COMMANDS, ...MARKUP])].join("");
  const route = (p: number): Route | undefined =>
    chance(p) ? { answer: pick(ANSWERS), from: Math.floor(random() * 4) } : undefined;

  const b: Behaviour = { seed, slowMs: 300 + Math.floor(random() * 1200) };
  b.serial = some([...WORKFLOW_COMMANDS, ...MARKUP], 4).map((l) => (chance(0.3) ? `${l}${pick(ANSI)}` : l));
  if (chance(0.2)) b.serial.push(`${pick(CRASH)}${text()}`, ...(chance(0.7) ? REGISTERS : []));
  if (chance(0.3))
    b.serialBytes = Buffer.from(
      Array.from({ length: 1 + Math.floor(random() * 2048) }, () => Math.floor(random() * 256)),
    ).toString("base64");
  if (chance(0.1))
    b.flood = {
      b64: Buffer.from(`${text()}${chance(0.5) ? "\n" : ""}`.repeat(200)).toString("base64"),
      everyMs: 20 + Math.floor(random() * 80),
    };
  b.health = route(0.3);
  b.load = route(0.3);
  const stats = route(0.4) ?? { answer: "ok" as const, from: Math.floor(random() * 4) };
  b.stats = { ...stats, body: chance(0.5) ? pick(BODIES) : "ok" };
  if (chance(0.4)) b.stats.counters = Object.fromEntries(some(COUNTERS, 3).map((c) => [c, pick(RAW_VALUES)]));
  if (chance(0.3)) b.stats.keys = some([...WORKFLOW_COMMANDS, ...MARKUP], 3).map((k) => `${k}${pick(ANSI)}`);
  b.stats.resetLoop = chance(0.1);
  b.stats.backwards = chance(0.1);
  if (chance(0.3))
    b.qmp = { mode: pick(["ok", "silent", "garbage", "close"] as const), registers: chance(0.5) ? text() : undefined };
  if (chance(0.15))
    b.exit = {
      afterMs: Math.floor(random() * 1500),
      ...(chance(0.5) ? { code: pick([0, 1, 2, 255]) } : { signal: pick(SIGNALS) }),
    };
  return b;
}
