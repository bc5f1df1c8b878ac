// The stand-in's /api/stats.json bodies: the contract's counters, or what a hostile
// guest makes of them (StatsScript in behaviour.ts).
import { randomBytes } from "./prng.mjs";

const BOOT_ID = 424242;
const started = Date.now();

/** The contract's counters after `n` stats answers and `served` requests, as raw JSON values. */
function counters(script, n, served) {
  const backwards = script.backwards && n > 0;
  return {
    boot_id: String(script.resetLoop ? BOOT_ID + n : BOOT_ID),
    uptime_ms: String(backwards ? 1_000_000 - n * 1000 : Date.now() - started),
    requests: String(backwards ? 1_000_000 - n : served),
    rx_packets: String(served * 2),
    tx_packets: String(served * 2),
    rx_used_idx: String(served % 65536),
    tx_used_idx: String(served % 65536),
    tx_stalls: "0",
    tcp_open: "0",
    pmm_pages_used: "100",
    pmm_pages_total: "16384",
  };
}

/** ~50,000 counters of a new name each answer (just under the probe's 1 MiB), values moving */
function wideCounters(n) {
  const wide = {};
  for (let i = 0; i < 50_000; i++) wide[`c${n % 7}_${i}`] = String(n * 1000 + i);
  return wide;
}

const object = (fields) =>
  `{${Object.entries(fields)
    .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
    .join(",")}}`;

/** The body (bytes) of the `n`-th stats answer (0-based), `served` requests answered so far. */
export function statsBody(script, n, served, random) {
  const text = statsText(script, n, served, random);
  return typeof text === "string" ? Buffer.from(text, "utf8") : text;
}

function statsText(script, n, served, random) {
  const hostile = n >= (script.from ?? 0);
  const fields = counters(script, n, served);
  if (!hostile) return object(fields);
  Object.assign(fields, script.counters ?? {});
  for (const k of script.keys ?? []) fields[k] = "1";
  switch (script.body ?? "ok") {
    case "garbage":
      return randomBytes(random, 1 + Math.floor(random() * 512));
    case "huge":
      return object({ ...fields, pad: JSON.stringify("x".repeat(1 << 20)) });
    case "wide":
      return object({ ...fields, ...wideCounters(n) });
    case "array":
      return `[${Object.values(fields).join(",")}]`;
    case "scalar":
      return "42";
    case "null":
      return "null";
    case "empty":
      return "";
    case "deep":
      return `${"[".repeat(10000)}${"]".repeat(10000)}`;
    default:
      return object(fields);
  }
}
