import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "kernel/build/**"],
    globalSetup: ["test/global-setup.ts"],
    // Tests boot real QEMU guests under TCG: generous per-test limits; the work
    // itself is bounded by deadlines inside each test.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: one test file per core.
    maxWorkers: 2,
    // Its JSON schema is imported without an import attribute, which Node 20 refuses: let Vite load it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
