// Set-up of the quick tests (vitest.config.ts, project "quick"): they boot nothing, so QEMU
// is a stand-in that fails saying so (test/no-boot-bin/), for this worker and whatever it
// spawns (the CLI, a repro script). A quick file that boots fails instead of running slowly.
import { join } from "node:path";

export const NO_BOOT_BIN = join(import.meta.dirname, "no-boot-bin");
process.env.PATH = `${NO_BOOT_BIN}:${process.env.PATH ?? ""}`;
