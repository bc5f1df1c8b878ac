// One soak, start to finish: kernel -> accelerator -> boot -> /health ready ->
// load with every watcher running -> stop on the first fatal finding -> settle ->
// triage -> report. Whatever happens (a fault, an error, Ctrl-C), the report is
// written and QEMU is stopped.
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { KernelUnderTest } from "../kernel/bundled.ts";
import { chooseAccel } from "./accel.ts";
import { readElfInfo } from "./elf.ts";
import { LoadRun, type LoadTick } from "./load/driver.ts";
import type { SoakOptions } from "./options.ts";
import { renderSummary, renderTriage } from "./report/summary.ts";
import { type Report, SCHEMA_VERSION, type TimelineEntry } from "./report/types.ts";
import { triageCrash } from "./triage/crash.ts";
import { triageHang } from "./triage/hang.ts";
import { decide, type Finding } from "./verdict.ts";
import { freeLoopbackPorts } from "./vm/ports.ts";
import { type Accel, Vm } from "./vm/qemu.ts";
import { Qmp } from "./vm/qmp.ts";
import { CrashDetector, type CrashReport } from "./watch/crash-detector.ts";
import { type GuestStats, parseStats, StatsWatcher } from "./watch/guest-stats.ts";
import { sampleProcess } from "./watch/host.ts";
import { HttpProbe } from "./watch/http-probe.ts";

export const VERSION = "0.1.0";
const SETTLE_MS = 10_000;
const REGISTER_WAIT_MS = 2000;
const HANG_DUMP_MIB = 64;

export interface Progress {
  elapsedS: number;
  requests: number;
  asked: number;
  rps: number;
  etaS?: number;
  healthMs?: number;
  txStalls?: number;
  rssMiB?: number;
}

