// The flags whose text is more than one value: a request mix, a port list, counter
// names, a count or "auto", a regular expression (see kinds.ts for the plain ones).
import { type PathWeight, PROFILE_ON_HZ, parsePaths, type SoakOptions, UsageError } from "../options.ts";
import { type Kind, oneOf, readWhole, repeatable, single } from "./kinds.ts";

/** "PATH=W,..." back from the mix (the inverse of parsePaths). */
export const pathSpec = (paths: PathWeight[]) =>
  paths.map((p) => `${p.revalidate ? "inm:" : ""}${p.path}=${p.weight}`).join(",");

export const pathMix = single<PathWeight[]>((t) => parsePaths(t), pathSpec);

/** "80" or "8000-8255,9000" → the ports, in order; each a TCP port. */
function portList(text: string, flag: string): number[] {
  return text.split(",").flatMap((part) => {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    const [first, last] = [Number(m?.[1]), Number(m?.[2] ?? m?.[1])];
    if (!m || last < first) throw new UsageError(`--${flag}: expected ports like 80 or 8000-8255,9000, got "${text}"`);
    for (const p of [first, last])
      if (p < 1 || p > 65535) throw new UsageError(`--${flag}: ${p} is not a TCP port (1-65535)`);
    return Array.from({ length: last - first + 1 }, (_, i) => first + i);
  });
}

export const portsKind = single<number[]>(portList, (ports) => ports.join(","));

/** A whole number from 1 to `max`, or auto. */
export const countOrAuto = (max: number) =>
  single<number | "auto">((t, flag) => {
    if (t.trim() === "auto") return "auto";
    if (!/^\s*\d+\s*$/.test(t)) throw new UsageError(`--${flag}: expected a whole number or auto, got "${t}"`);
    return readWhole(t, flag, 1, max);
  });

type Counters = SoakOptions["counters"];
/** --counter's names for the counters the engine watches */
const COUNTER_NAMES: Record<keyof Counters, string> = {
  bootId: "boot-id",
  uptime: "uptime",
  txStalls: "tx-stalls",
  pagesUsed: "pages-used",
  tcpOpen: "tcp-open",
};
const counterKeys = Object.keys(COUNTER_NAMES) as (keyof Counters)[];

/** --counter NAME=FIELD, repeatable: each renames one counter; the rest keep their default. */
export const countersKind: Kind<Counters> = {
  multiple: true,
  parse(values, flag, fallback) {
    const counters = { ...fallback };
    for (const v of values) {
      const [name, field] = v.split("=");
      const key = counterKeys.find((k) => COUNTER_NAMES[k] === name);
      if (!key || !field)
        throw new UsageError(
          `--${flag}: expected NAME=FIELD with NAME one of ${oneOf(Object.values(COUNTER_NAMES))}, got "${v}"`,
        );
      counters[key] = field;
    }
    return counters;
  },
  format(counters, fallback) {
    if (typeof counters !== "object" || counters === null) throw new TypeError("not an object of counter names");
    return counterKeys
      .filter((k) => counters[k] !== fallback?.[k])
      .map((k) => {
        if (typeof counters[k] !== "string") throw new TypeError(`${k} is not a name`);
        return `${COUNTER_NAMES[k]}=${counters[k]}`;
      });
  },
};

export const regexps = repeatable<RegExp>(
  (t, flag) => {
    try {
      return new RegExp(t);
    } catch (err) {
      throw new UsageError(`--${flag}: ${(err as Error).message}`);
    }
  },
  (r) => r.source,
);

/** the profiler's rate: auto, on (PROFILE_ON_HZ), off (0) or samples a second, up to 1000 */
export const profileKind = single<number | "auto">(
  (t, flag) => {
    const word = t.trim();
    if (word === "auto") return "auto";
    if (word === "on") return PROFILE_ON_HZ;
    if (word === "off") return 0;
    return readWhole(t, flag, 0, 1000);
  },
  (hz) => (hz === 0 ? "off" : String(hz)),
);
