// How a flag's text becomes an engine option and back. One number parser for every
// number; each flag's bounds are explicit in its row (soak/flags/table.ts).
import { UsageError } from "../options.ts";

/** bounds several flags share */
export const WEEK_S = 7 * 24 * 3600;
export const MAX_MIB = 65536;

export interface Kind<T> {
  /** the flag may be given many times, each a value of its own */
  multiple?: boolean;
  /** an on/off flag (its row's `bare` is "true": `--time-warp`): true or false in a scenario file */
  switch?: boolean;
  /** The values given (for a single flag only the last counts) → the option; none →
   * `fallback`, the option's default. Throws UsageError naming `--flag`. */
  parse(values: string[], flag: string, fallback: T): T;
  /** The option → the values that give it back: none when it equals `fallback`. */
  format(value: T, fallback: T | undefined): string[];
}

/** A plain decimal number (no sign, exponent or hex), so "1e99" and "0x10" are refused. */
export function parseNumber(text: string, flag: string): number {
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text)) throw new UsageError(`--${flag}: expected a number, got "${text}"`);
  return Number(text);
}

/** A flag given once (the last time counts): `read` one value's text, `write` it back. */
export function single<T>(read: (text: string, flag: string) => T, write: (v: T) => string = String): Kind<T> {
  return {
    parse: (values, flag, fallback) => (values.length ? read(values[values.length - 1], flag) : fallback),
    format: (v, fallback) =>
      v === undefined || (fallback !== undefined && write(v) === write(fallback)) ? [] : [write(v)],
  };
}

/** A repeatable flag: each value read on its own, in order. */
export function repeatable<T>(read: (text: string, flag: string) => T, write: (v: T) => string = String): Kind<T[]> {
  return {
    multiple: true,
    parse: (values, flag, fallback) => (values.length ? values.map((v) => read(v, flag)) : fallback),
    format: (list) => list.map(write),
  };
}

/** A whole number from `min` to `max`. */
export function readWhole(text: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = parseNumber(text, flag);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`--${flag}: expected a whole number ≥ ${min}, got ${v}`);
  if (v > max) throw new UsageError(`--${flag}: ${v} is more than the ${max} this tool accepts`);
  return v;
}

export const whole = (min: number, max?: number) => single((t, flag) => readWhole(t, flag, min, max));

/** A decimal number from `min` (or above it, when `minExcluded`) to `max`. */
export function decimal(min: number, max: number, minExcluded = false): Kind<number> {
  return single((text, flag) => {
    const v = parseNumber(text, flag);
    if (minExcluded ? v <= min : v < min)
      throw new UsageError(`--${flag}: expected a number ${minExcluded ? "above" : "≥"} ${min}, got ${v}`);
    if (v > max) throw new UsageError(`--${flag}: ${v} is more than the ${max} this tool accepts`);
    return v;
  });
}

/** "a, b or c" */
export const oneOf = (words: readonly string[]) =>
  words.length > 1 ? `${words.slice(0, -1).join(", ")} or ${words[words.length - 1]}` : (words[0] ?? "");

/** One of `words`. */
export function choice<T extends string>(...words: T[]): Kind<T> {
  return single((text, flag) => {
    if (!(words as string[]).includes(text)) throw new UsageError(`--${flag}: expected ${oneOf(words)}, got "${text}"`);
    return text as T;
  });
}

/** A flag without a value: given = true. In a scenario file true or false, as an action input "true" or "false". */
export const onOff: Kind<boolean> = {
  switch: true,
  parse: (values, flag, fallback) => {
    if (!values.length) return fallback;
    const v = values[values.length - 1];
    if (v !== "true" && v !== "false") throw new UsageError(`--${flag}: takes no value (or true/false), got "${v}"`);
    return v === "true";
  },
  format: (v) => (v ? ["true"] : []),
};

const UNITS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };

/** A span of time as "1h24m", "90s", "2d", "500ms" (parts from the largest unit down), or plain seconds. */
export function readDuration(text: string, flag: string, maxS: number): number {
  const t = text.trim();
  let s = 0;
  if (/^\d+(\.\d+)?$/.test(t)) s = Number(t);
  else if (/^(\d+(\.\d+)?(d|h|ms|m|s))+$/.test(t))
    for (const [, n, , unit] of t.matchAll(/(\d+(\.\d+)?)(d|h|ms|m|s)/g)) s += Number(n) * UNITS[unit];
  else throw new UsageError(`--${flag}: expected a duration such as 1h24m, 90s or 6h, got "${text}"`);
  if (s <= 0) throw new UsageError(`--${flag}: expected a duration above 0, got "${text}"`);
  if (s > maxS) throw new UsageError(`--${flag}: ${text} is more than the ${formatDuration(maxS)} this tool accepts`);
  return Math.round(s * 1000) / 1000;
}

/** Seconds as readDuration reads them back: "1h24m", "90s", "1.5s". */
export function formatDuration(seconds: number): string {
  let left = Math.round(seconds * 1000);
  let out = "";
  for (const [unit, ms] of [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
    ["ms", 1],
  ] as const) {
    const n = Math.floor(left / ms);
    if (n > 0) out += `${n}${unit}`;
    left -= n * ms;
  }
  return out || "0s";
}

export const duration = (maxS: number) => single<number>((t, flag) => readDuration(t, flag, maxS), formatDuration);

/** Any text (a file path, a command line, a QEMU binary). */
export const text = single<string>((t) => t);

/** A URL path: starts with "/", or is `word` (`meaning` says what it stands for). */
export const urlPath = (word?: string, meaning?: string) =>
  single<string>((t, flag) => {
    if (t.startsWith("/") || (word !== undefined && t === word)) return t;
    const or = word === undefined ? "" : ` (or be ${word}, ${meaning})`;
    throw new UsageError(`--${flag}: must start with "/"${or}, got "${t}"`);
  });
