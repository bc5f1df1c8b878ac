// repro/summary.md: what reproduced, how often, the minimised scenario and how to run it.
import { mdCode, mdFence, mdText } from "../report/guest-text.ts";
import { confirmationLine } from "./confirm.ts";
import { strikesText } from "./minimise.ts";
import { timingEvidence, timingText } from "./timing.ts";
import type { ReproVerdict } from "./verdict.ts";

export function renderReproSummary(v: ReproVerdict): string {
  const out = [`# Repro: ${mdText(v.failure)}`, "", `From ${mdCode(v.report)}.`, ""];
  const t = v.timing?.trigger === "uptime" ? v.timing : undefined;
  if (t) out.push(`- **timing**: ${timingText(t)} (${timingEvidence(t)})`);
  out.push(`- **original scenario**: ${confirmationLine(v.original, !!t)}`);
  const m = v.minimised;
  if (m) {
    // under the warp the engine's estimate of the uptime between counter reads runs low
    const warp = t && m.scenario["time-warp"] === true ? " (under the time warp: estimated between reads)" : "";
    out.push(`- **minimised scenario**: ${confirmationLine(m.confirmation, !!t)}${warp}`);
    if (m.strikesAt) out.push(`- **request count**: ${strikesText(m.strikesAt)}`);
    if (m.stopped) out.push(`- minimisation stopped early: ${mdText(m.stopped)}`);
    out.push("", "## The minimised scenario", "", ...mdFence(JSON.stringify(m.scenario, null, 2), "json"), "");
    out.push("Run it with the engine, or with no Node at all (QEMU and curl; exit 1 = reproduced):", "");
    out.push("```sh", "npx unikernel-soak --scenario repro/scenario.json", "repro/repro.sh", "```", "");
    out.push("## Reductions tried", "", "| reduction | kept |", "|---|---|");
    for (const r of m.reductions)
      out.push(`| ${mdText(r.what)} | ${r.kept ? "yes" : `no${r.note ? ` (${mdText(r.note)})` : ""}`} |`);
    out.push("");
  } else if (!v.stopped) {
    out.push("", "The failure did not reproduce on fresh boots: no reproducer was written.", "");
  }
  if (v.stopped) out.push(`Stopped early: ${mdText(v.stopped)}. What ran is below.`, "");
  out.push(
    "## Attempts",
    "",
    "| # | tried | verdict | requests | seconds | reproduces | report |",
    "|---:|---|---|---:|---:|---|---|",
  );
  for (const a of v.attempts)
    out.push(
      `| ${a.n} | ${mdText(a.label)} | ${mdText(a.signature.title ?? a.signature.kind)} | ${a.requests} | ${a.seconds.toFixed(1)} | ${a.reproduced ? "yes" : "no"} | ${mdCode(a.dir)} |`,
    );
  out.push("", `${v.attempts.length} attempts in ${v.wallS} s.`, "");
  return out.join("\n");
}
