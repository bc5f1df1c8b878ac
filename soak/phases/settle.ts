// After the load, with its connections closed: the guest must give back what it held.
// Waits (bounded) for tcp_open to return to its value before the load, then judges the
// counters once more, pages included. Nothing to judge without counters (--stats-path none).
import type { SoakContext } from "../context.ts";
import { countersOff } from "../options.ts";
import type { Guest } from "../vm/guest.ts";
import type { GuestStats } from "../watch/guest-stats.ts";
import { StatsAnswerError } from "../watch/stats-answer.ts";

const SETTLE_MS = 10_000;

export async function settle(ctx: SoakContext, guest: Guest): Promise<void> {
  const o = ctx.o;
  if (countersOff(o)) return;
  const tcpOpen = o.counters.tcpOpen;
  const before = ctx.stats.first?.[tcpOpen] ?? 0;
  const deadline = Date.now() + SETTLE_MS;
  let settled: GuestStats | undefined;
  while (Date.now() < deadline && !ctx.findings.beyondLoad) {
    const answer = await guest.stats.get(o.statsPath, 5000);
    try {
      settled = ctx.stats.read(answer);
    } catch (err) {
      if (!(err instanceof StatsAnswerError)) throw err;
      ctx.findings.add({
        kind: "stats",
        at: Date.now(),
        message: `the guest's counters broke after the load: ${err.message}`,
      });
      return;
    }
    if ((settled[tcpOpen] ?? 0) <= before) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!settled) return;
  ctx.report.guest.settled = settled;
  const now = Date.now();
  for (const f of [...ctx.stats.check(settled, now), ...ctx.stats.checkSettled(settled, now)]) ctx.findings.add(f);
}
