#!/usr/bin/env node
import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);

// soak/vm/gateway.ts
import { connect, createServer } from "node:net";
import { join } from "node:path";
var [dir, host, ...ports] = process.argv.slice(2);
var listening = 0;
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
