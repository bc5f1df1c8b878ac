// What the load saw the guest do with its connections that the load had to work around:
// notes for the report, not findings (the guest still answered every request it counts).
import { CLOSE_GRACE_MS } from "./churn.ts";
import type { MixedResult } from "./mixed.ts";

const n = (x: number) => x.toLocaleString("en-US");

/** One sentence per behaviour the load worked around; none for a guest that did as asked. */
export function guestBehaviourNotes(r: MixedResult): string[] {
  const notes: string[] = [];
  if (r.closedAfterEach !== undefined)
    notes.push(
      `the guest closed the connection after every response (its first answer on a keep-alive connection said "Connection: close"): the keep-alive load carried on over new connections, one at a time per port (${n(r.closedAfterEach)} requests)`,
    );
  if (r.endedByGuest)
    notes.push(
      `the guest ended ${n(r.endedByGuest)} keep-alive connection${r.endedByGuest === 1 ? "" : "s"} with "Connection: close" after keeping them open (a limit of requests a connection, as nginx's keepalive_requests): the load went on over new ones`,
    );
  const kept = r.churn?.keptOpen ?? 0;
  if (kept > 0)
    notes.push(
      `the guest kept ${n(kept)} of ${n(r.churn?.connections ?? kept)} new connections open after answering a request that said "Connection: close" (RFC 9112 §9.6: it must close): the client closed them itself once the response was complete (after ${CLOSE_GRACE_MS} ms at first, then at once)`,
    );
  return notes;
}
