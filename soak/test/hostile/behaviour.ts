// What a hostile guest does, as the stand-in VMM (vmm.mjs) reads it from SCRIPT_ENV
// (JSON). Everything is optional: an empty script is a well-behaved guest.

/** the environment variable holding the script */
export const SCRIPT_ENV = "HOSTILE_VMM_SCRIPT";

/**
 * How a request is answered. ok: 200 and the proper body; slow: ok after `slowMs`;
 * silent: never; close/reset: the connection is closed (FIN) or reset unanswered;
 * garbage: random bytes, then close; error: a 500; bad-status-line: not HTTP;
 * truncated: a Content-Length longer than the body, then close.
 */
export type Answer =
  | "ok"
  | "slow"
  | "silent"
  | "close"
  | "reset"
  | "garbage"
  | "error"
  | "bad-status-line"
  | "truncated";

/** requests to a route from the `from`-th on (0-based, counted over all connections) get `answer`; earlier ones ok */
export interface Route {
  answer: Answer;
  from?: number;
}

/** what /api/stats.json holds when answered: ok is the contract's flat object of numbers;
 * huge: one 1 MiB string value; wide: a flat object of numbers just under 1 MiB (~50,000 keys) */
export type StatsBody = "ok" | "garbage" | "huge" | "wide" | "array" | "scalar" | "null" | "empty" | "deep";

export interface StatsScript {
  /** from the `from`-th stats answer on (earlier ones are ok) */
  body?: StatsBody;
  from?: number;
  /** counters as raw JSON text spliced into the object ("-5", "NaN", "\"7\"", "1e999"), from `from` on */
  counters?: Record<string, string>;
  /** more keys (Markdown, HTML, workflow commands), each with the value 1 */
  keys?: string[];
  /** boot_id changes on every answer */
  resetLoop?: boolean;
  /** uptime_ms and requests go down on every answer */
  backwards?: boolean;
}

export interface Behaviour {
  /** seeds the garbage bytes */
  seed?: number;
  /** serial lines written at start, each followed by "\n" */
  serial?: string[];
  /** raw serial bytes (base64) written after them: invalid UTF-8, NUL, lone "\r", no newline */
  serialBytes?: string;
  /** these bytes (base64) written to serial again and again, every `everyMs` */
  flood?: { b64: string; everyMs: number };
  health?: Route;
  stats?: Route & StatsScript;
  /** every path but the health and stats paths */
  load?: Route;
  /** delay of a slow answer (default 2000 ms) */
  slowMs?: number;
  /** QMP: ok answers what the engine asks; silent never answers; garbage sends non-JSON; close hangs up */
  qmp?: { mode?: "ok" | "silent" | "garbage" | "close"; registers?: string };
  /** the VMM exits on its own this long after it started, with a code or by a signal */
  exit?: { afterMs: number; code?: number; signal?: NodeJS.Signals };
}
