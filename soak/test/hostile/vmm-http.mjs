// The stand-in guest's HTTP/1.1 server on every forwarded loopback port: keep-alive
// and pipelining, /health, the stats path and the load's paths, each answered the way
// the script says (Route in behaviour.ts).
import { createServer } from "node:net";
import { randomBytes } from "./prng.mjs";
import { statsBody } from "./vmm-stats.mjs";

const ETAG = '"hostile-1"';
const MAX_HEAD = 64 * 1024;

function response(status, body, extra = "") {
  const head = `HTTP/1.1 ${status}\r\nContent-Length: ${body.length}\r\nETag: ${ETAG}\r\n${extra}\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
}

/** Serves `script` on every port of `forwards`; resolves once all listen. */
export async function serveHttp(forwards, script, random) {
  const counts = { health: 0, stats: 0, load: 0 };
  let served = 0;

  /** the answer to one request, written to `socket` (which it may close) */
  function answer(socket, path, headers) {
    const route = path === "/health" ? "health" : path === "/api/stats.json" ? "stats" : "load";
    const n = counts[route]++;
    const r = script[route];
    const how = r && n >= (r.from ?? 0) ? r.answer : "ok";
    if (how === "silent") return;
    if (how === "close") return socket.end();
    if (how === "reset") return socket.resetAndDestroy();
    if (how === "garbage") return socket.end(randomBytes(random, 1 + Math.floor(random() * 2048)));
    if (how === "bad-status-line") return socket.end("HTTP/1.1 banana\r\n\r\n");
    if (how === "error") return socket.write(response("500 Internal Server Error", Buffer.from("no\n")));
    if (how === "truncated") return socket.end(response("200 OK", Buffer.from("short")).subarray(0, -2));
    served++;
    const body =
      route === "health"
        ? Buffer.from("ok\n")
        : route === "stats"
          ? statsBody(script.stats ?? {}, n, served, random)
          : Buffer.from("hello from a hostile guest\n");
    const notModified = route === "load" && /^if-none-match:\s*"hostile-1"\s*$/im.test(headers);
    const bytes = notModified ? response("304 Not Modified", Buffer.alloc(0)) : response("200 OK", body);
    if (how === "slow") setTimeout(() => socket.writable && socket.write(bytes), script.slowMs ?? 2000);
    else socket.write(bytes);
  }

  function onConnection(socket) {
    let buffered = Buffer.alloc(0);
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let end = buffered.indexOf("\r\n\r\n"); end >= 0 && !socket.destroyed; end = buffered.indexOf("\r\n\r\n")) {
        const head = buffered.subarray(0, end).toString("latin1");
        buffered = buffered.subarray(end + 4);
        const path = /^[A-Z]+ (\S+) HTTP\/1\.[01]/.exec(head)?.[1] ?? "/";
        answer(socket, path, head);
      }
      if (buffered.length > MAX_HEAD) socket.destroy();
    });
  }

  const servers = forwards.map(() => createServer(onConnection));
  await Promise.all(
    servers.map(
      (server, i) =>
        new Promise((resolve, reject) => {
          server.once("error", reject);
          server.listen(forwards[i].hostPort, "127.0.0.1", resolve);
        }),
    ),
  );
  return servers;
}