export interface RunHooks {
  log: (line: string) => void;
  progress: (p: Progress) => void;
  /** the exact command that reproduces the run, for the report */
  command: string;
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSoak(o: SoakOptions, kernel: KernelUnderTest, hooks: RunHooks): Promise<Report> {
  const out = resolve(o.out);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const startedAt = new Date();
  const findings: Finding[] = [];
  const timeline: TimelineEntry[] = [];
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: "unikernel-soak", version: VERSION },
    startedAt: startedAt.toISOString(),
    finishedAt: "",
    wallS: 0,
    command: hooks.command,
    kernel: { built: kernel.bundled, fault: kernel.fault },
    accel: { mode: o.accel },
    boot: {},
    options: { ...o, crashPatterns: o.crashPatterns.map(String) },
    verdict: decide([]),
    guest: {},
    host: {},
    files: {},
  };

  let fatalResolve: () => void = () => {};
  const fatal = new Promise<void>((r) => {
    fatalResolve = r;
  });
  const addFinding = (f: Finding) => {
    findings.push(f);
    hooks.log(`${f.kind}: ${f.message}`);
    fatalResolve();
  };
  const onAbort = () =>
    addFinding({ kind: "error", at: Date.now(), message: "cancelled (SIGINT/SIGTERM); partial report" });
  hooks.signal?.addEventListener("abort", onAbort, { once: true });

  let vm: Vm | undefined;
  let load: LoadRun | undefined;
  let stopping = false;
  const timers: NodeJS.Timeout[] = [];
  const health = { probe: undefined as HttpProbe | undefined, failures: 0, lastMs: undefined as number | undefined };
  const statsProbe = { probe: undefined as HttpProbe | undefined };
  const stats = new StatsWatcher(o);
  let crash: CrashReport | undefined;
  const rss = { first: 0, max: 0, last: 0, warm: 0 };
  let elf: string | undefined;

  try {
    elf = kernel.elf;
    const info = await readElfInfo(elf);
    if (!info.pvhEntry)
      throw new Error(`${elf} has no PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY); QEMU cannot boot it with -kernel`);
    report.kernel = { ...report.kernel, path: elf, buildId: info.buildId };

    // ---- accelerator
    const choice = await chooseAccel(o.accel, elf, o.qemu);
    report.accel = { mode: o.accel, used: choice.accel, refused: choice.refused };
    if (choice.refused)
      hooks.log(`WARNING: running under TCG (software emulation, much slower than KVM): ${choice.refused}`);

    // ---- boot
    // One port for each watcher, one per two load connections (see VmConfig.hostPorts), one for gdb.
    const bootStart = performance.now();
    const guestPorts = o.guestPorts.length ? o.guestPorts : (info.httpPorts ?? [80]);
    const booted = await bootVm(o, elf, choice.accel, guestPorts, out);
    vm = booted.vm;
    const { healthPort, statsPort, gdbPort, loadPorts } = booted;
    const runningVm = vm;
    report.files["serial.log"] = "serial.log";
    const detector = new CrashDetector(o.crashPatterns);
    let headlineAt = 0;
    vm.serial.on("line", (l) => {
      if (crash) return;
      const c = detector.feed(l.text, l.at);
      if (detector.waiting && !headlineAt) headlineAt = Date.now();
      if (c) onCrash(c);
    });
    const onCrash = (c: CrashReport) => {
      crash = c;
      addFinding({
        kind: "crash",
        at: c.at,
        message: `serial: ${c.lines[0]}${c.corrupted ? ` (dump corrupted: ${c.corrupted})` : ""}`,
        evidence: { lines: c.lines },
      });
    };
    timers.push(
      setInterval(() => {
        if (headlineAt && Date.now() - headlineAt > REGISTER_WAIT_MS && detector.waiting && !crash) {
          const c = detector.flush();
          if (c) onCrash(c);
        }
      }, 250),
    );
    let ready = false;
    vm.exited.then(async (e) => {
      if (stopping) return;
      const how = e.signal ? `signal ${e.signal}` : `exit code ${e.code}`;
      if (!ready) {
        // Before the guest ever answered: QEMU itself could not run it (bad arguments, ports, firmware).
        const log = (await readFile(join(out, "qemu.log"), "utf8").catch(() => ""))
          .trim()
          .split("\n")
          .slice(-3)
          .join(" | ");
        addFinding({
          kind: "error",
          at: e.at,
          message: `QEMU exited before the guest was up (${how})${log ? `: ${log}` : ""}`,
        });
        return;
      }
      addFinding({
        kind: e.code === 0 ? "reset" : "crash",
        at: e.at,
        message: `QEMU exited during the soak (${how})${e.code === 0 ? ": the guest reset or powered off (-no-reboot)" : ""}`,
        evidence: { code: e.code, signal: e.signal },
      });
    });

    health.probe = new HttpProbe("127.0.0.1", healthPort);
    statsProbe.probe = new HttpProbe("127.0.0.1", statsPort);
    const readyDeadline = Date.now() + o.bootTimeoutS * 1000;
    while (!ready && findings.length === 0) {
      if (Date.now() > readyDeadline) {
        addFinding({
          kind: "hang",
          at: Date.now(),
          message: `${o.healthPath} did not answer 200 within ${o.bootTimeoutS} s of boot`,
        });
        break;
      }
      try {
        ready = (await health.probe.get(o.healthPath, 1000)).status === 200;
      } catch {
        await sleep(100);
      }
    }
    if (ready) {
      report.boot.readyMs = Math.round(performance.now() - bootStart);
      hooks.log(
        `guest answered ${o.healthPath} ${report.boot.readyMs} ms after QEMU started (${choice.accel}); loading 127.0.0.1:${loadPorts[0]}-${loadPorts.at(-1)}`,
      );

      // ---- baseline and ETags for revalidations
      const first = parseStats((await statsProbe.probe.get(o.statsPath, 5000)).body);
      stats.check(first, Date.now());
      const etags = new Map<string, string>();
      for (const p of o.paths.filter((x) => x.revalidate)) {
        const etag = (await health.probe.get(p.path, 5000)).headers.etag;
        if (typeof etag === "string") etags.set(p.path, etag);
        else throw new Error(`--paths: inm:${p.path} needs an ETag, but ${p.path} answered without one`);
      }

      // ---- watchers
      const loadStarted = Date.now();
      stats.startLoad(loadStarted);
      let requestsDone = 0;
      let lastRps = 0;
      let healthBusy = false;
      let lastCpu: { cpuS: number; at: number } | undefined;
      timers.push(
        setInterval(async () => {
          if (healthBusy || stopping) return;
          healthBusy = true;
          const at = Date.now();
          try {
            const r = await (health.probe as HttpProbe).get(o.healthPath, o.healthTimeoutMs);
            if (r.status !== 200) throw new Error(`status ${r.status}`);
            health.failures = 0;
            health.lastMs = Math.round(r.ms);
          } catch (err) {
            health.failures++;
            health.lastMs = undefined;
            if (health.failures === o.healthFailures) {
              addFinding({
                kind: "hang",
                at,
                message: `${o.healthPath} failed ${health.failures} times in a row (last: ${(err as Error).message}, ${new Date(at).toISOString()})`,
              });
            }
          } finally {
            healthBusy = false;
          }
        }, o.intervalMs),
      );
      let statsBusy = false;
      timers.push(
        setInterval(async () => {
          if (statsBusy || stopping) return;
          statsBusy = true;
          try {
            const s = parseStats((await (statsProbe.probe as HttpProbe).get(o.statsPath, o.healthTimeoutMs)).body);
            for (const f of stats.check(s, Date.now())) addFinding(f);
          } catch {
            // an unanswered stats poll is the health watcher's business
          } finally {
            statsBusy = false;
          }
        }, o.intervalMs),
      );
      timers.push(
        setInterval(async () => {
          const h = await sampleProcess(runningVm.pid);
          if (!h) return;
          const elapsedS = (Date.now() - loadStarted) / 1000;
          rss.first ||= h.rssMiB;
          rss.max = Math.max(rss.max, h.rssMiB);
          rss.last = h.rssMiB;
          report.host.cpuS = h.cpuS;
          if (elapsedS >= o.warmupS) {
            rss.warm ||= h.rssMiB;
            if (h.rssMiB - rss.warm > o.rssGrowthMiB && !findings.some((f) => f.kind === "leak")) {
              addFinding({
                kind: "leak",
                at: Date.now(),
                message: `QEMU's resident memory grew ${(h.rssMiB - rss.warm).toFixed(1)} MiB after warm-up (${rss.warm.toFixed(1)} -> ${h.rssMiB.toFixed(1)} MiB; budget ${o.rssGrowthMiB} MiB)`,
              });
            }
          }
          const cpuPercent = lastCpu ? ((h.cpuS - lastCpu.cpuS) / ((Date.now() - lastCpu.at) / 1000)) * 100 : 0;
          lastCpu = { cpuS: h.cpuS, at: Date.now() };
          const entry: TimelineEntry = {
            t: Math.round(elapsedS * 10) / 10,
            at: new Date().toISOString(),
            rps: lastRps,
            health: { ok: health.failures === 0, ms: health.lastMs },
            guest: stats.last,
            guestAt: stats.lastAt ? new Date(stats.lastAt).toISOString() : undefined,
            host: { rssMiB: Math.round(h.rssMiB * 10) / 10, cpuPercent: Math.round(cpuPercent) },
          };
          timeline.push(entry);
          hooks.progress({
            elapsedS,
            requests: requestsDone,
            asked: o.requests,
            rps: lastRps,
            etaS: lastRps > 0 ? (o.requests - requestsDone) / lastRps : undefined,
            healthMs: health.lastMs,
            txStalls: stats.last?.[o.counters.txStalls],
            rssMiB: h.rssMiB,
          });
        }, o.intervalMs),
      );

      // ---- load
      load = new LoadRun(
        {
          urls: loadPorts.map((p) => `http://127.0.0.1:${p}`),
          requests: o.requests,
          durationS: o.durationS,
          connections: o.connections,
          pipelining: o.pipelining,
          timeoutS: o.requestTimeoutS,
          paths: o.paths,
          etags,
        },
        (t: LoadTick) => {
          requestsDone += t.count;
          lastRps = t.count;
        },
      );
      const stoppedByFinding = await Promise.race([load.done.then(() => false), fatal.then(() => true)]);
      if (stoppedByFinding) load.stop();
      const result = await load.done;
      report.load = { ...result, asked: o.requests };
      const capped = o.durationS > 0 && result.durationS >= o.durationS - 1;
      const loadProblems = [
        result.errors > 0 ? `${result.errors} errors (${result.timeouts} timeouts)` : "",
        result.unexpectedStatuses > 0
          ? `${result.unexpectedStatuses} responses with unexpected statuses (${JSON.stringify(result.statuses)})`
          : "",
        !stoppedByFinding && !capped && result.requests < o.requests
          ? `only ${result.requests} of ${o.requests} requests completed`
          : "",
      ].filter(Boolean);
      if (loadProblems.length && !stoppedByFinding)
        addFinding({ kind: "load", at: Date.now(), message: loadProblems.join("; "), evidence: { ...result } });

      // ---- settle: with the load stopped and its connections closed, pages must be back
      if (!findings.some((f) => f.kind !== "load")) {
        const c = o.counters;
        const settleDeadline = Date.now() + SETTLE_MS;
        let settled: GuestStats | undefined;
        while (Date.now() < settleDeadline) {
          settled = parseStats((await statsProbe.probe.get(o.statsPath, 5000)).body);
          if ((settled[c.tcpOpen] ?? 0) <= (first[c.tcpOpen] ?? 0)) break;
          await sleep(250);
        }
        if (settled) {
          report.guest.settled = settled;
          for (const f of [...stats.check(settled, Date.now()), ...stats.checkSettled(settled, Date.now())])
            addFinding(f);
        }
      }
    }

    // ---- triage, while the guest is still there
    stopping = true;
    if (crash) {
      report.crash = await triageCrash(crash, elf, vm.hasExited ? undefined : gdbPort, kernel.sourceRoot);
      await writeFile(join(out, "triage.md"), renderTriage(report.crash));
      report.files["triage.md"] = "triage.md";
    } else if (findings.some((f) => f.kind === "hang") && !vm.hasExited) {
      const qmp = await Qmp.connect(join(out, "qmp.sock"));
      try {
        report.hang = await triageHang(qmp, elf, gdbPort, out, Math.min(HANG_DUMP_MIB, o.memoryMiB));
      } finally {
        qmp.close();
      }
      if (report.hang.memoryDump) report.files["memory.core"] = basename(report.hang.memoryDump);
      await writeFile(join(out, "triage.md"), renderHang(report.hang, elf));
      report.files["triage.md"] = "triage.md";
    }
  } catch (err) {
    addFinding({ kind: "error", at: Date.now(), message: (err as Error).message });
  } finally {
    stopping = true;
    for (const t of timers) clearInterval(t);
    load?.stop();
    hooks.signal?.removeEventListener("abort", onAbort);
    health.probe?.close();
    statsProbe.probe?.close();
    if (vm) await vm.stop();
    await rm(join(out, "qmp.sock"), { force: true });
    if (elf) {
      await copyFile(elf, join(out, basename(elf))).catch(() => {});
      report.files.kernel = basename(elf);
    }
    report.guest.first = stats.first;
    report.guest.last = stats.last;
    if (rss.first) report.host.rssMiB = { first: rss.first, max: rss.max, last: rss.last };
    report.verdict = decide(findings);
    const finished = new Date();
    report.finishedAt = finished.toISOString();
    report.wallS = Math.round((finished.getTime() - startedAt.getTime()) / 100) / 10;
    await writeFile(
      join(out, "timeline.jsonl"),
      timeline.map((e) => JSON.stringify(e)).join("\n") + (timeline.length ? "\n" : ""),
    );
    report.files["timeline.jsonl"] = "timeline.jsonl";
    report.files["summary.md"] = "summary.md";
    report.files["report.json"] = "report.json";
    await writeFile(join(out, "summary.md"), renderSummary(report, timeline));
    await writeFile(
      join(out, "report.json"),
      `${JSON.stringify(report, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`,
    );
  }
  return report;
}

