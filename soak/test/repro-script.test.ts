// repro.sh against hostile values: paths, counters, a crash line and QEMU arguments that
// carry $(…), backticks, quotes, ";" and newlines become data, never shell. Each generated
// script passes shellcheck and runs for real against the clean kernel (so every check it
// has runs, and finds nothing): no file the payloads name appears. Ports are chosen when
// the script runs: two at once both run, and ports in use are named (exit 2).
import { execFile, spawn } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { parseCli } from "../cli-options.ts";
import type { SoakOptions } from "../options.ts";
import { reproScript } from "../repro/script.ts";
import { qemuPidsFor } from "../vm/qemu.ts";
import { tempDir } from "./cli-run.ts";

const run = promisify(execFile);
// biome-ignore lint/suspicious/noTemplateCurlyInString: a shell payload, meant literally
const PAYLOAD = "$(touch${IFS}pwned-1)`touch${IFS}pwned-2`;touch${IFS}pwned-3'\";touch${IFS}pwned-4'";
// biome-ignore lint/suspicious/noTemplateCurlyInString: a shell payload, meant literally
const NEWLINE = "x\ntouch${IFS}pwned-5\n$(touch${IFS}pwned-6)";

const hostile = (): string[] => [
  "--health-path",
  `/health?a=1&b=${PAYLOAD}`,
  "--stats-path",
  `/api/stats.json?${PAYLOAD}`,
  "--paths",
  `/health?${PAYLOAD.replace(/=/g, "")}=1,inm:/style.css?\`touch\${IFS}pwned-7\`=1`,
  "--counter",
  `tx-stalls=tx_stalls${PAYLOAD}`,
  "--counter",
  `pages-used=${NEWLINE}`,
  "--counter",
  `uptime=uptime_ms${PAYLOAD}`,
  "--qemu-arg=-name",
  `--qemu-arg=${PAYLOAD}`,
  "--append",
  PAYLOAD,
];

function options(...extra: string[]): SoakOptions {
  const o = parseCli(["--requests", "200", "--connections", "2", "--boot-timeout", "60", ...extra]);
  if (o === "help") throw new Error("help");
  return o;
}

async function writeScript(dir: string, o: SoakOptions, kind: string, crashLine?: string): Promise<string> {
  const file = join(dir, `repro-${kind}.sh`);
  const script = reproScript({
    options: o,
    signature: { kind, title: kind === "crash" ? `title ${PAYLOAD}\n${NEWLINE}` : undefined },
    crashLine,
    accel: "tcg",
    bzImage: false,
    guestPorts: [],
    kernelFile: inject("kernelElf"),
    reproDir: dir,
    version: "0.0.0-test",
  });
  await writeFile(file, script, { mode: 0o755 });
  return file;
}

/** Runs a script from `cwd` as a person would, bounded in time; its QEMU must be gone after. */
async function runScript(file: string, cwd: string, env: Record<string, string> = {}) {
  const child = spawn("bash", [file], { cwd, env: { ...process.env, ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGTERM"), 120_000);
  const code = await new Promise<number | null>((r) => child.on("close", r));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

describe("repro.sh", () => {
  it.each([
    ["leak", undefined],
    ["tx-stall", undefined],
    ["hang", undefined],
    ["crash", `PF at ${PAYLOAD}\n${NEWLINE}`],
  ])(
    "%s: hostile values stay data; shellcheck is clean; the script runs to its end",
    async (kind, crashLine) => {
      const dir = await tempDir("repro-script-");
      const file = await writeScript(dir, options(...hostile()), kind, crashLine);
      const lint = await run("shellcheck", ["--severity=style", file]).then(
        () => "",
        (err: { stdout: string }) => err.stdout,
      );
      expect(lint).toBe("");
      const r = await runScript(file, dir);
      expect(await qemuPidsFor(inject("kernelElf"))).toEqual([]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^not reproduced: \d+ requests/m);
      expect((await readdir(dir)).filter((f) => f.includes("pwned"))).toEqual([]);
      expect((await readdir(process.cwd())).filter((f) => f.includes("pwned"))).toEqual([]);
    },
    150_000,
  );

  it("judges by the engine's own thresholds: a change of a flag reaches the script's checks", async () => {
    const dir = await tempDir("repro-script-");
    const o = options("--health-failures", "5", "--tx-stall-budget", "7", "--page-growth", "99");
    const script = await readFile(await writeScript(dir, o, "hang"), "utf8");
    expect(script).toContain("health_failures='5'");
    expect(script).toContain("tx_stall_budget='7'");
    expect(script).toContain("page_growth='99'");
    // the checks read those values, never numbers of their own
    expect(script).toMatch(/for \(\(n = 0; n < health_failures; n\+\+\)\); do probe "\$health_path"/);
    expect(script).toMatch(/hang\) hung ;;/);
    expect(script).toMatch(/\+ tx_stall_budget\)\)/);
    expect(script).toMatch(/\+ page_growth\)\)/);
  });

  it("paced (--rate): the load follows the guest's clock", async () => {
    const dir = await tempDir("repro-script-");
    const o = options("--paths", "/health=1", "--connections", "1", "--requests", "120", "--rate", "40");
    const file = await writeScript(dir, o, "leak");
    const r = await runScript(file, dir);
    expect(r.code, r.stderr).toBe(0);
    // 120 requests at 40 a second of the guest's time: 3 s of its uptime, in batches of 40
    const paced = /paced at 40 requests a second of the guest's time: (\d+) requests in (\d+) s of its uptime/.exec(
      r.stdout,
    );
    console.log(`repro.sh: ${paced?.[0]}`);
    expect(paced?.[1], r.stdout).toBe("120");
    expect(Number(paced?.[2])).toBeGreaterThanOrEqual(3);
    expect(Number(paced?.[2])).toBeLessThan(8);
    expect(await qemuPidsFor(inject("kernelElf"))).toEqual([]);
  }, 150_000);

  it("two at once: each finds loopback ports of its own", async () => {
    const dir = await tempDir("repro-script-");
    const file = await writeScript(dir, options("--paths", "/health=1"), "leak");
    const [a, b] = await Promise.all([runScript(file, dir), runScript(file, dir)]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    expect(await qemuPidsFor(inject("kernelElf"))).toEqual([]);
  }, 150_000);

  it("REPRO_PORT in use: says so, exit 2", async () => {
    const dir = await tempDir("repro-script-");
    const file = await writeScript(dir, options("--paths", "/health=1"), "leak");
    // the port taken; a connection to it (the script's first look) is closed at once
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const r = await runScript(file, dir, { REPRO_PORT: String(port) }).finally(
      () => new Promise((closed) => server.close(closed)),
    );
    expect(await qemuPidsFor(inject("kernelElf"))).toEqual([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`loopback ports ${port}-${port + 2} are in use`);
    expect(r.stderr).toContain("choose other ports (REPRO_PORT=N)");
  }, 60_000);
});
