// The published command: `npm pack` of this repository, unpacked where no node_modules
// can be found, runs the bundled CLI (dist/cli.js) with plain node (no tsx, no
// dependencies) and soaks the prebuilt kernel it ships. The version it names in a
// Reproduce command is the package's.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readReportFile, VERSION } from "../../soak/index.ts";
import { REPO } from "./habitat.ts";

const pkg = JSON.parse(await readFile(join(REPO, "package.json"), "utf8"));

describe("the npm package", () => {
  it("is publishable, runs dist/cli.js by name, and its version is the one reports name", () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.bin).toEqual({ "unikernel-soak": "dist/cli.js" });
    expect(pkg.dependencies ?? {}).toEqual({}); // everything is in the bundle
    expect(VERSION).toBe(pkg.version);
  });

  it("packed and unpacked alone, soaks its prebuilt kernel and reports the exact version", async () => {
    const dir = await mkdtemp(join(tmpdir(), "packed-"));
    try {
      const [{ filename, files }] = JSON.parse(
        execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: REPO, encoding: "utf8" }),
      );
      const paths = files.map((f: { path: string }) => f.path);
      expect(paths).toEqual(expect.arrayContaining(["dist/cli.js", "dist/kernel.elf", "package.json"]));
      expect(
        paths.filter((p: string) => /^(action|soak|test|node_modules)\//.test(p) || p === "dist/index.js"),
      ).toEqual([]);
      execFileSync("tar", ["-xzf", join(dir, filename), "-C", dir]);
      const cli = spawnSync(
        process.execPath,
        [join(dir, "package", "dist", "cli.js"), "--requests", "3000", "--accel", "tcg"],
        {
          cwd: dir,
          encoding: "utf8",
          timeout: 100_000,
        },
      );
      expect(cli.status, cli.stderr).toBe(0);
      const report = await readReportFile(join(dir, "soak-report"));
      expect(report.verdict.kind).toBe("pass");
      expect(report.kernel.path).toBe(join(dir, "package", "dist", "kernel.elf"));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
