// `unikernel-soak merge DIR… [--out DIR]`: the report folders of a sharded soak's legs
// (the unpacked artifacts) merged into one verdict, summary.md and merged.json. Exits as
// a soak does: 0 every leg passed, 1 a leg failed, 2 a leg errored or the input is wrong.
import { writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { UsageError } from "../options.ts";
import { claimFolder } from "../out-dir.ts";
import { printLine } from "../report/guest-text.ts";
import { combinedTimeline, type MergedReport, mergeLegs, readLeg } from "./legs.ts";
import { renderMerged } from "./summary-md.ts";

export const MERGE_USAGE = `usage: unikernel-soak merge DIR... [--out DIR]

Merges the report folders of a sharded soak's legs (each an unpacked artifact of the
action, or a CLI --out folder) into one verdict: the total requests, each leg's verdict,
the first failure and where its triage is, and the legs' charts combined. Writes
summary.md and merged.json; exits 1 if any leg failed (2 if any leg errored).

  --out DIR     where to write them (default soak-merged)
  -h, --help    this text`;

export const MERGE_FILES = ["summary.md", "merged.json"];

/** Merges `dirs` into `out`; `name`/`link` say how to call and point at each leg. */
export async function mergeFolders(
  dirs: string[],
  out: string,
  label: (dir: string) => { name?: string; link?: string } = () => ({}),
): Promise<MergedReport> {
  if (dirs.length === 0) throw new UsageError("merge: give at least one report folder (see merge --help)");
  const target = resolve(out);
  for (const d of dirs) {
    const inside = relative(resolve(d), target);
    if (!inside.startsWith(".."))
      throw new UsageError(`merge: --out ${out} is inside the leg ${d}; choose another folder`);
  }
  const legs = await Promise.all(
    dirs.map((d) => readLeg(d, label(d).name, label(d).link ?? relative(target, resolve(d)))),
  );
  const merged = mergeLegs(legs);
  const timeline = await combinedTimeline(legs);
  const claim = await claimFolder(out, MERGE_FILES);
  try {
    await writeFile(join(target, "summary.md"), renderMerged(merged, timeline.entries, timeline.skipped));
    await writeFile(join(target, "merged.json"), `${JSON.stringify(merged, null, 2)}\n`);
  } finally {
    await claim.release();
  }
  return merged;
}

export async function mergeCommand(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  const parse = (a: string[]) =>
    parseArgs({
      args: a,
      allowPositionals: true,
      options: { out: { type: "string" }, help: { type: "boolean", short: "h" } },
    });
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(`merge: ${(err as Error).message} (see merge --help)`);
  }
  if (parsed.values.help) {
    console.log(MERGE_USAGE);
    return 0;
  }
  const out = parsed.values.out ?? "soak-merged";
  const m = await mergeFolders(parsed.positionals, out);
  printLine(`verdict: ${m.verdict.kind} (${m.legs.length} legs, ${m.requests.toLocaleString("en-US")} requests)`);
  for (const l of m.legs)
    printLine(`  ${l.name}: ${l.broken ? "unreadable" : l.verdict}${l.reason ? ` — ${l.reason}` : ""}`);
  if (m.firstFailure) printLine(`first failure: ${m.firstFailure.leg}: ${m.firstFailure.reason.message}`);
  printLine(`report: ${out}/summary.md, ${out}/merged.json`);
  return m.verdict.exitCode;
}
