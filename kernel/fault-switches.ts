// Fault-injection build switches: each puts one of the seed's bugs back into the
// real code path (asc --use FAULT_...=1, tested with isDefined() in kernel/src, so a
// clean build compiles none of it). The bug fires once the kernel has served
// `fault_after_requests` requests (kernel command line, default 10000).
export interface FaultSwitch {
  description: string;
  /** the verdict the soak must reach */
  verdict: "crash" | "hang" | "reset" | "tx-stall" | "leak";
  use: string[];
}

export const FAULTS: Record<string, FaultSwitch> = {
  "pf-chunker": {
    description: "the TCP send chunker takes the body branch for a response with no body: reads 0 + (sent - hdr_len)",
    verdict: "crash",
    use: ["FAULT_PF_CHUNKER=1"],
  },
  "tx-wrap-hang": {
    description: "the TX used index is compared without 16-bit wrap: after 65,536 sends no buffer comes back",
    verdict: "hang",
    use: ["FAULT_TX_WRAP_HANG=1"],
  },
  "tx-stall-209k": {
    description: "a response stops sending 209 KiB into an asset body",
    verdict: "tx-stall",
    use: ["FAULT_TX_STALL_209K=1"],
  },
  "page-leak": {
    description: "every 16th /api/stats.json takes a page and never gives it back",
    verdict: "leak",
    use: ["FAULT_PAGE_LEAK=1"],
  },
  "inm-overread": {
    description: "If-None-Match matching scans with a limit that goes negative and reads past its buffer",
    verdict: "crash",
    use: ["FAULT_INM_OVERREAD=1"],
  },
  "timer-wrap": {
    description:
      "the requests-a-minute window takes its seconds from a 32-bit ms clock; when it wraps (uptime timer_wrap_ms, default 1 h) the window moves by -4,294,967 s",
    verdict: "crash",
    use: ["FAULT_TIMER_WRAP=1"],
  },
  reset: {
    description: "the CPU triple-faults (the guest resets; QEMU exits under -no-reboot)",
    verdict: "reset",
    use: ["FAULT_RESET=1"],
  },
};
