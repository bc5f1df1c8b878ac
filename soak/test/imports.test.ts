// Data flows one way, kernel -> engine -> front doors (the CLI, the action, the bench): the
// kernel's build and the engine import nothing of each other, the engine never imports a
// front door, the front doors reach the engine through its one door (soak/index.ts), and
// no file imports itself round a circle (type-only imports included).
import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const FOLDERS = ["kernel", "soak", "cli", "action", "bench", "test"];

/** The TypeScript files under `dir`, kernel/src (AssemblyScript) and build output aside. */
async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory() && !["node_modules", "build", "src", "platform"].includes(e.name))
      out.push(...(await sources(path)));
    else if (e.isFile() && e.name.endsWith(".ts")) out.push(path);
  }
  return out;
}

/** file -> the files it imports (relative imports only: packages are not ours) */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  for (const file of (await Promise.all(FOLDERS.map(sources))).flat()) {
    const text = await readFile(join(ROOT, file), "utf8");
    const targets = [...text.matchAll(/^(?:import|export)[^;]*? from "(\.[^"]+)"/gms)];
    graph.set(
      file,
      targets.map((m) => relative(ROOT, resolve(ROOT, file, "..", m[1]))),
    );
  }
  return graph;
}

/** The circles of the graph: its strongly connected parts of more than one file (Tarjan). */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) !== index.get(v)) return;
    const part = stack.splice(stack.indexOf(v));
    if (part.length > 1) found.push(part);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const inFolder = (file: string, folder: string) => file.startsWith(`${folder}/`);
const isTest = (file: string) => file.split("/").includes("test");

describe("the import graph", () => {
  // (tests may: they boot kernels with the engine's helpers, and build fault kernels)
  it("kernel/ and the engine (soak/) import nothing of each other; the engine no front door", async () => {
    const wrong: string[] = [];
    for (const [file, targets] of await importGraph())
      for (const target of targets) {
        const crosses =
          (inFolder(file, "kernel") && !isTest(file) && inFolder(target, "soak")) ||
          (inFolder(file, "soak") &&
            !isTest(file) &&
            ["kernel", "cli", "action", "bench"].some((f) => inFolder(target, f)));
        if (crosses) wrong.push(`${file} -> ${target}`);
      }
    expect(wrong).toEqual([]);
  });

  it("the front doors and the tests outside the engine reach it through soak/index.ts alone", async () => {
    const outside = ["cli", "action", "bench", "test", "kernel"];
    const wrong: string[] = [];
    for (const [file, targets] of await importGraph())
      for (const target of targets) {
        const deep = inFolder(target, "soak") && target !== "soak/index.ts" && !inFolder(target, "soak/test");
        if (deep && outside.some((f) => inFolder(file, f))) wrong.push(`${file} -> ${target}`);
      }
    expect(wrong).toEqual([]);
  });

  it("no file imports itself round a circle", async () => {
    expect(circles(await importGraph()).map((c) => c.join(" -> "))).toEqual([]);
  });

  it("finds a circle when there is one (the check itself works)", () => {
    const graph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(circles(graph).map((c) => [...c].sort())).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });
});
