// --profile on the real kernel under load: with fault=hot every request spins in hotSpin,
// and the profile must say so (the top frame by self time, at least 40% of the load's
// samples), in profile.folded, profile.json and report.html's flame graph, which headless
// Chromium draws from file:// asking for nothing else. A hang's profile is the seconds
// before it: the spinning loop. PROFILE_FLAME_PNG=path keeps a screenshot of the graph.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { readProfileFile } from "../profile/profile-file.ts";
import { cli, readReport, tempDir } from "./cli-run.ts";

const elf = inject("kernelElf");

/** self samples by leaf frame, from profile.folded's lines */
function selfByLeaf(folded: string): Map<string, number> {
  const self = new Map<string, number>();
  for (const line of folded.trimEnd().split("\n")) {
    const m = /^(.*) (\d+)$/.exec(line);
    expect(m, line).not.toBeNull();
    const leaf = (m as RegExpExecArray)[1].split(";").at(-1) as string;
    self.set(leaf, (self.get(leaf) ?? 0) + Number((m as RegExpExecArray)[2]));
  }
  return self;
}

async function openFlame(out: string) {
  const browser = await chromium.launchPersistentContext(await tempDir("soak-chromium-"), {
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    timeout: 30_000,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const requests: string[] = [];
    await browser.route("**/*", (route) => {
      requests.push(route.request().url());
      return /^(file|data):/.test(route.request().url()) ? route.continue() : route.abort();
    });
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(`file://${join(out, "report.html")}`, { timeout: 30_000 });
    const flame = page.locator("svg.flame").first();
    const box = await flame.boundingBox();
    const labels = await flame.locator("text").allTextContents();
    const shot = process.env.PROFILE_FLAME_PNG ?? join(await tempDir("soak-flame-"), "flame.png");
    await page.locator("section.profile").screenshot({ path: shot });
    console.log(`report.html's profile: screenshot ${shot}`);
    const top = await page.locator("table.top tbody tr").allTextContents();
    return { box, labels, rects: await flame.locator("rect").count(), top, requests };
  } finally {
    await browser.close();
  }
}

describe("--profile", () => {
  it("names hotSpin as the hot spot of a fault=hot kernel, in every view", { timeout: 300_000 }, async () => {
    const out = await tempDir();
    const args = ["--kernel", elf, "--accel", "tcg", "--requests", "8000", "--out", out];
    const { code, stderr } = await cli([...args, "--profile", "--append", "fault=hot"]).done;
    expect(code, stderr).toBe(0);
    const r = await readReport(out);
    expect(r.files["profile.folded"]).toBe("profile.folded");
    expect(r.profile?.hz).toBe(99);

    const self = selfByLeaf(await readFile(join(out, "profile.folded"), "utf8"));
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    const [leaf, count] = [...self].sort((a, b) => b[1] - a[1])[0];
    console.log(`profile: ${total} samples under load, top ${leaf} ${((100 * count) / total).toFixed(1)}%`);
    expect(total).toBeGreaterThan(200);
    expect(leaf).toBe("kernel/src/faults/hotSpin");
    expect(count / total).toBeGreaterThanOrEqual(0.4);

    const p = await readProfileFile(out);
    expect(p.phases.boot?.samples).toBeGreaterThan(0);
    expect(p.phases.steady?.samples).toBe(total);
    expect(p.top[0].name).toBe("kernel/src/faults/hotSpin");
    // called from the request path, through the server's own functions
    const hot = p.phases.steady?.stacks.find((s) => s.frames.at(-1) === "kernel/src/faults/hotSpin");
    expect(hot?.frames).toContain("kernel/src/http/server/respond");

    const seen = await openFlame(out);
    expect(seen.box?.width).toBeGreaterThan(1000);
    expect(seen.rects).toBeGreaterThan(10);
    expect(seen.labels.some((l) => l.startsWith("kernel/src/faults/hotSpin"))).toBe(true);
    expect(seen.top[0]).toContain("kernel/src/faults/hotSpin");
    expect(seen.requests.filter((u) => !/^(file|data):/.test(u))).toEqual([]);
  });

  it("of a hang: the last seconds before it show the spinning loop", { timeout: 300_000 }, async () => {
    const out = await tempDir();
    const args = ["--kernel", elf, "--accel", "tcg", "--requests", "2000000", "--out", out, "--profile", "50"];
    const { code, stderr } = await cli([...args, "--append", "fault=hang fault_after_ms=6000"]).done;
    expect(code, stderr).toBe(1);
    const p = await readProfileFile(out);
    const hang = p.phases.hang;
    expect(hang?.samples).toBeGreaterThan(50);
    const spinning = (hang?.stacks ?? [])
      .filter((s) => s.frames.includes("kernel/src/faults/faultSpin"))
      .reduce((n, s) => n + s.count, 0);
    expect(spinning / (hang?.samples ?? 1)).toBeGreaterThan(0.5);
    // the profiler let go of the gdbstub before triage: the hang's backtrace is there
    expect((await readReport(out)).hang?.backtrace).toContain("faultSpin");
  });
});
