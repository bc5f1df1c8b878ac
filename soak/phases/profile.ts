// The profile, once the soak is over and before triage (which needs the gdbstub the
// profiler holds): the profiler lets go of the guest, every distinct address is
// symbolised once, and profile.folded (the steady load) and profile.json (every phase)
// are written. A profile that cannot be written is a note, never the soak's failure.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SoakContext } from "../context.ts";
import { buildProfile, foldedText } from "../profile/profile.ts";

export async function profile(ctx: SoakContext): Promise<void> {
  const profiler = ctx.profiler;
  if (!profiler) return;
  ctx.profiler = undefined;
  try {
    const raw = await profiler.close();
    const hangAt = ctx.findings.list.find((f) => f.kind === "hang")?.at;
    const p = await buildProfile(raw, ctx.report.kernel.symbols, hangAt);
    ctx.profile = p;
    await writeFile(join(ctx.out, "profile.folded"), foldedText(p.phases.steady?.stacks ?? []));
    await writeFile(join(ctx.out, "profile.json"), `${JSON.stringify(p, null, 1)}\n`);
    ctx.report.files["profile.folded"] = "profile.folded";
    ctx.report.files["profile.json"] = "profile.json";
    const samples = Object.fromEntries(Object.entries(p.phases).map(([phase, x]) => [phase, x.samples]));
    ctx.report.profile = { hz: p.hz, sampler: p.sampler, meanSampleMs: p.meanSampleMs, samples, notes: p.notes };
    for (const note of p.notes) ctx.hooks.log(`profile: ${note}`);
  } catch (err) {
    ctx.hooks.log(`profile: not written (${(err as Error).message})`);
    ctx.report.profile = {
      hz: profiler.raw.hz,
      sampler: profiler.raw.sampler,
      samples: {},
      notes: [`not written: ${(err as Error).message}`],
    };
  }
}
