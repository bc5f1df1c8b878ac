// One soak, start to finish, as phases: prepare -> boot -> ready -> load -> settle ->
// triage -> report. Monitors are attached as the phases go (crash and QEMU exit from
// QEMU's first instruction; health, counters and QEMU's footprint under load); the
// first finding ends the phase that is running. Whatever happens (a fault, an error,
// Ctrl-C, an engine bug thrown from a timer or a stray promise), QEMU is stopped and the
// report is written.
import { resolve } from "node:path";
import { type RunHooks, SoakContext } from "./context.ts";
import type { KernelUnderTest } from "./kernel-under-test.ts";
import type { SoakOptions } from "./options.ts";
import { claimOutDir } from "./out-dir.ts";
import { boot, waitReady } from "./phases/boot.ts";
import { load } from "./phases/load.ts";
import { prepare } from "./phases/prepare.ts";
import { profile } from "./phases/profile.ts";
import { writeReport } from "./phases/report.ts";
import { settle } from "./phases/settle.ts";
import { triage } from "./phases/triage.ts";
import type { Report } from "./report/types.ts";
import type { Guest } from "./vm/guest.ts";

export type { Progress, RunHooks } from "./context.ts";
export { VERSION } from "./package-root.ts";

export async function runSoak(o: SoakOptions, kernel: KernelUnderTest, hooks: RunHooks): Promise<Report> {
  const out = resolve(o.out);
  const claim = await claimOutDir(o.out, kernel.elf, o);
  const ctx = new SoakContext(o, kernel, hooks, out);
  const onAbort = () =>
    ctx.findings.add({ kind: "error", at: Date.now(), message: "cancelled (SIGINT/SIGTERM); partial report" });
  hooks.signal?.addEventListener("abort", onAbort, { once: true });
  // an engine bug outside the phases' own awaits ends the soak as the engine's error, with its report
  const onEngineBug = (err: unknown) => {
    hooks.log(`engine bug: ${(err as Error)?.stack ?? err}`);
    ctx.findings.add({
      kind: "error",
      at: Date.now(),
      message: `the engine failed (${(err as Error)?.message ?? err}); not the kernel's doing: please report it with this report`,
    });
  };
  process.on("uncaughtException", onEngineBug);
  process.on("unhandledRejection", onEngineBug);
  let guest: Guest | undefined;
  try {
    const target = await prepare(ctx);
    if (!ctx.findings.any) guest = await boot(ctx, target);
    if (guest && (await waitReady(ctx, guest))) {
      await load(ctx, guest);
      if (!ctx.findings.beyondLoad) await settle(ctx, guest);
    }
    if (guest) {
      await profile(ctx, guest); // lets go of the gdbstub triage uses
      await triage(ctx, guest);
    }
  } catch (err) {
    ctx.findings.add({ kind: "error", at: Date.now(), message: (err as Error).message });
  } finally {
    hooks.signal?.removeEventListener("abort", onAbort);
    try {
      ctx.stopMonitors();
      await profile(ctx);
      await guest?.stop();
      await writeReport(ctx);
    } finally {
      process.off("uncaughtException", onEngineBug);
      process.off("unhandledRejection", onEngineBug);
      await claim.release();
    }
  }
  return ctx.report;
}
