// action.yml and the workflows are valid (GitHub's own parser and schema), the
// README's inputs/outputs table matches action.yml, and third-party actions are pinned.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { parseAction } from "@actions/workflow-parser/actions/action-parser";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FLAGS, flagsOf, inputDefault } from "../../soak/index.ts";
import { engineInputs } from "../inputs.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const read = (p: string) => readFileSync(join(ROOT, p), "utf8");
const WORKFLOWS = readdirSync(join(ROOT, ".github/workflows")).map((f) => `.github/workflows/${f}`);

interface ActionYml {
  inputs: Record<string, { description: string; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string; post: string };
}
const action = parse(read("action.yml")) as ActionYml;

describe("action.yml", () => {
  it("passes GitHub's action schema", () => {
    const result = parseAction({ name: "action.yml", content: read("action.yml") }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
  });

  it("runs the committed bundle on node24, with a post step", () => {
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js", post: "dist/post.js" });
  });

  it("is documented input for input and output for output in the README", () => {
    const readme = read("README.md");
    const rows = (section: string) =>
      [...(readme.split(`### ${section}`)[1]?.split("\n### ")[0] ?? "").matchAll(/^\| `([a-z0-9-]+)` +\|/gm)].map(
        (m) => m[1],
      );
    expect(rows("Inputs")).toEqual(Object.keys(action.inputs));
    expect(rows("Outputs")).toEqual(Object.keys(action.outputs));
  });
});

describe("the action's engine inputs and the flag table", () => {
  /** the inputs action/ reads itself, not as an engine flag */
  const ACTION_ONLY = [
    "build-command",
    "require-kvm",
    "repro-budget",
    "compare-to",
    "artifact-name",
    "upload",
    "retention-days",
  ];
  const rows = engineInputs();
  const readmeRows = new Map(
    [...read("README.md").matchAll(/^\| `([a-z0-9-]+)` +\| +(?:`([^`]*)`)? +\| (.*?) +\|$/gm)].map((m) => [
      m[1],
      { default: m[2] ?? "", description: m[3] },
    ]),
  );

  it.each(rows.map((f) => [f.name, f] as const))(
    "--%s is an input of action.yml and the README, with the row's default and description",
    (name, f) => {
      const spec = { default: inputDefault(f, FLAGS), description: f.input?.description };
      expect(action.inputs[name]).toEqual(spec);
      expect(readmeRows.get(name)).toEqual(spec);
    },
  );

  it("every other input of action.yml is a row marked as an input, or the action's own", () => {
    const flags = new Map(flagsOf(FLAGS).map((f) => [f.name, f]));
    const others = Object.keys(action.inputs).filter((n) => !rows.some((f) => f.name === n));
    expect(others.filter((n) => flags.has(n))).toEqual([]); // a flag given as an input but not marked so
    expect(others.sort()).toEqual([...ACTION_ONLY, "merge"].sort());
  });

  it("has every flag a user's own kernel needs", () => {
    const names = rows.map((f) => f.name);
    for (const n of ["kernel", "symbols", "initrd", "append", "guest-port", "health-path", "stats-path", "counter"])
      expect(names).toContain(n);
    for (const n of ["crash-pattern", "boot-timeout", "qemu-arg", "scenario"]) expect(names).toContain(n);
  });
});

describe.each(WORKFLOWS)("%s", (file) => {
  it("passes GitHub's workflow schema", () => {
    const result = parseWorkflow({ name: file, content: read(file) }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().map((e) => e.message)).toEqual([]);
  });

  it("pins third-party actions by commit and reads the repository only by default", () => {
    const text = read(file);
    for (const m of text.matchAll(/uses: ([^\s#]+)/g)) {
      if (m[1].startsWith("./")) continue;
      expect(m[1], `${file}: ${m[1]}`).toMatch(/@[0-9a-f]{40}$/);
    }
    expect((parse(text) as { permissions?: unknown }).permissions).toEqual({ contents: "read" });
  });
});

describe("the schema check itself", () => {
  it("rejects a broken workflow", () => {
    const broken = "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    stepz: []\n";
    const result = parseWorkflow({ name: "broken.yml", content: broken }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().length).toBeGreaterThan(0);
  });
});

describe("workflows that soak or release", () => {
  it.each([".github/workflows/ci.yml", ".github/workflows/soak.yml", ".github/workflows/release.yml"])(
    "%s has a concurrency group",
    (file) => {
      expect((parse(read(file)) as { concurrency?: { group?: string } }).concurrency?.group).toBeTruthy();
    },
  );

  interface Job {
    uses?: string;
    needs?: string;
    steps?: { name?: string; run?: string }[];
  }
  const release = parse(read(".github/workflows/release.yml")) as { jobs: Record<string, Job> };
  const step = (name: RegExp) =>
    Object.values(release.jobs)
      .flatMap((j) => j.steps ?? [])
      .find((s) => name.test(s.name ?? ""));

  it("release runs the full checks first, then creates a GitHub release with notes", () => {
    expect(release.jobs.checks.uses).toBe("./.github/workflows/ci.yml");
    expect(release.jobs.release.needs).toBe("checks");
    expect(step(/GitHub release/)?.run).toMatch(/gh release create "\$TAG" .*--generate-notes/);
  });

  it.each([
    ["v1.2.3", ["tag -f v1", "push -f origin refs/tags/v1"]],
    ["v1.3.0-rc1", []],
  ])("release of %s moves the major tag: %j", async (tag, expected) => {
    const dir = mkdtempSync(join(tmpdir(), "release-"));
    try {
      writeFileSync(join(dir, "git"), `#!/bin/sh\necho "$@" | cut -d' ' -f1-4 >> "${dir}/calls"\n`, { mode: 0o755 });
      const script = step(/major tag/)?.run ?? "";
      const r = spawnSync("bash", ["-e", "-c", script], {
        env: { PATH: `${dir}:/usr/bin:/bin`, TAG: tag, GITHUB_SHA: "abc" },
        encoding: "utf8",
      });
      expect(r.status, r.stderr).toBe(0);
      const calls = existsSync(join(dir, "calls")) ? readFileSync(join(dir, "calls"), "utf8").trim().split("\n") : [];
      expect(calls.map((c) => c.replace(/ abc$/, ""))).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the README", () => {
  it("does not say cached jobs skip the mirrors (apt-get update still reads the package lists)", () => {
    expect(read("README.md")).not.toMatch(/skip the mirrors/);
  });
});
