// The passive open: a SYN takes a free slot, or, with every slot taken, the slot of a
// connection that waits on its peer (table.chooseVictim), so /health is still served.
import * as conn from "./conn";
import * as scheduler from "./scheduler";
import * as table from "./table";
import * as tcp from "./tcp";
import { portPair, TCP_HDR } from "./tcp";
import { clockNs } from "../clock";
import * as stats from "../stats";

let issCounter: u32 = 0;

export function init(): void {
  issCounter = <u32>clockNs();
}

/** Opens a connection for a SYN (SYN_RCVD; our SYN-ACK goes out with the next flush), or refuses it with RST. */
export function accept(ip: usize, t: usize, now: u64): void {
  let c = table.take();
  if (c == null) {
    // Every slot taken: make room with one that waits on its peer, so /health is still served.
    const victim = table.chooseVictim();
    if (victim != null) {
      if (victim.state != conn.TIME_WAIT) stats.tcpEvictions++;
      tcp.reset(victim, now);
      table.destroy(victim);
      c = table.take();
    }
  }
  if (c == null || !c.open()) {
    if (c != null) table.giveBack(c);
    stats.connRefused++;
    tcp.replyReset(ip, t, 0, now);
    return;
  }
  c.remoteIp = load<u32>(ip, 12);
  c.ports = portPair(t);
  c.state = conn.SYN_RCVD;
  c.lastProgress = now; // the stall clock starts here, not at a previous tenant's last send
  c.lastRecv = now;
  c.rcvNxt = bswap<u32>(load<u32>(t, 4)) + 1;
  issCounter += 64000 + <u32>(now & 0xffff);
  c.sndUna = issCounter;
  c.sndNxt = issCounter;
  c.queued = issCounter + 1;
  c.peerWnd = <u32>bswap<u16>(load<u16>(t, 14));
  c.peerMss = parseMss(t);
  table.insert(c);
  scheduler.markDirty(c);
}

function parseMss(t: usize): u32 {
  const hdr = <usize>(load<u8>(t, 12) >> 4) << 2;
  for (let o: usize = TCP_HDR; o + 1 < hdr; ) {
    const kind = load<u8>(t + o);
    if (kind == 0) break;
    if (kind == 1) {
      o++;
      continue;
    }
    const len = <usize>load<u8>(t + o + 1);
    if (len < 2) break;
    if (kind == 2 && len == 4 && o + 4 <= hdr) return <u32>bswap<u16>(load<u16>(t + o + 2));
    o += len;
  }
  return 536;
}
