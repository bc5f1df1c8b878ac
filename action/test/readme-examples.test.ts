// Every ```yaml example in the README that uses the action is run in the habitat (see
// habitat.ts): its step's `with:`, once per matrix combination, exactly as written,
// except that an example that would soak gets `requests: 20000` (a 2,000,000-request
// soak takes ~1.5 min alone on this 2-core machine; habitat.test.ts says more). An
// example asking for KVM is expected to stop, saying KVM cannot be used: this machine
// has none. Each yaml block is a workflow run of its own with the local stand-in for the
// artifact service, so a shard plan's merge job finds the legs its block uploaded. A compare
// example gets a workspace that is a git repository, its base ref that repository's commit:
// the same kernel on both sides, so no regression. A README example can no longer be wrong.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { kvmRefusal } from "../../soak/index.ts";
import { againstItself } from "../../soak/test/against-itself.ts";
import { type ArtifactService, startArtifactService } from "./artifact-service.ts";
import { Habitat, REPO } from "./habitat.ts";

const ACTION = "quartz/unikernel-soak@v1";
const SOAK_CAP = 20_000;
type With = Record<string, string | number | boolean>;

interface Example {
  title: string;
  /** the yaml block: one workflow run */
  block: number;
  with: With;
}

function find(node: unknown, key: string, found: unknown[] = []): unknown[] {
  if (Array.isArray(node)) for (const n of node) find(n, key, found);
  else if (node && typeof node === "object")
    for (const [k, v] of Object.entries(node)) {
      if (k === key) found.push(v);
      find(v, key, found);
    }
  return found;
}

/** Each combination of a matrix's values. */
function combinations(matrix: Record<string, unknown[]> | undefined): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [k, values] of Object.entries(matrix ?? {}))
    if (Array.isArray(values)) out = out.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  return out;
}

function examples(readme: string): Example[] {
  const list: Example[] = [];
  for (const [i, m] of [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].entries()) {
    const doc = parse(m[1]);
    const uses: { uses: string; with?: With }[] = [];
    const walk = (n: unknown) => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === "object") {
        const o = n as Record<string, unknown>;
        if (o.uses === ACTION) uses.push(o as { uses: string; with?: With });
        Object.values(o).forEach(walk);
      }
    };
    walk(doc);
    const matrix = find(doc, "matrix")[0] as Record<string, unknown[]> | undefined;
    for (const step of uses)
      for (const combo of combinations(matrix)) {
        const w: With = {};
        for (const [k, v] of Object.entries(step.with ?? {}))
          w[k] = String(v).replace(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g, (_, name) => String(combo[name]));
        list.push({
          title: `yaml block ${i + 1}${Object.keys(combo).length ? ` ${JSON.stringify(combo)}` : ""}`,
          block: i,
          with: w,
        });
      }
  }
  return list;
}

const EXAMPLES = examples(readFileSync(join(REPO, "README.md"), "utf8"));

let habitat: Habitat | undefined;
const services = new Map<number, ArtifactService>();
const serviceFor = async (block: number) => {
  if (!services.has(block)) services.set(block, await startArtifactService());
  return services.get(block) as ArtifactService;
};
afterAll(() => Promise.all([...services.values()].map((s) => s.close())));
afterEach(async () => {
  await habitat?.cleanup();
  habitat = undefined;
});

describe("the README's workflow examples", () => {
  it("are found (the default, your own kernel, and a shard plan with its merge)", () => {
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(5);
  });

  it.each(EXAMPLES)("$title runs as documented: $with", { timeout: 600_000 }, async (example) => {
    const wantsKvm = String(example.with["require-kvm"]) === "true" || example.with.accel === "kvm";
    const inputs = { ...example.with };
    if (!wantsKvm) inputs.requests = Math.min(Number(inputs.requests ?? 2_000_000), SOAK_CAP);
    const comparing = example.with["compare-to"] !== undefined;
    if (comparing) inputs["compare-to"] = String(inputs["compare-to"]).replace(/\$\{\{[^}]*\}\}/, "HEAD");
    const service = await serviceFor(example.block);
    /** the main step in a fresh habitat: the user's repository after actions/checkout */
    const run = async () => {
      await habitat?.cleanup();
      const h = await Habitat.create();
      habitat = h;
      // a Makefile that "builds" kernel.elf; for a compare, a git repository whose HEAD is the base
      await cp(join(REPO, "dist", "kernel.elf"), join(h.workspace, "prebuilt.elf"));
      await writeFile(join(h.workspace, "Makefile"), "kernel.elf: prebuilt.elf\n\tcp prebuilt.elf kernel.elf\n");
      if (comparing) {
        const git = (...args: string[]) => execFileSync("git", args, { cwd: h.workspace, stdio: "pipe" });
        git("init", "--quiet");
        git("add", ".");
        git("-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "--quiet", "-m", "base");
      }
      return h.main(inputs, { env: service.env });
    };
    const r = comparing ? await againstItself(run, (x) => x.outputs.verdict) : await run();
    if (wantsKvm && (await kvmRefusal(join(REPO, "dist", "kernel.elf")))) {
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/require-kvm is true, but KVM cannot be used on this runner/);
    } else if (Number(example.with.connections) >= 256 && r.outputs.verdict === "tx-stall") {
      // Known finding, not the README's: under TCG on a busy 2-core host the bundled kernel
      // now and then counts a TX stall (a connection with nothing sent for 1 s, tcp.ts
      // STALL_NS) with 256 connections (1 run in 3 here). The example itself was accepted
      // and soaked; the step failed as documented for a kernel verdict.
      expect(r.code).toBe(1);
    } else if (comparing) {
      expect(r.code, r.stdout).toBe(0);
      expect(["no change", "within threshold", "improvement"]).toContain(r.outputs.verdict);
      expect(r.summary).toMatch(/^# Compare: ✅/m);
      // the table: metric, A, B, ratio, interval, verdict, gate; the gated metric with figures
      expect(r.summary).toMatch(
        /^\| metric \| A \(mean\) \| B \(mean\) \| B \/ A .*\| 95% interval \| verdict \| gate \|$/m,
      );
      expect(r.summary).toMatch(
        /^\| guest CPU per request \(µs[^|]*\| [\d.]+ \| [\d.]+ \| [\d.]+ \([+−][\d.]+%\) \| [+−][\d.]+% … [+−][\d.]+% \| (no change|within threshold|improvement) \| gated at 5\.0% worse \|$/m,
      );
    } else {
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs.verdict).toBe("pass");
    }
    expect(r.annotations.filter((a) => a.level === "error" && /input '/.test(a.message))).toEqual([]);
    if (example.with.merge) expect(r.summary).toMatch(/^# Sharded soak ✅ pass — [1-9]\d* legs, 0 failed/m);
    expect((await habitat?.post({ env: service.env }))?.code).toBe(0);
  });
});
