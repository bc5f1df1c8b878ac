// Data flows one way, kernel -> engine -> action: the engine and the action reach the
// kernel's build only through kernel/bundled.ts, and the engine never imports the action.
import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory() && e.name !== "test") out.push(...(await sources(path)));
    else if (e.isFile() && e.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(join(ROOT, file), "utf8");
  return [...text.matchAll(/^(?:import|export)[^;]*? from "(\.[^"]+)"/gms)].map((m) =>
    relative(ROOT, resolve(ROOT, file, "..", m[1])),
  );
}

describe("the import graph", () => {
  it("soak/ and action/ import from kernel/ only kernel/bundled.ts; soak/ never imports action/", async () => {
    const wrong: string[] = [];
    for (const file of [...(await sources("soak")), ...(await sources("action"))]) {
      for (const target of await importsOf(file)) {
        if (target.startsWith("kernel/") && target !== "kernel/bundled.ts") wrong.push(`${file} -> ${target}`);
        if (file.startsWith("soak/") && target.startsWith("action/")) wrong.push(`${file} -> ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
