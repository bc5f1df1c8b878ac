// DHCP on the tap path, as QEMU's user networking has it: one guest, always 10.0.2.15/24,
// router and server 10.0.2.2 (RFC 2131: DISCOVER → OFFER, REQUEST → ACK, a request for any
// other address → NAK). The gateway (gateway.ts) serves it inside the soak's namespace, so a
// kernel that asks for its address gets the same one on both paths. The guest's bytes are
// hostile input: a message that is not a well-formed request is dropped, never thrown on.
import { createSocket } from "node:dgram";

const SERVER_PORT = 67;
const CLIENT_PORT = 68;
const COOKIE = 0x63825363;
const OPTIONS_AT = 240;
const LEASE_S = 86_400;

const DISCOVER = 1;
const OFFER = 2;
const REQUEST = 3;
const ACK = 5;
const NAK = 6;

export interface DhcpAddresses {
  guest: string;
  server: string;
  mask: string;
  broadcast: string;
}

const ip = (s: string) => Buffer.from(s.split(".").map(Number));

/** The options of a BOOTREQUEST, by code; undefined when `msg` is not one. */
function requestOptions(msg: Buffer): Map<number, Buffer> | undefined {
  if (msg.length < OPTIONS_AT || msg[0] !== 1 || msg.readUInt32BE(236) !== COOKIE) return undefined;
  const options = new Map<number, Buffer>();
  for (let at = OPTIONS_AT; at < msg.length; ) {
    const code = msg[at];
    if (code === 255) break;
    if (code === 0) {
      at++;
      continue;
    }
    const len = msg[at + 1];
    if (len === undefined || at + 2 + len > msg.length) return undefined;
    options.set(code, msg.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return options;
}

/** The answer to one client message, or undefined for none (not a DISCOVER or a REQUEST). */
export function dhcpAnswer(msg: Buffer, a: DhcpAddresses): Buffer | undefined {
  const options = requestOptions(msg);
  const type = options?.get(53)?.[0];
  if (!options || (type !== DISCOVER && type !== REQUEST)) return undefined;
  const requested = options.get(50) ?? (msg.readUInt32BE(12) ? msg.subarray(12, 16) : undefined); // or ciaddr
  const wrong = type === REQUEST && requested !== undefined && !requested.equals(ip(a.guest));
  const reply = Buffer.alloc(OPTIONS_AT);
  msg.copy(reply, 0, 0, 236); // htype, hlen, xid, flags, giaddr and chaddr as asked
  reply[0] = 2; // BOOTREPLY
  reply[3] = 0; // hops
  reply.fill(0, 8, 12); // secs
  if (type === DISCOVER) reply.fill(0, 12, 16); // ciaddr: a REQUEST's is answered as it came
  (wrong ? Buffer.alloc(4) : ip(a.guest)).copy(reply, 16); // yiaddr
  ip(a.server).copy(reply, 20); // siaddr
  reply.fill(0, 44, 236); // sname, file
  reply.writeUInt32BE(COOKIE, 236);
  const option = (code: number, value: Buffer) => Buffer.concat([Buffer.from([code, value.length]), value]);
  const lease = Buffer.alloc(4);
  lease.writeUInt32BE(LEASE_S);
  const answer = [option(53, Buffer.from([wrong ? NAK : type === DISCOVER ? OFFER : ACK])), option(54, ip(a.server))];
  if (!wrong)
    answer.push(option(51, lease), option(1, ip(a.mask)), option(3, ip(a.server)), option(28, ip(a.broadcast)));
  return Buffer.concat([reply, ...answer, Buffer.from([255])]);
}

/** Answers DHCP on every address of this namespace; resolves once listening, rejects when it cannot. */
export function serveDhcp(a: DhcpAddresses): Promise<void> {
  const socket = createSocket({ type: "udp4", reuseAddr: true });
  socket.on("message", (msg, from) => {
    const answer = dhcpAnswer(msg, a);
    if (!answer) return;
    // the client has no address yet: to the subnet's broadcast, unless it already has one (renewal)
    const to = from.address !== "0.0.0.0" ? from.address : a.broadcast;
    socket.send(answer, CLIENT_PORT, to, () => undefined);
  });
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(SERVER_PORT, () => {
      socket.setBroadcast(true);
      socket.off("error", reject);
      socket.on("error", () => undefined); // a send that fails (the guest gone) is no reason to end
      resolve();
    });
  });
}
