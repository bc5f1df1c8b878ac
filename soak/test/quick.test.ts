// The quick tier (`npm run test:quick`) boots nothing, and cannot start to: under it QEMU is
// a stand-in that fails saying so (test/no-boot.ts), and every file on its list exists and
// imports none of the boot helpers.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { NO_BOOT_BIN } from "../../test/no-boot.ts";
import { QUICK_TESTS } from "../../vitest.config.ts";
import { Vm } from "../vm/qemu.ts";
import { tempDir } from "./cli-run.ts";

const ROOT = resolve(import.meta.dirname, "../..");
/** modules that boot a guest, or run the CLI that does */
const BOOTS =
  /from "[./]*(test\/http-guest|soak\/vm\/guest|vm\/guest|soak\/run|run|soak\/test\/legs|legs)\.ts"|\bcli\(/;

describe("the quick tier", () => {
  it("starts a stand-in for QEMU that exits 97 saying where the list is", async () => {
    expect(process.env.PATH?.split(":")[0]).toBe(NO_BOOT_BIN);
    const dir = await tempDir("quick-");
    const vm = await Vm.start({ kernel: "/dev/null", accel: "tcg", dir });
    const exit = await vm.exited;
    await vm.stop();
    expect(exit.code).toBe(97);
    expect(await readFile(join(dir, "qemu.log"), "utf8")).toMatch(
      /a quick test started QEMU.*QUICK_TESTS in vitest\.config\.ts/,
    );
  });

  it.each(QUICK_TESTS)("%s exists and imports no boot helper", async (file) => {
    expect(existsSync(join(ROOT, file))).toBe(true);
    expect(await readFile(join(ROOT, file), "utf8")).not.toMatch(BOOTS);
  });
});
