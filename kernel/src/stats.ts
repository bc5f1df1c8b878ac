// The counters the soak engine reads (/api/stats.json) and the heartbeat prints.
// Names are the kernel contract in DESIGN.md.

export let bootId: u64 = 0;
export let requests: u64 = 0;
export let rxPackets: u64 = 0;
export let txPackets: u64 = 0;
export let rxUsedIdx: u32 = 0;
export let txUsedIdx: u32 = 0;
export let txStalls: u64 = 0;
export let tcpOpen: u32 = 0;
export let pmmPagesUsed: u32 = 0;
export let pmmPagesTotal: u32 = 0;
