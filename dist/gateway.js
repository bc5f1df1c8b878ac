#!/usr/bin/env node
import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);

// soak/vm/gateway.ts
import { readlinkSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";

// soak/vm/dhcp.ts
import { createSocket } from "node:dgram";
var SERVER_PORT = 67;
var CLIENT_PORT = 68;
var COOKIE = 1669485411;
var OPTIONS_AT = 240;
var LEASE_S = 86400;
var DISCOVER = 1;
var OFFER = 2;
var REQUEST = 3;
var ACK = 5;
var NAK = 6;
var ip = (s) => Buffer.from(s.split(".").map(Number));
function requestOptions(msg) {
  if (msg.length < OPTIONS_AT || msg[0] !== 1 || msg.readUInt32BE(236) !== COOKIE) return void 0;
  const options = /* @__PURE__ */ new Map();
  for (let at = OPTIONS_AT; at < msg.length; ) {
    const code = msg[at];
    if (code === 255) break;
    if (code === 0) {
      at++;
      continue;
    }
    const len = msg[at + 1];
    if (len === void 0 || at + 2 + len > msg.length) return void 0;
    options.set(code, msg.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return options;
}
function dhcpAnswer(msg, a) {
  const options = requestOptions(msg);
  const type = options?.get(53)?.[0];
  if (!options || type !== DISCOVER && type !== REQUEST) return void 0;
  const requested = options.get(50) ?? (msg.readUInt32BE(12) ? msg.subarray(12, 16) : void 0);
  const wrong = type === REQUEST && requested !== void 0 && !requested.equals(ip(a.guest));
  const reply = Buffer.alloc(OPTIONS_AT);
  msg.copy(reply, 0, 0, 236);
  reply[0] = 2;
  reply[3] = 0;
  reply.fill(0, 8, 12);
  if (type === DISCOVER) reply.fill(0, 12, 16);
  (wrong ? Buffer.alloc(4) : ip(a.guest)).copy(reply, 16);
  ip(a.server).copy(reply, 20);
  reply.fill(0, 44, 236);
  reply.writeUInt32BE(COOKIE, 236);
  const option = (code, value) => Buffer.concat([Buffer.from([code, value.length]), value]);
  const lease = Buffer.alloc(4);
  lease.writeUInt32BE(LEASE_S);
  const answer = [option(53, Buffer.from([wrong ? NAK : type === DISCOVER ? OFFER : ACK])), option(54, ip(a.server))];
  if (!wrong)
    answer.push(option(51, lease), option(1, ip(a.mask)), option(3, ip(a.server)), option(28, ip(a.broadcast)));
  return Buffer.concat([reply, ...answer, Buffer.from([255])]);
}
function serveDhcp(a) {
  const socket = createSocket({ type: "udp4", reuseAddr: true });
  socket.on("message", (msg, from) => {
    const answer = dhcpAnswer(msg, a);
    if (!answer) return;
    const to = from.address !== "0.0.0.0" ? from.address : a.broadcast;
    socket.send(answer, CLIENT_PORT, to, () => void 0);
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(SERVER_PORT, () => {
      socket.setBroadcast(true);
      socket.off("error", reject);
      socket.on("error", () => void 0);
      resolve();
    });
  });
}

// soak/vm/gateway.ts
var [dir, host, ...ports] = process.argv.slice(2);
var ready = () => process.send?.({ ready: Number(readlinkSync("/proc/self")) });
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
    if (++listening === ports.length) ready();
  });
}
if (ports.length === 0) ready();
process.on("disconnect", () => process.exit(0));
process.on("message", (m) => {
  if (!m.dhcp) return;
  serveDhcp(m.dhcp).then(
    () => process.send?.({ dhcp: "ready" }),
    (err) => process.send?.({ dhcp: err.message })
  );
});
