// The probes' keep-alive socket and a guest that closes it: a probe sent on the reused socket
// as the guest drops it is sent again once on a new connection (the time warp makes the guest's
// idle timer fire between two probes a wall second apart); a guest that drops every request is
// still a failed probe.
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpProbe } from "../watch/http-probe.ts";

const servers: Server[] = [];
afterEach(() => Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r)))));

/** A server that answers the first request on each connection and resets the connection at any later one. */
async function serve(answerFirst: boolean): Promise<number> {
  const server = createServer((socket: Socket) => {
    let requests = 0;
    socket.on("data", () => {
      if (++requests === 1 && answerFirst) socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
      else socket.resetAndDestroy();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as { port: number }).port;
}

describe("a probe whose reused socket the guest drops", () => {
  it("is sent again once on a new connection, and answered", async () => {
    const probe = new HttpProbe({ host: "127.0.0.1", port: await serve(true) });
    try {
      for (let i = 0; i < 3; i++) expect((await probe.get("/health", 2000)).status).toBe(200);
    } finally {
      probe.close();
    }
  });

  it("fails when the guest drops a request on a new connection too", async () => {
    const probe = new HttpProbe({ host: "127.0.0.1", port: await serve(false) });
    try {
      await expect(probe.get("/health", 2000)).rejects.toThrow();
    } finally {
      probe.close();
    }
  });
});
