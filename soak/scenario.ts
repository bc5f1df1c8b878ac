// Scenario files (--scenario FILE): engine options as a JSON object keyed by the CLI's
// long flags, e.g. {"kernel": "../kernel.elf", "requests": 2100, "paths": "/health=1"}.
// `repro` writes them; the CLI reads them as flags placed before its own, so the
// command line overrides a scenario (repeatable flags add to it). One rule for files: a
// relative path in a scenario (kernel, symbols, initrd) is relative to the scenario file.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { optionsToArgv } from "./argv.ts";
import { type FlagTable, flagsOf } from "./flags/flag.ts";
import { FLAGS } from "./flags/table.ts";
import { type SoakOptions, UsageError } from "./options.ts";

export type Scenario = Record<string, string | number | boolean | string[]>;

/** Flags whose values are files, resolved against the scenario's folder. */
const fileFlags = (t: FlagTable) => new Set(flagsOf(t).flatMap((f) => (f.file ? [f.name] : [])));
/** Flags without a value (--time-warp): true or false in a scenario file. */
const switchFlags = (t: FlagTable) => new Set(flagsOf(t).flatMap((f) => (f.kind.switch ? [f.name] : [])));
/** Not engine options: never part of a scenario file. */
const notScenario = (t: FlagTable) =>
  new Set(["help", ...flagsOf(t).flatMap((f) => (f.notInScenario ? [f.name] : []))]);

/** The scenario that gives `o` (only what differs from the defaults), with its files relative to `dir`. */
export function scenarioOf(o: SoakOptions, dir: string, table: FlagTable = FLAGS): Scenario {
  const argv = optionsToArgv({ ...o, out: table.defaults.out }, table);
  const [files, switches] = [fileFlags(table), switchFlags(table)];
  const s: Scenario = {};
  const bare = new Map(flagsOf(table).flatMap((f) => (f.bare !== undefined ? [[f.name, f.bare] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const eq = argv[i].indexOf("=");
    const name = eq > 0 ? argv[i].slice(2, eq) : argv[i].slice(2);
    // a flag written bare (optionsToArgv) stands for its bare value
    const givenBare = eq < 0 && bare.has(name) && (argv[i + 1] === undefined || argv[i + 1].startsWith("--"));
    const [flag, value] =
      eq > 0 ? [name, argv[i].slice(eq + 1)] : givenBare ? [name, bare.get(name) as string] : [name, argv[++i]];
    if (switches.has(flag)) {
      s[flag] = value === "true";
      continue;
    }
    const v: string | number = files.has(flag)
      ? relative(dir, resolve(value))
      : /^\d+$/.test(value)
        ? Number(value)
        : value;
    const had = s[flag];
    s[flag] = had === undefined ? v : [...(Array.isArray(had) ? had : [String(had)]), String(v)];
  }
  return s;
}

/** The flags a scenario file stands for (the CLI's parser then checks them). Throws UsageError. */
export function scenarioArgv(file: string, table: FlagTable = FLAGS): string[] {
  let s: unknown;
  try {
    s = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`--scenario ${file}: cannot read it as JSON (${(err as Error).message})`);
  }
  if (typeof s !== "object" || s === null || Array.isArray(s))
    throw new UsageError(`--scenario ${file}: expected a JSON object of flags, e.g. {"requests": 2000}`);
  const [files, refused, switches] = [fileFlags(table), notScenario(table), switchFlags(table)];
  const argv: string[] = [];
  for (const [flag, value] of Object.entries(s)) {
    if (refused.has(flag) || !/^[a-z][a-z-]*$/.test(flag))
      throw new UsageError(`--scenario ${file}: "${flag}" is not an engine option (keys are the long flags of --help)`);
    if (switches.has(flag)) {
      if (typeof value !== "boolean")
        throw new UsageError(`--scenario ${file}: "${flag}" must be true or false, got ${JSON.stringify(value)}`);
      argv.push(`--${flag}=${value}`);
      continue;
    }
    const values: unknown[] = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v !== "string" && typeof v !== "number")
        throw new UsageError(`--scenario ${file}: "${flag}" must be a string or a number, got ${JSON.stringify(v)}`);
      const text = files.has(flag) && !isAbsolute(String(v)) ? resolve(dirname(file), String(v)) : String(v);
      argv.push(`--${flag}=${text}`);
    }
  }
  return argv;
}
