// What a row of the flag table says (the rows: table.ts). Everything the CLI, the
// reproduce command, scenario files and the action's inputs know of a flag comes from
// its row, so a new flag is one row.
import type { Kind } from "./kinds.ts";

/** Options as the table sees them: the engine's SoakOptions, or more in a test's table. */
export type Options = Record<string, unknown>;

export interface Flag {
  /** the long flag without "--": also its scenario key and its action input's name */
  name: string;
  /** the engine option it sets; none for a flag the parser reads itself (--scenario) */
  option?: string;
  // biome-ignore lint/suspicious/noExplicitAny: a row holds the kind of its own option's type
  kind: Kind<any>;
  /** its value in --help, e.g. "N", "PATH", "auto|kvm|tcg" */
  value: string;
  /** --help's text; "{default}" stands for the default, "\n" starts a continuation line */
  help: string;
  /** the default when it depends on other options (read after them), e.g. --requests with --duration */
  defaultOf?: (o: Options) => unknown;
  /** a file: in a scenario file, relative to that file */
  file?: boolean;
  /** not a scenario key (--out, --scenario) */
  notInScenario?: boolean;
  /** the value `--flag` stands for when given without one (`--profile` is `--profile on`) */
  bare?: string;
  /** an input of the action (action.yml, README), with this description */
  input?: { description: string; default?: string };
}

export interface Section {
  /** --help's heading */
  title: string;
  flags: Flag[];
}

export interface FlagTable {
  sections: Section[];
  /** the options' defaults (the engine's DEFAULTS), and those of options without a flag */
  defaults: Options;
}

export const flagsOf = (t: FlagTable): Flag[] => t.sections.flatMap((s) => s.flags);

/** The values of `f` that give `o`'s option back (none when it is the default). */
export function flagValues(f: Flag, o: Options, t: FlagTable): string[] {
  if (!f.option) return [];
  return f.kind.format(o[f.option], f.defaultOf ? f.defaultOf(o) : t.defaults[f.option]);
}

/** The default as the flag's text ("" for none, a list, or one that depends on other options). */
export function defaultText(f: Flag, t: FlagTable): string {
  if (!f.option || f.defaultOf || f.kind.multiple) return "";
  return flagValues(f, t.defaults, { ...t, defaults: {} })[0] ?? "";
}

/** The action input's default: the row's, else the flag's default text. */
export const inputDefault = (f: Flag, t: FlagTable) => f.input?.default ?? defaultText(f, t);
