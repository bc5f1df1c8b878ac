// How the engine starts a script of its own in a child node process (the load workers,
// the network gateway): bundled, the file dist/NAME.js beside the running bundle; from
// source (tsx, vitest), soak/PATH.ts through tsx's loader.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = fileURLToPath(import.meta.url);
const bundled = here.endsWith(".js");

/** node's argv (after the node binary) for soak/`source`.ts, bundled as dist/`name`.js */
export function childScript(source: string, name: string): string[] {
  if (bundled) return [join(dirname(here), `${name}.js`)];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return ["--import", tsx, join(dirname(here), `${source}.ts`)];
}
