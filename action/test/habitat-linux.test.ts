// The action soaks a user's own Linux kernel through action.yml's inputs alone: Debian's
// stock bzImage with the busybox initramfs of scripts/linux-guest (its server answers on
// port 80), run from a fresh copy of the action (action.yml, dist/) as a runner does. It
// runs the committed bundle: after a change to the inputs, rebundle dist/ first.
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { linuxGuestImage } from "../../bench/linux.ts";
import { readReportFile } from "../../soak/index.ts";
import { Habitat } from "./habitat.ts";

let habitat: Habitat | undefined;
afterEach(async () => {
  await habitat?.cleanup();
  habitat = undefined;
});

describe("a user's own Linux kernel in the action", () => {
  it("a bzImage with its initrd, served on port 80, soaks and passes through the inputs alone", async () => {
    const { bzImage, initrd } = linuxGuestImage();
    habitat = await Habitat.create({ fresh: true });
    // the user's repository after actions/checkout: their kernel and initramfs
    await mkdir(join(habitat.workspace, "linux"));
    await copyFile(bzImage, join(habitat.workspace, "linux", "bzImage"));
    await copyFile(initrd, join(habitat.workspace, "linux", "initrd.img"));
    const r = await habitat.main(
      {
        kernel: "linux/bzImage",
        initrd: "linux/initrd.img",
        append: "console=ttyS0",
        "guest-port": "80",
        "boot-timeout": "180",
        "crash-pattern": "^soak-guest: fatal\n^init: cannot",
        // Linux's caches move its used pages: a budget for them, as the CLI's Linux test gives
        "page-growth": "2048",
        paths: "/api/stats.json=1,/health=1",
        requests: "3000",
        connections: "4",
        churn: "0",
        accel: "tcg",
      },
      { timeoutMs: 400_000 },
    );
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ verdict: "pass", requests: "3000" });
    const report = await readReportFile(r.outputs["report-dir"]);
    expect(report.kernel?.format).toBe("bzimage");
    expect(report.options).toMatchObject({ guestPorts: [80], bootTimeoutS: 180, pageGrowth: 2048 });
    expect((report.options as { crashPatterns: unknown[] }).crashPatterns).toHaveLength(2);
    expect(report.files.initrd).toBeTruthy();
    // the summary's command soaks the folder's own copies the same way
    expect(r.summary).toMatch(/--kernel bzImage --append console=ttyS0 --initrd initrd\.img .*--guest-port 80 /);
    expect(r.summary).toContain("--crash-pattern '^soak-guest: fatal' --crash-pattern '^init: cannot'");
    expect((await habitat.post()).code).toBe(0);
  }, 500_000);
});
