// The kernel's entry (called by kernel/platform/main.c once the CPU, paging, the
// clock and interrupts are set up): banner, configuration, `ready`, main loop.
import * as cmdline from "./cmdline";
import * as con from "./console";
import * as faults from "./faults";
import * as stats from "./stats";
import { bootBuildId, bootRamBytes, clockNs, clockSource, clockTscHz, irqTake, irqWait, physAddr } from "./platform";

const VERSION = "0.1.0";
const DEFAULT_HEARTBEAT_MS: u64 = 5000;

function banner(): void {
  const id = memory.data(64);
  const idLen = min(bootBuildId(id, 64), 64);
  con.str("unikernel-soak kernel ");
  con.str(VERSION);
  con.str(" build-id=");
  for (let i: usize = 0; i < idLen; i++) con.hex(load<u8>(id + i), 2);
  con.end();

  const src = memory.data(16);
  con.str("boot: ram=");
  con.dec(bootRamBytes() >> 20);
  con.str("MiB tsc=");
  con.dec(clockTscHz() / 1_000_000);
  con.str("MHz clock=");
  con.bytes(src, min(clockSource(src, 16), 16));
  con.str(" wasm-memory=0x");
  con.hex(physAddr(0), 16);
  con.str("+");
  con.dec(<u64>memory.size() << 16 >> 20);
  con.str("MiB");
  con.end();

  con.str("boot: cmdline \"");
  con.bytes(cmdline.raw(), cmdline.rawLength());
  con.str("\"");
  con.end();
}

function heartbeat(nowNs: u64): void {
  con.str("heartbeat uptime_ms=");
  con.dec(nowNs / 1_000_000);
  con.str(" requests=");
  con.dec(stats.requests);
  con.str(" rx_packets=");
  con.dec(stats.rxPackets);
  con.str(" tx_packets=");
  con.dec(stats.txPackets);
  con.str(" tx_stalls=");
  con.dec(stats.txStalls);
  con.str(" tcp_open=");
  con.dec(stats.tcpOpen);
  con.str(" pmm_pages_used=");
  con.dec(stats.pmmPagesUsed);
  con.end();
}

export function kmain(): void {
  cmdline.read();
  banner();
  const heartbeatNs = cmdline.number("heartbeat_ms", DEFAULT_HEARTBEAT_MS) * 1_000_000;
  faults.configure(clockNs());
  con.line("ready");

  let nextHeartbeat = clockNs() + heartbeatNs;
  while (true) {
    const now = clockNs();
    faults.poll(now);
    if (heartbeatNs > 0 && now >= nextHeartbeat) {
      heartbeat(now);
      nextHeartbeat = now + heartbeatNs;
    }
    irqTake();
    irqWait();
  }
}
