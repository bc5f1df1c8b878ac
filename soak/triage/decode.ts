// Pure decoders for a crash dump's numbers: the page-fault error code bit by bit,
// CR2 as a signed number, and the normalized title used to deduplicate crashes.

/** x86 page-fault error code bits (Intel SDM vol. 3, "Interrupt 14"). */
const PF_BITS: [number, string, string][] = [
  [0, "present (protection violation)", "not-present"],
  [1, "write", "read"],
  [2, "user", "supervisor"],
  [3, "reserved bit set in a paging entry", ""],
  [4, "instruction fetch", "data"],
  [5, "protection key", ""],
  [6, "shadow stack", ""],
  [15, "SGX", ""],
];

export interface DecodedError {
  access: "read" | "write";
  mode: "user" | "supervisor";
  page: "present" | "not-present";
  fetch: "instruction" | "data";
  /** every bit, set or clear, in words */
  bits: string[];
}

export function decodePageFaultError(err: bigint): DecodedError {
  const bit = (n: number) => ((err >> BigInt(n)) & 1n) === 1n;
  const bits = PF_BITS.flatMap(([n, set, clear]) => {
    const text = bit(n) ? set : clear;
    return text ? [`bit ${n}: ${text}`] : [];
  });
  return {
    access: bit(1) ? "write" : "read",
    mode: bit(2) ? "user" : "supervisor",
    page: bit(0) ? "present" : "not-present",
    fetch: bit(4) ? "instruction" : "data",
    bits,
  };
}

export function toSigned64(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

export function hex64(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16).padStart(16, "0")}`;
}

/** Addresses and numbers out, so the same bug gives the same title every run. */
export function normalize(text: string): string {
  return text
    .replace(/0x[0-9a-fA-F]+/g, "ADDR")
    .replace(/\b\d+\b/g, "N")
    .replace(/\s+/g, " ")
    .trim();
}
