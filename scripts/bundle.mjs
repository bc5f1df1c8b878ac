#!/usr/bin/env node
// Bundles the action (action/ and the engine it uses) into dist/: index.js (main),
// post.js (post step), and licenses.txt listing every third-party package inside.
// Deterministic: the same sources and lockfile give the same files (CI checks dist/).
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = join(ROOT, "dist");

await rm(DIST, { recursive: true, force: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { index: "action/index.ts", post: "action/post-index.ts" },
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
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
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
console.log(`dist/: index.js, post.js, licenses.txt (${packages.size} packages)`);
