// The kernel's entry (called by kernel/platform/main.c once the CPU, paging and
// interrupts are set up): clock, banner, configuration, network, `ready`, and the
// main loop, which halts whenever there is nothing to do, with the one-shot timer set for
// the next deadline only (no periodic tick: an idle guest wakes rarely).
import * as clock from "./clock";
import { clockNs } from "./clock";
import * as cmdline from "./cmdline";
import * as con from "./console";
import * as faults from "./faults";
import * as assets from "./http/assets";
import * as http from "./http/server";
import * as pmm from "./mem/pmm";
import * as ethernet from "./net/ethernet";
import * as ipv4 from "./net/ipv4";
import * as nic from "./net/nic";
import * as scheduler from "./net/scheduler";
import * as tcpInput from "./net/tcp-input";
import * as tcpTimers from "./net/tcp-timers";
import "./panic"; // the abort handler (asc --use abort=kernel/src/panic/abort)
import { bootBuildId, bootRamBytes, cpuReset, irqTake, irqWait, physAddr } from "./platform";
import * as stats from "./stats";
import * as timer from "./timer";

const VERSION = "0.1.0";
const DEFAULT_HEARTBEAT_MS: u64 = 5000;
/** pages for connection buffers (4 for each of net/table.ts's 1,536 slots) and the NIC rings: 32 MiB */
const POOL_PAGES: u32 = 8192;
/** frames handled before the pending responses are sent */
const RX_BUDGET: i32 = 64;

function banner(): void {
  const id = memory.data(64);
  const idLen = min(bootBuildId(id, 64), 64);
  con.str("unikernel-soak kernel ");
  con.str(VERSION);
  con.str(" build-id=");
  for (let i: usize = 0; i < idLen; i++) con.hex(load<u8>(id + i), 2);
  con.str(" faults=");
  con.str(faults.INJECTED);
  con.end();

  con.str("boot: ram=");
  con.dec(bootRamBytes() >> 20);
  con.str("MiB tsc=");
  con.dec(clock.tscHz / 1_000_000);
  con.str("MHz clock=");
  con.str(clock.source);
  con.str(" wasm-memory=0x");
  con.hex(physAddr(0), 16);
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

function configureNetwork(): void {
  const ip = cmdline.value("ip");
  const gw = cmdline.value("gw");
  ipv4.configure(ip != null ? ipv4.parse(ip) : 0, gw != null ? ipv4.parse(gw) : 0);
  tcpTimers.configure();
  http.verbose = cmdline.value("verbose") != null;
  http.slowRequestNs = cmdline.number("slow_request_ns", 0);
}

export function kmain(): void {
  clock.init();
  cmdline.read();
  stats.bootId = <u32>(clockNs() ^ (clock.tscHz << 7)) & 0x7fffffff;
  banner();
  timer.init();
  const heartbeatNs = cmdline.number("heartbeat_ms", DEFAULT_HEARTBEAT_MS) * 1_000_000;
  pmm.init(POOL_PAGES);
  assets.init();
  tcpInput.init(http.onData); // the stack says when a connection has bytes to read; it never calls the server by name
  configureNetwork();
  if (nic.init()) ethernet.announce();
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
    if (isDefined(FAULT_RESET)) {
      // Fault injection (reset): the CPU triple-faults once the kernel is armed.
      if (faults.armed()) cpuReset();
    }
    irqTake();
    let busy = false;
    if (nic.ready) {
      nic.ackInterrupt();
      busy = nic.receive(ethernet.handleFrame, RX_BUDGET) > 0;
      tcpTimers.run(now);
      scheduler.flush(now);
      nic.flush();
      // Output waiting for TX buffers: keep polling for the device to return them.
      busy = busy || scheduler.hasPendingOutput();
    }
    if (busy) tcpTimers.touch();
    else {
      let wake = min(faults.nextDue(), tcpTimers.nextDeadline());
      if (heartbeatNs > 0) wake = min(wake, nextHeartbeat);
      timer.wakeAt(wake, clockNs());
      stats.idleHalts++;
      irqWait();
    }
  }
}
