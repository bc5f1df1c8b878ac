// `unikernel-soak profile-diff A B`: the profiles of two report folders (profile.json,
// read through its checked reader), the functions whose share of the samples moved most.
// Function names are guest text: printed through printLine only.
import { parseArgs } from "node:util";
import { UsageError } from "../options.ts";
import { printLine } from "../report/guest-text.ts";
import { shareMoves } from "./diff.ts";
import { PROFILE_PHASES, type ProfilePhase } from "./profile.ts";
import { readProfileFile } from "./profile-file.ts";

export const PROFILE_DIFF_USAGE = `usage: unikernel-soak profile-diff A B [--phase PHASE] [--top N]

Compares the profiles of two report folders (soaks run with --profile): each
function's share of the samples in A and in B, self (on top of the stack) and
total (anywhere on it), the functions whose self share moved most first.

  --phase PHASE   steady (the load, default), boot, idle or hang
  --top N         how many functions (default 20)
  -h, --help      this text`;

const pct = (v: number) => `${v.toFixed(1)}%`.padStart(6);
const signed = (v: number) => `${v >= 0 ? "+" : ""}${v.toFixed(1)}`.padStart(6);

export async function profileDiffCommand(argv: string[]): Promise<number> {
  let parsed: { values: { phase?: string; top?: string; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { phase: { type: "string" }, top: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  } catch (err) {
    throw new UsageError(`profile-diff: ${(err as Error).message} (see profile-diff --help)`);
  }
  if (parsed.values.help) {
    console.log(PROFILE_DIFF_USAGE);
    return 0;
  }
  const [a, b, ...rest] = parsed.positionals;
  if (!a || !b || rest.length) throw new UsageError("profile-diff: give two report folders (see profile-diff --help)");
  const phase = (parsed.values.phase ?? "steady") as ProfilePhase;
  if (!PROFILE_PHASES.includes(phase))
    throw new UsageError(`profile-diff: --phase ${phase}: expected one of ${PROFILE_PHASES.join(", ")}`);
  const top = Number(parsed.values.top ?? "20");
  if (!Number.isInteger(top) || top < 1 || top > 10_000)
    throw new UsageError(`profile-diff: --top ${parsed.values.top}: expected a whole number from 1 to 10000`);
  const [pa, pb] = await Promise.all([readProfileFile(a), readProfileFile(b)]);
  const [xa, xb] = [pa.phases[phase], pb.phases[phase]];
  printLine(`profile-diff ${phase}: A ${a} (${xa?.samples ?? 0} samples), B ${b} (${xb?.samples ?? 0} samples)`);
  if (!xa?.samples || !xb?.samples) {
    printLine(`  nothing to compare: ${!xa?.samples ? "A" : "B"} has no samples in ${phase}`);
    return 0;
  }
  printLine(`  self A  self B   move | total A total B | function`);
  for (const m of shareMoves(xa, xb, top))
    printLine(
      `  ${pct(m.selfA)}  ${pct(m.selfB)} ${signed(m.selfB - m.selfA)} |  ${pct(m.totalA)}  ${pct(m.totalB)} | ${m.name}`,
    );
  return 0;
}
