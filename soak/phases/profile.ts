// The profile, once the soak is over and before triage (which needs the gdbstub the
// profiler holds): the profiler lets go of the guest, every distinct address is
// symbolised once, and profile.folded (the steady load) and profile.json (every phase)
// are written. A profile that cannot be written is a note, never the soak's failure.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SoakContext } from "../context.ts";
import { firstImagePage, kaslrSlide } from "../profile/kaslr.ts";
import { buildProfile, foldedText } from "../profile/profile.ts";
import type { Guest } from "../vm/guest.ts";

/** `guest`: the guest still running (for where KASLR put a Linux kernel), if it is */
export async function profile(ctx: SoakContext, guest?: Guest): Promise<void> {
  const profiler = ctx.profiler;
  if (!profiler) return;
  ctx.profiler = undefined;
  try {
    const raw = await profiler.close();
    const hangAt = ctx.findings.list.find((f) => f.kind === "hang")?.at;
    const symbols = ctx.report.kernel.symbols;
    let slide: bigint | undefined;
    if (symbols && ctx.report.kernel.format === "bzimage") {
      const first =
        guest && !guest.vm.hasExited ? await firstImagePage(guest.vm.qmpSocket).catch(() => undefined) : undefined;
      slide = first === undefined ? undefined : await kaslrSlide(symbols, first).catch(() => undefined);
      raw.notes.push(
        slide === undefined
          ? "where KASLR put the kernel could not be read from its page tables: if the stacks are addresses, boot it with nokaslr"
          : `the kernel ran 0x${slide.toString(16)} above ${symbols}'s addresses (KASLR, read from its page tables): moved back before symbolising`,
      );
    }
    const p = await buildProfile(raw, symbols, hangAt, slide);
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
