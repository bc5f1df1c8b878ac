// The command that runs one of the engine's own scripts in a child node process (the
// load workers, the tap path's gateway), for each way the engine runs: bundled
// (dist/cli.js, dist/index.js: the script is dist/NAME.js beside the bundle), or from the
// sources (tsx, or vitest importing the .ts files: node with tsx's loader on soak/PATH.ts).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** node and its arguments that run soak/`source`.ts, bundled as dist/`name`.js */
export function childScript(source: string, name: string): string[] {
  // bundled, this is the bundle's URL; from the sources, this file's
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) return [process.execPath, join(dirname(here), `${name}.js`)];
  const tsx = createRequire(here).resolve("tsx"); // its loader
  return [process.execPath, "--import", pathToFileURL(tsx).href, join(dirname(here), `${source}.ts`)];
}
