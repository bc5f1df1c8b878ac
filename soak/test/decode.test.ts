import { describe, expect, it } from "vitest";
import { decodePageFaultError, hex64, normalize, toSigned64 } from "../triage/decode.ts";

describe("page-fault error code", () => {
  it("decodes the seed's 0x0 as read, supervisor, not-present, data", () => {
    const d = decodePageFaultError(0n);
    expect([d.access, d.mode, d.page, d.fetch]).toEqual(["read", "supervisor", "not-present", "data"]);
    expect(d.bits).toEqual(["bit 0: not-present", "bit 1: read", "bit 2: supervisor", "bit 4: data"]);
  });

  it("decodes every bit that is set", () => {
    const d = decodePageFaultError(0x1fn);
    expect([d.access, d.mode, d.page, d.fetch]).toEqual(["write", "user", "present", "instruction"]);
    expect(d.bits).toContain("bit 3: reserved bit set in a paging entry");
  });
});

describe("numbers", () => {
  it("shows CR2 0xffffffffffffff88 as -120", () => {
    expect(toSigned64(0xffffffffffffff88n)).toBe(-120n);
    expect(hex64(-120n)).toBe("0xffffffffffffff88");
  });
});

describe("normalize", () => {
  it("strips addresses and numbers so titles deduplicate", () => {
    expect(normalize("bad index 42 at 0xdeadbeef in  slot 7")).toBe("bad index N at ADDR in slot N");
  });
});
