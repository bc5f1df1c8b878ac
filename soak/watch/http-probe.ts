// Small HTTP GETs to the guest on a connection of their own (one keep-alive socket
// per watcher), each with a hard timeout, so a busy load never delays them. The guest may
// close that socket while it sits idle between probes (its own idle timer, which the time
// warp runs fast): a probe that meets the close on the reused socket before any answer is
// sent again once on a new one (RFC 9112 §9.3.1), so that is never a failed probe.
import { Agent, request } from "node:http";

export interface ProbeResult {
  status: number;
  body: string;
  ms: number;
  headers: Record<string, string | string[] | undefined>;
}

export class HttpProbe {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  /** a TCP port, or a unix socket that relays to one (the tap path's gateway) */
  constructor(private readonly to: { host: string; port: number } | { socketPath: string }) {}

  get(path: string, timeoutMs: number, retry = true): Promise<ProbeResult> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      let answered = false;
      const req = request({ ...this.to, path, agent: this.agent, timeout: timeoutMs }, (res) => {
        answered = true;
        let body = "";
        res.setEncoding("latin1");
        res.on("data", (d: string) => {
          if (body.length < 1 << 20) body += d;
        });
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started, headers: res.headers }),
        );
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on("error", (err: NodeJS.ErrnoException) => {
        const closedIdle = req.reusedSocket && !answered && (err.code === "ECONNRESET" || err.code === "EPIPE");
        const left = timeoutMs - (performance.now() - started);
        if (closedIdle && retry && left > 0) this.get(path, left, false).then(resolve, reject);
        else reject(err);
      });
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
