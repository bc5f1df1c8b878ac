import { describe, expect, it } from "vitest";
import { demangle, isWasmFunction } from "../triage/symbolize.ts";

describe("demangle", () => {
  it("turns wasm2c names back into AssemblyScript paths", () => {
    expect(demangle("w2c_kernel_kernel0x2Fsrc0x2Ffaults0x2FfaultReadKernelHalf")).toBe(
      "kernel/src/faults/faultReadKernelHalf",
    );
    expect(demangle("w2c_kernel_0x7Elib0x2Frt0x2Fstub0x2F_0x5Fnew")).toBe("~lib/rt/stub/__new");
  });

  it("leaves C names alone", () => {
    expect(demangle("isr_dispatch")).toBe("isr_dispatch");
  });

  it("tells AssemblyScript functions from imports and C", () => {
    expect(isWasmFunction("w2c_kernel_kernel0x2Fsrc0x2Fmain0x2Fkmain")).toBe(true);
    expect(isWasmFunction("w2c_env_console_write")).toBe(false);
    expect(isWasmFunction("fault_dump")).toBe(false);
  });
});

describe("asSourceOf", () => {
  it("finds the AssemblyScript declaration of a demangled function", async () => {
    const { asSourceOf } = await import("../triage/as-source.ts");
    const root = new URL("../..", import.meta.url).pathname;
    const at = await asSourceOf("kernel/src/net/tcp/tcpSendChunk", root);
    expect(at?.file).toBe("kernel/src/net/tcp.ts");
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(`${root}/${at?.file}`, "utf8").split("\n")[(at?.line ?? 0) - 1]).toMatch(
      /function tcpSendChunk\(/,
    );
    expect(await asSourceOf("kernel/src/net/conn/Conn#arenaAlloc", root)).toMatchObject({
      file: "kernel/src/net/conn.ts",
    });
    expect(await asSourceOf("~lib/rt/stub/__new", root)).toBeUndefined();
  });
});
