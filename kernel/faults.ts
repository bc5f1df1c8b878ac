// Fault-injection build switches: each puts one of the seed's bugs back into the
// real code path (asc --use constants read in kernel/src). A clean build has none.
export interface FaultSwitch {
  description: string;
  use: string[];
}

export const FAULTS: Record<string, FaultSwitch> = {};
