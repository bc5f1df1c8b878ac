// This package's root folder, for the kernel's build and the bundled kernel: one folder up
// from kernel/ (tsx) and from dist/ (the bundles) alike. The engine has its own
// (soak/package-root.ts): kernel/ and soak/ import nothing of each other.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
