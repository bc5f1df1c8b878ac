// The `repro` subcommand's command line: unikernel-soak repro <report-dir> [options].
import { parseArgs } from "node:util";
import { cancelOnSignals } from "../cancel.ts";
import { UsageError } from "../options.ts";
import { printLine } from "../report/guest-text.ts";
import { confirmationLine } from "./confirm.ts";
import { strikesText } from "./minimise.ts";
import { repro } from "./repro.ts";
import { timingText } from "./timing.ts";

export const REPRO_USAGE = `usage: unikernel-soak repro <report-dir> [options]

Reproduces the failure a soak recorded in <report-dir>: boots its kernel again with the
report's options, checked as the command line's flags are (confirm), probes at a tenth of
the load (a failure that strikes at the same uptime with far fewer requests follows the
clock), shrinks the scenario while it still fails the same way (minimise: request count,
connections, pipelining, paths, revalidation; for a failure that follows the clock, the
uptime, the rate and the time warp instead), confirms the minimised scenario, and writes
<report-dir>/repro/: scenario.json (for --scenario), repro.sh (QEMU and curl, no Node),
verdict.json, summary.md and every attempt's report under attempts/.
Exit 0 = a reproducer was written, 1 = it did not reproduce, 2 = error.

  --attempts N   fresh boots per confirmation (default 3)
  --budget S     seconds for the whole repro (default 900): minimisation stops early to leave
                 time for the last confirmation, and a confirmation stops once it is spent
  --out DIR      where to write (default <report-dir>/repro; must be new or empty)
  --qemu BINARY  the QEMU to run (default qemu-system-x86_64; never the one report.json names)
  --allow-qemu-args  run the extra QEMU arguments report.json names (refused without it:
                 a QEMU argument can run a host program; read them in report.json first)
  -h, --help     this text`;

function whole(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v) || Number(v) < min)
    throw new UsageError(`repro --${name}: expected a whole number ≥ ${min}, got "${v}"`);
  return Number(v);
}

export async function reproCommand(argv: string[], log: (line: string) => void): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  const parse = () =>
    parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        attempts: { type: "string" },
        budget: { type: "string" },
        out: { type: "string" },
        qemu: { type: "string" },
        "allow-qemu-args": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  try {
    parsed = parse();
  } catch (err) {
    throw new UsageError(`repro: ${(err as Error).message} (see repro --help)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(REPRO_USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("repro: expected one report folder (see repro --help)");
  // the first signal ends the repro with what it has (its summary and verdict.json)
  const signal = cancelOnSignals(log, "a summary");
  const { code, dir, verdict } = await repro({
    reportDir: positionals[0],
    attempts: whole("attempts", values.attempts, 3, 1),
    budgetS: whole("budget", values.budget, 900, 1),
    out: values.out,
    qemu: values.qemu,
    allowQemuArgs: values["allow-qemu-args"],
    log,
    signal,
  });
  printLine(`failure: ${verdict.failure}`);
  const t = verdict.timing?.trigger === "uptime" ? verdict.timing : undefined;
  if (t) printLine(`timing: ${timingText(t)}`);
  printLine(`original: ${confirmationLine(verdict.original, !!t)}`);
  const m = verdict.minimised;
  if (m) {
    printLine(`minimised: ${confirmationLine(m.confirmation, !!t)}`);
    printLine(`scenario: ${JSON.stringify(m.scenario)}`);
    if (m.strikesAt) printLine(`request count: ${strikesText(m.strikesAt)}`);
  }
  if (verdict.stopped) printLine(`stopped: ${verdict.stopped}`);
  printLine(`repro: ${dir}/summary.md, ${dir}/scenario.json, ${dir}/repro.sh`);
  return code;
}
