// The counters the soak engine reads (/api/stats.json) and the heartbeat prints.
// The first names are the kernel contract in ARCHITECTURE.md; the rest help triage.

export let bootId: u32 = 0;
export let requests: u64 = 0;
export let rxPackets: u64 = 0;
export let txPackets: u64 = 0;
export let rxUsedIdx: u16 = 0;
export let txUsedIdx: u16 = 0;
export let txStalls: u64 = 0;
export let tcpOpen: i32 = 0;
export let pmmPagesUsed: u32 = 0;
export let pmmPagesTotal: u32 = 0;

/** idle halts (main.ts): with no periodic tick, an idle guest's are its deadlines only */
export let idleHalts: u64 = 0;
export let rxDropped: u64 = 0;
export let tcpRetransmits: u64 = 0;
export let tcpResets: u64 = 0;
export let tcpResetsReceived: u64 = 0;
export let tcpTimeouts: u64 = 0;
export let connRefused: u64 = 0;
/** slots given back by the timeouts (tcp-timers.ts) and by making room for a new connection */
export let tcpIdleTimeouts: u64 = 0;
export let tcpFinWaitTimeouts: u64 = 0;
export let tcpZeroWindowResets: u64 = 0;
export let tcpEvictions: u64 = 0;
export let http2xx: u64 = 0;
export let http304: u64 = 0;
export let http4xx: u64 = 0;
