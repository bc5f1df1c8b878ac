import { configDefaults, defineConfig } from "vitest/config";

/**
 * The tests that boot no VM: `npm run test:quick` runs only these (project "quick"), with QEMU
 * a stand-in that fails (test/no-boot.ts), so a file here that boots fails at once. Every other
 * test file is in project "vm"; `npm test` runs both.
 */
export const QUICK_TESTS = [
  "action/test/apt-cache.test.ts",
  "action/test/artifact.test.ts",
  "action/test/guest-log.test.ts",
  "action/test/inputs.test.ts",
  "action/test/metadata.test.ts",
  "action/test/runner.test.ts",
  "action/test/summary.test.ts",
  "soak/test/argv.test.ts",
  "soak/test/compare-report.test.ts",
  "soak/test/compare-stats.test.ts",
  "soak/test/crash-detector.test.ts",
  "soak/test/decode.test.ts",
  "soak/test/elf.test.ts",
  "soak/test/flags.test.ts",
  "soak/test/guest-clock.test.ts",
  "soak/test/guest-text.test.ts",
  "soak/test/http-probe.test.ts",
  "soak/test/hostile-harness.test.ts",
  "soak/test/imports.test.ts",
  "soak/test/kernel-image.test.ts",
  "soak/test/linux-report.test.ts",
  "soak/test/linux-symbols.test.ts",
  "soak/test/linux-tsc.test.ts",
  "soak/test/load-split.test.ts",
  "soak/test/out-dir.test.ts",
  "soak/test/profile-parts.test.ts",
  "soak/test/quick.test.ts",
  "soak/test/report-file.test.ts",
  "soak/test/repro-timing.test.ts",
  "soak/test/report-series.test.ts",
  "soak/test/serial.test.ts",
  "soak/test/stats-answer.test.ts",
  "soak/test/symbolize.test.ts",
  "soak/test/trend.test.ts",
  "soak/test/verdict.test.ts",
];

const shared = {
  exclude: [...configDefaults.exclude, "kernel/build/**"],
  // Tests boot real QEMU guests under TCG: generous per-test limits; the work
  // itself is bounded by deadlines inside each test.
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // Its JSON schema is imported without an import attribute, which Node 20 refuses: let Vite load it.
  server: { deps: { inline: ["@actions/workflow-parser"] } },
};

export default defineConfig({
  test: {
    // Two cores: one test file per core.
    maxWorkers: 2,
    projects: [
      {
        test: {
          ...shared,
          name: "quick",
          include: QUICK_TESTS,
          globalSetup: ["test/tmp-check.ts"],
          setupFiles: ["test/no-boot.ts"],
        },
      },
      {
        test: {
          ...shared,
          name: "vm",
          include: ["**/test/**/*.test.ts"],
          exclude: [...shared.exclude, ...QUICK_TESTS],
          globalSetup: ["test/global-setup.ts"],
        },
      },
    ],
  },
});
