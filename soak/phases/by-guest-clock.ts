// The load phase's part that goes by the guest's clock (--rate, --uptime; watch/guest-time.ts
// keeps the pace and the goal): its log line, the idle hold when the requests run out before
// the uptime goal, and the note when the paced load fell behind.
import type { SoakContext } from "../context.ts";
import { clock as clockText } from "../progress.ts";
import type { GuestTime } from "../watch/guest-time.ts";

/** A paced load that fell behind the guest's clock (the client's limit, not the guest's): said, never judged. */
export const paceNote = (rate: number, asked: number, made: number) =>
  rate > 0 && made < 0.9 * asked
    ? [
        `the load fell behind its pace: by the guest's clock ${asked} requests were due at ${rate} a second, the load made ${made} (the client could not keep up with the guest's clock; give more --connections)`,
      ]
    : [];

export const guestTimeLine = (rate: number, uptimeS: number, warp: boolean) =>
  `by the guest's clock${warp ? " (time warp)" : ""}: ${[
    rate > 0 ? `${rate} requests a second of its uptime` : "",
    uptimeS > 0 ? `until its uptime reaches ${clockText(uptimeS)}` : "",
  ]
    .filter(Boolean)
    .join(", ")}`;

/**
 * The requests ran out before the guest's uptime reached --uptime: the guest stays up, idle and
 * watched, until it does, a finding, or --duration's wall time; short of the goal then, the soak
 * did not do what was asked: the engine's error (exit 2), not the kernel's failing.
 */
export async function holdUntilUptime(ctx: SoakContext, guestTime: GuestTime, started: number): Promise<void> {
  const o = ctx.o;
  const leftMs = o.durationS > 0 ? o.durationS * 1000 - (Date.now() - started) : Number.POSITIVE_INFINITY;
  const uptime = ctx.stats.clock.last?.uptimeMs ?? 0;
  ctx.hooks.log(
    `the load is done at uptime ${clockText(uptime / 1000)}; the guest stays up, idle and watched, until ${clockText(o.uptimeS)}`,
  );
  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<"cap">((r) => {
    if (Number.isFinite(leftMs)) timer = setTimeout(() => r("cap"), Math.max(0, leftMs));
  });
  const end = await Promise.race([
    guestTime.reached.then(() => "reached"),
    ctx.findings.first.then(() => "finding"),
    outOfTime,
  ]);
  clearTimeout(timer);
  if (end !== "cap") return;
  const at = (ctx.stats.clock.last?.uptimeMs ?? 0) / 1000;
  ctx.findings.add({
    kind: "error",
    at: Date.now(),
    message: `--duration ${o.durationS} s of wall time ran out at the guest's uptime ${clockText(at)}, short of --uptime ${clockText(o.uptimeS)}: raise --duration, or add --time-warp (TCG) so the guest's idle time is skipped`,
  });
}
