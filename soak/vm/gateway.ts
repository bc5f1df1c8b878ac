// The engine's foothold inside the private network namespace of the tap path
// (vm/tap-network.ts): it holds the namespace (started there by `unshare --net`) and
// relays a unix socket per guest port to the guest, so the watchers, which run in the
// engine's own namespace, reach /health and the counters. It ends with the engine
// (its parent-death signal, or the IPC channel closing).
// argv: DIR HOST PORT...; listens on DIR/PORT.sock; says "ready" over IPC.
import { connect, createServer } from "node:net";
import { join } from "node:path";

const [dir, host, ...ports] = process.argv.slice(2);
let listening = 0;
for (const port of ports) {
  const server = createServer((client) => {
    const guest = connect({ host, port: Number(port) });
    client.pipe(guest).pipe(client);
    const end = () => {
      client.destroy();
      guest.destroy();
    };
    client.on("error", end).on("close", end);
    guest.on("error", end).on("close", end);
  });
  server.listen(join(dir, `${port}.sock`), () => {
    if (++listening === ports.length) process.send?.("ready");
  });
}
if (ports.length === 0) process.send?.("ready");
process.on("disconnect", () => process.exit(0));
