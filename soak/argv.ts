// Engine options back to the command line that gives them (the inverse of
// cli-options.ts's parseCli), for the "Reproduce" command of a report: every option
// that shaped the run, and only those that differ from the defaults. Each flag's row
// (soak/flags/table.ts) says how its option is written.
import { type Flag, type FlagTable, flagsOf, flagValues, type Options } from "./flags/flag.ts";
import { FLAGS } from "./flags/table.ts";
import { DEFAULTS, type SoakOptions, UsageError } from "./options.ts";
import { keptFileNames } from "./report/kept-files.ts";

export { pathSpec } from "./flags/custom-kinds.ts";

/** The flags that give `o` (parseCli(optionsToArgv(o)) equals o). */
export function optionsToArgv(o: SoakOptions | Options, table: FlagTable = FLAGS): string[] {
  return flagsOf(table).flatMap((f) => asArgv(f, flagValues(f, o as Options, table)));
}

/**
 * The flags of options read from a file (a report's), each option over the defaults: for
 * parseCli to check as it checks a command line. An option whose value is not of its type
 * (a list that is not one, say) is a UsageError naming it.
 */
export function savedOptionsToArgv(saved: Record<string, unknown>, table: FlagTable = FLAGS): string[] {
  const argv: string[] = [];
  const o = { ...table.defaults, ...saved };
  for (const f of flagsOf(table)) {
    if (!f.option || saved[f.option] === undefined || saved[f.option] === null) continue;
    try {
      const values = flagValues(f, o, table);
      if (values.some((v) => typeof v !== "string")) throw new TypeError("not a string");
      argv.push(...asArgv(f, values));
    } catch (err) {
      throw new UsageError(
        `options.${f.option}: ${JSON.stringify(saved[f.option]).slice(0, 80)} is not a value it takes (${(err as Error).message})`,
      );
    }
  }
  return argv;
}

/** A flag's values as words: the value a flag stands for given bare, bare (`--time-warp`); a value that starts
 * with "-" (a QEMU argument) as --flag=value, or it reads as a flag. */
function asArgv(f: Flag, values: string[]): string[] {
  return values.flatMap((v) =>
    v === f.bare ? [`--${f.name}`] : v.startsWith("-") ? [`--${f.name}=${v}`] : [`--${f.name}`, v],
  );
}

/** One word for the shell, whatever it holds: single-quoted, each ' as '\''. */
export const shellWord = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;

/** As shellWord, but a word of only safe characters is left bare (for a command shown to a reader). */
export function shellQuote(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : shellWord(a);
}

/**
 * The command that soaks the report folder's own copies of the kernel `kernelElf`, the
 * initrd and the symbols (report/kept-files.ts, named relative to the folder) the same
 * way, run from that folder on any machine: the fault switch is already in that kernel
 * and the report goes to the default folder beside it.
 */
export function reproduceCommand(o: SoakOptions, kernelElf: string, version: string): string {
  const kept = keptFileNames(kernelElf, o);
  const inputs = { kernel: kept.kernel, initrd: kept.initrd, symbols: kept.symbols };
  const argv = optionsToArgv({ ...o, ...inputs, fault: undefined, out: DEFAULTS.out });
  return [`npx`, `unikernel-soak@${version}`, ...argv].map(shellQuote).join(" ");
}
