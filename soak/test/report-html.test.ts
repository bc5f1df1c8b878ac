// report.html of real soaks (a pass, a crash, a hang, each run through the CLI) in
// headless Chromium from file://: every chart drew, the failure is marked on each, the
// page requests nothing beyond itself, and a screenshot of each is saved (kept with
// KEEP_SCREENSHOTS=1, else removed after the test file).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, afterEach, describe, expect, inject, it } from "vitest";
import { cli, readReport, tempDir } from "./cli-run.ts";

const elf = inject("kernelElf");
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const KEEP = Boolean(process.env.KEEP_SCREENSHOTS);
const shots = mkdtemp(join(tmpdir(), "soak-report-html-"));
afterAll(async () => {
  if (!KEEP) await rm(await shots, { recursive: true, force: true });
});

let browser: BrowserContext | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
});

interface Seen {
  badge: string;
  headline: string;
  /** points of each chart's line, by metric */
  charts: Record<string, number>;
  failureMarks: number;
  source: string;
  requests: string[];
}

/** Soaks with `args`, opens the report.html it wrote, screenshots it, and says what the page shows. */
async function soakAndOpen(name: string, args: string[]): Promise<Seen> {
  const out = await tempDir();
  const { code, stderr } = await cli(["--kernel", elf, "--accel", "tcg", ...args, "--out", out]).done;
  expect(code, stderr).not.toBe(2);
  expect((await readReport(out)).files["report.html"]).toBe("report.html");

  // Chromium's profile in the test's temp folder: a fresh, empty --user-data-dir
  browser = await chromium.launchPersistentContext(await tempDir("soak-chromium-"), {
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    timeout: 30_000,
    viewport: { width: 1280, height: 900 },
  });
  const requests: string[] = [];
  await browser.route("**/*", (route) => {
    const url = route.request().url();
    requests.push(url);
    return /^(file|data):/.test(url) ? route.continue() : route.abort();
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`file://${join(out, "report.html")}`, { timeout: 30_000 });

  const path = join(await shots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`report.html of the ${name} soak: screenshot ${path}`);
  expect(errors).toEqual([]);

  const charts: Record<string, number> = {};
  for (const svg of await page.locator("svg.chart").all()) {
    const d =
      (await svg
        .locator("path.line")
        .getAttribute("d")
        .catch(() => null)) ?? "";
    charts[(await svg.getAttribute("data-metric")) as string] = d.split(/[ML]/).filter(Boolean).length;
  }
  return {
    badge: (await page.locator("header .badge").textContent()) ?? "",
    headline: (await page.locator("header h1").textContent()) ?? "",
    charts,
    failureMarks: await page.locator("svg.chart line.failure").count(),
    source:
      (await page
        .locator("section.source")
        .textContent({ timeout: 1000 })
        .catch(() => "")) ?? "",
    requests,
  };
}

const METRICS = ["rps", "p99", "health", "rss", "pages", "txStalls"];

function expectChartsDrawn(seen: Seen) {
  expect(Object.keys(seen.charts)).toEqual(METRICS);
  for (const m of METRICS) expect(seen.charts[m], m).toBeGreaterThanOrEqual(2);
}

/** Nothing but the page itself (and data: URLs) was asked for. */
function expectNothingLeft(seen: Seen) {
  expect(seen.requests.length).toBeGreaterThan(0);
  expect(seen.requests.filter((u) => !/^(file|data):/.test(u))).toEqual([]);
}

describe("report.html in a browser", () => {
  it("of a pass: every chart drawn, no failure mark", { timeout: 240_000 }, async () => {
    // about 13 s of load under TCG: past the warm-up, a dozen points on every chart
    const seen = await soakAndOpen("pass", ["--requests", "60000"]);
    expect(seen.badge).toBe("PASS");
    expectChartsDrawn(seen);
    expect(seen.failureMarks).toBe(0);
    expectNothingLeft(seen);
  });

  it("of a crash: the fault, its AssemblyScript line, and the moment on every chart", {
    timeout: 240_000,
  }, async () => {
    const seen = await soakAndOpen("crash", ["--append", "fault=pf fault_after_ms=8000"]);
    expect(seen.badge).toBe("CRASH");
    expect(seen.headline).toBe("page fault in kernel/src/faults/faultReadKernelHalf (read, not-present)");
    expect(seen.source).toMatch(/kernel\/src\/faults\.ts:\d+/);
    expect(seen.source).toContain("function faultReadKernelHalf()");
    expectChartsDrawn(seen);
    expect(seen.failureMarks).toBe(METRICS.length);
    expectNothingLeft(seen);
  });

  it("of a hang: the loop's source and the moment on every chart", { timeout: 240_000 }, async () => {
    // seconds of answered load before the hang: p99 is drawn only where responses came
    const seen = await soakAndOpen("hang", ["--append", "fault=hang fault_after_ms=8000"]);
    expect(seen.badge).toBe("HANG");
    expect(seen.headline).toMatch(/\/health failed 2 times in a row/);
    // the innermost AssemblyScript frame: the loop, or the clock read it calls when RIP is there
    expect(seen.source).toMatch(/function faultSpin\(\)|function clockNs\(\)/);
    expectChartsDrawn(seen);
    expect(seen.failureMarks).toBe(METRICS.length);
    expectNothingLeft(seen);
  });
});
