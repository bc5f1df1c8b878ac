import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Report } from "../report/types.ts";
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

describe("a function name that leads out of the source root", () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

  it("is never read, by asSourceOf or by the report's source excerpt", async () => {
    const { asSourceOf } = await import("../triage/as-source.ts");
    const { sourceExcerpt } = await import("../report/source-excerpt.ts");
    const dir = await mkdtemp(join(tmpdir(), "source-root-"));
    dirs.push(dir);
    const root = join(dir, "root");
    await mkdir(join(root, "kernel"), { recursive: true });
    await writeFile(join(root, "kernel/inside.ts"), "export function ok(): void {\n}\n");
    await writeFile(join(dir, "secret.ts"), "export function leak(): void {\n  // not the kernel's\n}\n");
    expect(await asSourceOf("kernel/inside/ok", root)).toEqual({ file: "kernel/inside.ts", line: 1 });
    expect(await asSourceOf("../secret/leak", root)).toBeUndefined();
    expect(await asSourceOf(`${dir}/secret/leak`, root)).toBeUndefined();
    const crashAt = (file: string) => ({ crash: { symbol: "leak", asSource: { file, line: 1 } } }) as unknown as Report;
    expect((await sourceExcerpt(crashAt("kernel/inside.ts"), root))?.text[0]).toMatch(/function ok/);
    expect(await sourceExcerpt(crashAt("../secret.ts"), root)).toBeUndefined();
    expect(await sourceExcerpt(crashAt(join(dir, "secret.ts")), root)).toBeUndefined();
  });
});
