// report.html's profile: the steady load's flame graph and its top functions (self and
// total, % of samples), then the other phases' flame graphs (boot, idle, the seconds
// before a hang) folded away. Inline SVG and tables only; every name escaped.
import { escapeHtml as esc } from "../report/html-escape.ts";
import { flameSvg } from "./flame-svg.ts";
import type { PhaseProfile, Profile, ProfilePhase } from "./profile.ts";

const PHASE_TITLES: Record<ProfilePhase, string> = {
  boot: "Boot (QEMU's start to the first healthy answer)",
  steady: "Under load",
  idle: "After the load (idle)",
  hang: "The seconds before the hang",
};

export const PROFILE_STYLE = `svg.flame{width:100%;height:auto;display:block;border:1px solid #e1e4e8;border-radius:6px}
svg.flame text{font:11px ui-monospace,Menlo,Consolas,monospace;fill:#1d2328}svg.flame rect{stroke:#fff;stroke-width:.5}
table.top td.n{text-align:right;font-variant-numeric:tabular-nums}`;

const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;

function topTable(p: Profile, samples: number): string {
  const rows = p.top
    .map(
      (t) =>
        `<tr><td><code>${esc(t.name)}</code></td><td class="n">${t.self}</td><td class="n">${pct(t.self, samples)}</td><td class="n">${t.total}</td><td class="n">${pct(t.total, samples)}</td></tr>`,
    )
    .join("");
  return `<table class="top"><thead><tr><th>function</th><th>self</th><th>self %</th><th>total</th><th>total %</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function phaseFlame(phase: ProfilePhase, x: PhaseProfile): string {
  return flameSvg(x.stacks, `flame graph: ${PHASE_TITLES[phase]}, ${x.samples} samples`);
}

export function profileSection(p: Profile): string {
  const steady = p.phases.steady;
  const others = (["hang", "boot", "idle"] as const).filter((ph) => p.phases[ph]);
  const sampled = `${p.hz} samples a second through the ${esc(p.sampler === "gdb" ? "gdbstub" : "QMP")}${
    p.meanSampleMs !== undefined ? `, each pausing the guest ${p.meanSampleMs} ms on average` : ""
  }`;
  return `<section class="profile"><h2>Profile</h2>
<p class="note">${sampled}; profile.folded holds the load's stacks, profile.json every phase's.</p>
${p.notes.map((n) => `<p class="warn">${esc(n)}</p>`).join("\n")}
${
  steady
    ? `<h3>${PHASE_TITLES.steady}: ${steady.samples} samples</h3>${phaseFlame("steady", steady)}
<h3>Top ${p.top.length} functions by self time</h3>${topTable(p, steady.samples)}`
    : `<p class="note">No samples under load.</p>`
}
${others
  .map((ph) => {
    const x = p.phases[ph] as PhaseProfile;
    return `<details${ph === "hang" ? " open" : ""}><summary>${PHASE_TITLES[ph]}: ${x.samples} samples</summary>${phaseFlame(ph, x)}</details>`;
  })
  .join("\n")}
</section>`;
}
