#!/usr/bin/env node
// Makes this checkout ready to build, soak and test: installs the npm packages
// (npm ci, when node_modules is missing or older than package-lock.json) and the
// system tools (QEMU, gcc, binutils, gdb; Chromium for tests, wrk for benchmarks) through apt when root or sudo allows,
// else says exactly what to install. Plain Node, no dependencies: it runs first.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { aptInstallArgv } from "./apt-command.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const quiet = process.argv.includes("--quiet");
// --system-only: QEMU and the triage tools only (soaking a prebuilt kernel needs no npm packages and no gcc)
const systemOnly = process.argv.includes("--system-only");
const forTests = process.argv.includes("--tests");
const forBench = process.argv.includes("--bench");
// --apt-cache DIR: apt keeps (and first looks for) the .deb files it needs in DIR; the action caches DIR
const aptCacheAt = process.argv.indexOf("--apt-cache");
const aptCache = aptCacheAt > 0 ? process.argv[aptCacheAt + 1] : undefined;
const log = (msg) => quiet || console.error(`setup: ${msg}`);

// command -> the Debian/Ubuntu package that provides it
const TOOLS = {
  "qemu-system-x86_64": "qemu-system-x86",
  ld: "binutils",
  addr2line: "binutils",
  objdump: "binutils",
  gdb: "gdb",
};
// only to build a kernel (not --system-only)
const BUILD_TOOLS = { gcc: "gcc" };
// only for the test suite (--tests): the browser test drives Chromium headless; the load's
// tests drive busybox httpd, a server that closes the connection after every response;
// ab, h2load and siege are the clients no one here wrote that load the kernel (clients.test.ts);
// repro.sh is linted; the network tests run the soak as a runner's user, through sudo
const TEST_TOOLS = {
  chromium: "chromium",
  busybox: "busybox",
  ab: "apache2-utils",
  h2load: "nghttp2-client",
  siege: "siege",
  shellcheck: "shellcheck",
  sudo: "sudo",
};
// only for the benchmarks (--bench): wrk and passt, and what scripts/linux-guest/build.sh needs
// to build the Linux reference (gcc-12 builds its module against Debian's headers)
const BENCH_TOOLS = { wrk: "wrk", passt: "passt", cpio: "cpio", make: "make", "gcc-12": "gcc-12" };

function fail(msg) {
  console.error(`setup: ${msg}`);
  process.exit(2);
}

function ensureNodeVersion() {
  const major = Number(process.versions.node.split(".")[0]);
  if (major < 20) fail(`Node ${process.versions.node} is too old; install Node 20 or newer`);
}

function ensureNpmPackages() {
  const lock = join(ROOT, "package-lock.json");
  const installed = join(ROOT, "node_modules", ".package-lock.json");
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return;
  log("installing npm packages (npm ci)");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) fail("npm ci failed (see above)");
}

function has(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

function ensureSystemTools() {
  const tools = {
    ...TOOLS,
    ...(!systemOnly && BUILD_TOOLS),
    ...(forTests && TEST_TOOLS),
    ...(forBench && BENCH_TOOLS),
  };
  const missing = Object.entries(tools).filter(([cmd]) => !has(cmd));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map(([, pkg]) => pkg))];
  if (aptCache) mkdirSync(join(aptCache, "partial"), { recursive: true });
  const what = missing.map(([cmd]) => cmd).join(", ");
  const isRoot = process.getuid?.() === 0;
  const canSudo = !isRoot && has("sudo") && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0;
  const sudoArgv = aptInstallArgv(packages, { root: false, aptCache });
  const byHand = `sudo ${sudoArgv.slice(2, -1).join(" ")} '${sudoArgv.at(-1)}'`;
  if (!has("apt-get") || (!isRoot && !canSudo)) {
    fail(`missing ${what}. Install them, e.g. on Debian/Ubuntu: ${byHand}`);
  }
  log(`installing ${packages.join(" ")} (missing: ${what})`);
  try {
    const argv = aptInstallArgv(packages, { root: isRoot, aptCache });
    execFileSync(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "inherit"] });
  } catch {
    fail(`apt-get failed; install by hand: ${byHand}`);
  }
  const still = Object.keys(tools).filter((cmd) => !has(cmd));
  if (still.length) fail(`still missing after apt-get: ${still.join(", ")}`);
}

ensureNodeVersion();
if (!systemOnly) ensureNpmPackages();
ensureSystemTools();
log("ready");
