// This package's root folder and version. This file runs from soak/ (tsx) and bundled
// from dist/ (the action, the published CLI): the root is one folder up either way, and
// package.json there is the one place the version is written.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const VERSION: string = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")).version;
