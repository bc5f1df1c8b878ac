// This package's root folder and version. This file runs from soak/ (tsx) and bundled
// from dist/ (the action, the published CLI): the root is one folder up either way.
// The version is package.json's, read at build time into the bundles.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pkg from "../package.json" with { type: "json" };

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const VERSION: string = pkg.version;
