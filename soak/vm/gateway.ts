// The engine's foothold inside the private network namespace of the tap path
// (vm/tap-network.ts): it holds the namespace (started there by `unshare --net`) and
// relays a unix socket per guest port to the guest, so the watchers, which run in the
// engine's own namespace, reach /health and the counters. It ends with the engine
// (the IPC channel closing). It is the first process of a PID namespace of its own too, so
// whatever runs in its namespace (QEMU, the load workers) ends with it.
// It answers DHCP on the tap when told to (dhcp.ts).
// argv: DIR HOST PORT...; listens on DIR/PORT.sock; says "ready" over IPC with its PID as
// the engine sees it (through /proc/self: /proc is the engine's), to enter its namespaces by.
import { readlinkSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import { type DhcpAddresses, serveDhcp } from "./dhcp.ts";

const [dir, host, ...ports] = process.argv.slice(2);
const ready = () => process.send?.({ ready: Number(readlinkSync("/proc/self")) });
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
    if (++listening === ports.length) ready();
  });
}
if (ports.length === 0) ready();
process.on("disconnect", () => process.exit(0));
// once the tap is up (the engine says so, with the addresses): DHCP for a guest that asks
process.on("message", (m: { dhcp?: DhcpAddresses }) => {
  if (!m.dhcp) return;
  serveDhcp(m.dhcp).then(
    () => process.send?.({ dhcp: "ready" }),
    (err: Error) => process.send?.({ dhcp: err.message }),
  );
});
