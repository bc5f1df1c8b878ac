// A guest that asks DHCP for its address gets 10.0.2.15 on both paths: QEMU user networking
// answers it itself, the tap path's gateway answers it inside the soak's namespace
// (soak/vm/dhcp.ts). The guest is Debian's stock kernel with busybox udhcpc
// (scripts/linux-guest/init, soak_net=dhcp), soaked through the CLI under TCG.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { linuxGuestImage } from "../../bench/linux.ts";
import { cli, readReport, tempDir } from "./cli-run.ts";

const root = process.getuid?.() === 0;
/** the guest's line for its lease; QEMU's user networking with restrict=on names no router */
const lease = (router: string) => `soak-guest: dhcp lease 10.0.2.15/24 router ${router} server 10.0.2.2 for 86400s`;

async function soakWithDhcp(network: "user" | "tap") {
  const { bzImage, initrd } = linuxGuestImage();
  const out = await tempDir("soak-dhcp-");
  const args = [
    ...["--kernel", bzImage, "--initrd", initrd, "--append", "console=ttyS0 soak_net=dhcp", "--accel", "tcg"],
    // server.c: no ELF note, so its ports are named; Linux's caches move its used pages
    ...["--guest-port", "8000-8255", "--paths", "/api/stats.json=1,/health=1", "--page-growth", "2048"],
    ...["--requests", "1000", "--connections", "2", "--churn", "0", "--boot-timeout", "180"],
    ...["--network", network, "--out", out],
  ];
  const { code, stderr } = await cli(args).done;
  const report = await readReport(out);
  expect(report.verdict.reasons, stderr).toEqual([]);
  expect(code).toBe(0);
  expect(report.network?.used).toBe(network);
  const serial = await readFile(join(out, "serial.log"), "latin1");
  expect(serial).toContain(lease(network === "tap" ? "10.0.2.2" : ""));
  expect(serial).not.toContain("soak-guest: no dhcp lease");
}

describe("a guest that asks DHCP for its address", () => {
  it("gets 10.0.2.15 from QEMU user networking, and passes", () => soakWithDhcp("user"), 400_000);
  it.runIf(root)("gets 10.0.2.15 from the tap path's gateway, and passes", () => soakWithDhcp("tap"), 400_000);
});
