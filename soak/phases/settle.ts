// After the load, with its connections closed: the guest must give back what it held.
// Waits (bounded) for tcp_open to return to its value before the load, then judges the
// counters once more, pages included.
import type { SoakContext } from "../context.ts";
import { type GuestStats, parseStats } from "../watch/guest-stats.ts";
import type { Guest } from "./boot.ts";

const SETTLE_MS = 10_000;

export async function settle(ctx: SoakContext, guest: Guest): Promise<void> {
  const o = ctx.o;
  const tcpOpen = o.counters.tcpOpen;
  const before = ctx.stats.first?.[tcpOpen] ?? 0;
  const deadline = Date.now() + SETTLE_MS;
  let settled: GuestStats | undefined;
  while (Date.now() < deadline && !ctx.findings.beyondLoad) {
    settled = parseStats((await guest.stats.get(o.statsPath, 5000)).body);
    if ((settled[tcpOpen] ?? 0) <= before) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (!settled) return;
  ctx.report.guest.settled = settled;
  const now = Date.now();
  for (const f of [...ctx.stats.check(settled, now), ...ctx.stats.checkSettled(settled, now)]) ctx.findings.add(f);
}