const PORT_RACE_RETRIES = 3;

/**
 * Starts QEMU on fresh ports. A port can still be taken between our check and QEMU's
 * bind: QEMU then exits at once saying so, and we try again with other ports.
 */
async function bootVm(o: SoakOptions, elf: string, accel: Accel, guestPorts: number[], out: string) {
  for (let attempt = 1; ; attempt++) {
    const [healthPort, statsPort, gdbPort, ...loadPorts] = await freeLoopbackPorts(3 + Math.ceil(o.connections / 2));
    const vm = await Vm.start({
      kernel: elf,
      append: o.append,
      initrd: o.initrd,
      memoryMiB: o.memoryMiB,
      accel,
      dir: out,
      hostPorts: [healthPort, statsPort, ...loadPorts],
      guestPorts,
      gdbPort,
      extraArgs: o.qemuArgs,
      qemu: o.qemu,
    });
    const early = await Promise.race([vm.exited, sleep(300).then(() => undefined)]);
    const log = early ? await readFile(join(out, "qemu.log"), "utf8").catch(() => "") : "";
    if (
      !early ||
      !/Could not set up host forwarding rule|Address already in use/.test(log) ||
      attempt === PORT_RACE_RETRIES
    ) {
      return { vm, healthPort, statsPort, gdbPort, loadPorts };
    }
    await vm.stop();
  }
}

function renderHang(h: NonNullable<Report["hang"]>, elf: string | undefined): string {
  const out = ["# Hang: the guest stopped answering", ""];
  if (h.registers) out.push("## Registers of every vCPU (QMP info registers -a)", "", "```", h.registers, "```", "");
  if (h.backtrace) out.push("## Backtrace (gdb through the gdbstub)", "", "```", h.backtrace, "```", "");
  if (h.memoryDump)
    out.push(
      "## Memory",
      "",
      `\`${basename(h.memoryDump)}\`: open with \`gdb ${elf ? basename(elf) : "kernel.elf"} ${basename(h.memoryDump)}\``,
      "",
    );
  if (h.notes.length) out.push("## Notes", "", ...h.notes.map((n) => `- ${n}`), "");
  return out.join("\n");
}
