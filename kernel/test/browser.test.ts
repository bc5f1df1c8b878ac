// A real browser (headless Chromium, installed by scripts/setup.mjs) loads the
// guest's page with its stylesheet, script and the stats it fetches.
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterEach, expect, inject, it } from "vitest";
import { crashLines, type HttpGuest, startHttpGuest, stopHttpGuest } from "../../test/http-guest.ts";

const elf = inject("kernelElf");
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let guest: HttpGuest | undefined;
let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  await stopHttpGuest(guest);
  browser = guest = undefined;
});

it("loads / with its stylesheet, script and stats, and takes a screenshot", async () => {
  guest = await startHttpGuest(elf);
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, timeout: 30_000 });
  const page = await browser.newPage();
  const statuses = new Map<string, number>();
  page.on("response", (r) => statuses.set(new URL(r.url()).pathname, r.status()));
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));

  await page.goto(`${guest.base}/`, { timeout: 30_000 });
  await page.waitForFunction('document.body.dataset.loaded === "true"', null, { timeout: 30_000 });

  for (const path of ["/", "/style.css", "/app.js", "/api/stats.json"]) expect(statuses.get(path), path).toBe(200);
  expect(pageErrors).toEqual([]);
  const rows = page.locator("#stats tr");
  expect(await rows.count()).toBeGreaterThan(5);
  expect(await rows.filter({ hasText: "pmm_pages_used" }).count()).toBe(1);
  // style.css: body { max-width: 44rem; color: #222 }, td { border-bottom: 1px solid #ddd }
  expect(await page.evaluate("getComputedStyle(document.body).maxWidth")).toBe("704px");
  expect(await page.evaluate("getComputedStyle(document.body).color")).toBe("rgb(34, 34, 34)");
  expect(await page.evaluate('getComputedStyle(document.querySelector("td")).borderBottomStyle')).toBe("solid");

  const screenshot = join(guest.vm.config.dir, "index.png");
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`browser: screenshot of ${guest.base}/ at ${screenshot}`);
  expect(await crashLines(guest.vm)).toEqual([]);
});
