// This package's root folder. This file runs from soak/ (tsx) and bundled from dist/
// (the action): the root is one folder up either way.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
