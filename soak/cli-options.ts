// The engine's flags into its options, as the flag table (soak/flags/table.ts) says:
// used by the CLI and, through the same flags, by the GitHub action's inputs, repro and bisect.
import { type ParseArgsConfig, parseArgs } from "node:util";
import { type FlagTable, flagsOf, type Options } from "./flags/flag.ts";
import { FLAGS } from "./flags/table.ts";
import { type SoakOptions, UsageError, validate } from "./options.ts";
import { scenarioArgv } from "./scenario.ts";

export { USAGE } from "./flags/usage.ts";

type Values = Record<string, string | boolean | string[] | undefined>;

/** node's parseArgs over the table's flags (and -h, --help); throws its own errors. A flag
 * with a bare value given without one (the end, or another flag next) gets that value. */
function parser(table: FlagTable): (argv: string[]) => Values {
  const options: NonNullable<ParseArgsConfig["options"]> = { help: { type: "boolean", short: "h" } };
  const bare = new Map<string, string>();
  for (const f of flagsOf(table)) {
    options[f.name] = { type: "string", multiple: f.kind.multiple === true };
    if (f.bare !== undefined) bare.set(`--${f.name}`, f.bare);
  }
  const withBare = (args: string[]) =>
    args.flatMap((a, i) => {
      const value = bare.get(a);
      const next = args[i + 1];
      return value !== undefined && (next === undefined || next.startsWith("-")) ? [a, value] : [a];
    });
  return (args) => parseArgs({ args: withBare(args), options, strict: true, allowPositionals: false }).values as Values;
}

/** The options `argv` gives (a --scenario file's flags first), checked; "help" for -h. Throws UsageError. */
export function parseCli(argv: string[], table: FlagTable = FLAGS): SoakOptions | "help" {
  const parse = parser(table);
  let values: Values;
  try {
    values = parse(argv);
    const scenario = values.scenario;
    if (typeof scenario === "string" && scenario !== "") {
      const flags = scenarioArgv(scenario, table);
      try {
        parse(flags);
      } catch (err) {
        throw new UsageError(`--scenario ${scenario}: ${(err as Error).message}`);
      }
      values = parse([...flags, ...argv]);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${(err as Error).message} (see --help)`);
  }
  if (values.help) return "help";
  const given = (name: string) => {
    const v = values[name];
    return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
  };
  const o: Options = { ...table.defaults };
  const rows = flagsOf(table);
  // a default that depends on other options is read after them
  for (const f of [...rows.filter((r) => !r.defaultOf), ...rows.filter((r) => r.defaultOf)])
    if (f.option) o[f.option] = f.kind.parse(given(f.name), f.name, f.defaultOf ? f.defaultOf(o) : o[f.option]);
  return validate(o as unknown as SoakOptions);
}
