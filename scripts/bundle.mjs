#!/usr/bin/env node
// Bundles the action (action/ and the engine it uses) into dist/: index.js (main),
// post.js (post step), cli.js (the published command, `npx unikernel-soak`), and the
// engine's child processes, found beside whichever bundle runs (soak/child-script.ts):
// load-worker.js (the load, soak/load/pool.ts) and gateway.js (the tap path's, soak/vm/gateway.ts);
// licenses.txt listing every third-party package inside, and kernel.elf: the clean
// bundled kernel built from kernel/ by kernel/build.ts, so that soaking it needs no
// toolchain (kernel-toolchain.txt names the tools it was built with).
// Deterministic: the same sources, lockfile and toolchain give the same files, so
// `npm run check-dist` (bundle, then git diff dist/) proves the committed files,
// the ELF included, are the build of the committed sources.
import { execFileSync } from "node:child_process";
import { chmod, copyFile, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
// UNIKERNEL_SOAK_DIST: another folder (a test's bundle of the working tree; dist/ stays as committed)
const DIST = process.env.UNIKERNEL_SOAK_DIST ? resolve(process.env.UNIKERNEL_SOAK_DIST) : join(ROOT, "dist");

await rm(DIST, { recursive: true, force: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: {
    index: "action/index.ts",
    post: "action/post-index.ts",
    cli: "cli/main.ts",
    // the engine's child processes (soak/child-script.ts)
    "load-worker": "soak/load/load-worker.ts",
    gateway: "soak/vm/gateway.ts",
  },
  outdir: DIST,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
  // CommonJS dependencies call require(); give the ESM bundle one.
  banner: {
    js: '#!/usr/bin/env node\nimport { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
});

const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m) packages.set(m[1], join(ROOT, input.slice(0, input.indexOf(m[1]) + m[1].length)));
}
const sections = [];
for (const name of [...packages.keys()].sort()) {
  const dir = packages.get(name);
  const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
  let text = "";
  for (const file of ["LICENSE", "LICENSE.md", "LICENSE.txt", "license", "LICENCE"]) {
    text = await readFile(join(dir, file), "utf8").catch(() => "");
    if (text) break;
  }
  sections.push(
    `${name}@${pkg.version} (${pkg.license ?? "see below"})\n\n${text.trim() || "(no licence file shipped)"}`,
  );
}
await writeFile(
  join(DIST, "licenses.txt"),
  `Third-party software bundled in dist/\n\n${sections.join(`\n\n${"-".repeat(72)}\n\n`)}\n`,
);
await chmod(join(DIST, "cli.js"), 0o755);

// The toolchain must not be in the bundles: the prebuilt kernel is all a default run needs.
for (const [out, meta] of Object.entries(result.metafile.outputs)) {
  const tool = Object.keys(meta.inputs).find((i) => /node_modules\/(assemblyscript|binaryen|wabt)\//.test(i));
  if (tool) throw new Error(`${out} bundles the kernel toolchain (${tool}); import kernel/build.ts lazily`);
}

// The clean kernel, through the same build (and build cache) as `npm run build:kernel`.
const tsx = join(ROOT, "node_modules", "tsx", "dist", "loader.mjs");
execFileSync(process.execPath, ["--import", tsx, "kernel/build-cli.ts"], { cwd: ROOT, stdio: "inherit" });
await copyFile(join(ROOT, "kernel", "build", "kernel.elf"), join(DIST, "kernel.elf"));
const version = (cmd) => execFileSync(cmd, ["--version"], { encoding: "utf8" }).split("\n")[0];
const npmVersion = async (name) =>
  JSON.parse(await readFile(join(ROOT, "node_modules", name, "package.json"), "utf8")).version;
await writeFile(
  join(DIST, "kernel-toolchain.txt"),
  [
    "dist/kernel.elf was built by kernel/build.ts with (check-dist needs the same to match):",
    `gcc: ${version("gcc")}`,
    `ld: ${version("ld")}`,
    ...(await Promise.all(["assemblyscript", "binaryen", "wabt"].map(async (n) => `${n}: ${await npmVersion(n)}`))),
    "",
  ].join("\n"),
);
console.log(
  `dist/: index.js, post.js, cli.js, load-worker.js, gateway.js, licenses.txt (${packages.size} packages), kernel.elf`,
);
