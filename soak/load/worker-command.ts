// The command that runs a load worker, for each way the engine runs: bundled (dist/cli.js,
// dist/index.js: the worker is dist/load-worker.js beside the bundle), or from the sources
// (tsx, or vitest importing the .ts files: node with tsx's loader on load-worker.ts).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** node and its arguments that run a worker */
export function workerCommand(): string[] {
  // bundled, this is the bundle's URL; from the sources, this file's
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".ts")) return [process.execPath, join(dirname(here), "load-worker.js")];
  const tsx = createRequire(here).resolve("tsx"); // its loader
  return [process.execPath, "--import", pathToFileURL(tsx).href, join(dirname(here), "load-worker.ts")];
}
