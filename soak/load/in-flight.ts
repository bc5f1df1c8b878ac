// What the load had on the wire: per connection, a bounded ring of the last requests it
// sent, each marked once answered. When a watcher fires, the unanswered ones are what
// the guest was serving (or choking on) at that moment.
import type autocannon from "autocannon";

/** How many of a connection's last requests are remembered. */
export const RING_SIZE = 16;

export interface SentRequest {
  /** the connection's index, in the order the driver opened them */
  connection: number;
  /** the loopback port it goes through */
  port: number;
  method: string;
  path: string;
  headers?: Record<string, string>;
  /** ms since the epoch */
  sentAt: number;
  answered: boolean;
}

/** The part of an autocannon client the ring hooks into: its FIFO of pipelined requests. */
interface Queue {
  insertRequest(req: autocannon.Request): void;
  terminateRequest(): object | undefined;
  toArray(): object[];
}

export class InFlightLog {
  private readonly rings: SentRequest[][] = [];

  /** autocannon's setupClient callback: records what this client sends and what comes back. */
  readonly track = (client: autocannon.Client): void => {
    const c = client as unknown as { pipelinedRequests: Queue; opts: { port?: number } };
    const queue = c.pipelinedRequests;
    const connection = this.rings.length;
    const ring: SentRequest[] = [];
    this.rings.push(ring);
    // the queue's entries are cleared on a reconnect: those requests stay unanswered
    const sent = new WeakMap<object, SentRequest>();
    const insert = queue.insertRequest.bind(queue);
    const terminate = queue.terminateRequest.bind(queue);
    queue.insertRequest = (req) => {
      insert(req);
      const entry: SentRequest = {
        connection,
        port: Number(c.opts.port ?? 80),
        method: req.method ?? "GET",
        path: req.path ?? "/",
        ...(req.headers && Object.keys(req.headers).length ? { headers: plain(req.headers) } : {}),
        sentAt: Date.now(),
        answered: false,
      };
      if (ring.length === RING_SIZE) ring.shift();
      ring.push(entry);
      const queued = queue.toArray().at(-1);
      if (queued) sent.set(queued, entry);
    };
    queue.terminateRequest = () => {
      const done = terminate();
      const entry = done && sent.get(done);
      if (entry) entry.answered = true;
      return done;
    };
  };

  /** Every remembered request not answered yet, oldest first. */
  unanswered(): SentRequest[] {
    return this.rings
      .flat()
      .filter((r) => !r.answered)
      .sort((a, b) => a.sentAt - b.sentAt);
  }
}

const plain = (h: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(h).map(([k, v]) => [k, String(v)])) as Record<string, string>;
