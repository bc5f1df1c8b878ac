// Free TCP ports on the loopback interface, for QEMU's port forwards and gdbstub.
// Taken below Linux's ephemeral range (32768+), so the load's own client sockets
// never grab one between our check and QEMU's bind; a remaining race is retried by
// the caller (see bootVm in soak/run.ts).
import { createServer } from "node:net";

const LOW = 20000;
const HIGH = 32000;

function tryPort(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

export async function freeLoopbackPort(): Promise<number> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await tryPort(port)) return port;
  }
  throw new Error(`no free loopback port between ${LOW} and ${HIGH}`);
}

/** `count` distinct free loopback ports. */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freeLoopbackPort());
  return [...ports];
}
