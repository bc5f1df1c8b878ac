// A soak bounded by time through the CLI, as a user runs it (`--duration`, default 30
// minutes), with the engine's own resident memory (the node process, autocannon and the
// churn client inside it) read from /proc every 5 s: it must stay flat after the warm-up
// however long the soak runs. Prints the engine's and QEMU's memory per 5 minutes, and
// the soak's own figures.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readReportFile, readTimelineEntries } from "../soak/index.ts";

const SAMPLE_MS = 5000;
const ROW_S = 300;

async function rssMiB(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return m ? Number(m[1]) / 1024 : undefined;
}

/** More flags after the soak's own, and more environment (a hostile stand-in guest's script). */
export interface LongSoakShape {
  kernel?: string;
  flags?: string[];
  env?: Record<string, string>;
}

export async function longSoak(accel: "kvm" | "tcg", durationS: number, shape: LongSoakShape = {}): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), "bench-long-"));
  try {
    const args = ["--import", "tsx", "cli/main.ts", "--accel", accel, "--duration", String(durationS), "--out", out];
    if (shape.kernel) args.push("--kernel", shape.kernel);
    const child = spawn(process.execPath, [...args, ...(shape.flags ?? [])], {
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, ...shape.env },
    });
    const started = performance.now();
    const samples: [number, number][] = [];
    const poll = setInterval(async () => {
      const mib = await rssMiB(child.pid ?? 0);
      if (mib !== undefined) samples.push([(performance.now() - started) / 1000, mib]);
    }, SAMPLE_MS);
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    clearInterval(poll);
    const report = await readReportFile(out);
    const timeline = await readTimelineEntries(join(out, "timeline.jsonl"));
    const l = report.load;
    console.log(
      `\nverdict ${report.verdict.kind} (exit ${code}); ${l?.requests.toLocaleString("en-US")} requests in ${l?.durationS} s, ${Math.round(l?.rps ?? 0).toLocaleString("en-US")} req/s, p99 ${l?.latencyMs.p99} ms; on new connections ${l?.churn?.requests.toLocaleString("en-US") ?? 0}; wall ${report.wallS} s`,
    );
    for (const r of report.verdict.reasons) console.log(`  ${r.kind}: ${r.message}`);
    console.log(`trends: ${JSON.stringify(report.trends)}`);
    console.log(`guest first/last: ${JSON.stringify(report.guest.first)} / ${JSON.stringify(report.guest.last)}\n`);
    console.log(
      "| minutes | engine RSS MiB (min-max) | QEMU RSS MiB (last) | req/s (mean) | p99 ms (median of seconds) |",
    );
    console.log("|---|---:|---:|---:|---:|");
    for (let from = 0; from < durationS + 60; from += ROW_S) {
      const mine = samples.filter(([t]) => t >= from && t < from + ROW_S).map(([, m]) => m);
      const tl = timeline.filter((e) => e.t >= from && e.t < from + ROW_S);
      if (!mine.length || !tl.length) continue;
      const p99s = tl.map((e) => e.p99Ms ?? 0).sort((a, b) => a - b);
      const rps = tl.reduce((n, e) => n + e.rps, 0) / tl.length;
      console.log(
        `| ${from / 60}-${(from + ROW_S) / 60} | ${Math.min(...mine).toFixed(0)}-${Math.max(...mine).toFixed(0)} | ${tl.at(-1)?.host?.rssMiB?.toFixed(0) ?? "?"} | ${Math.round(rps).toLocaleString("en-US")} | ${p99s[Math.floor(p99s.length / 2)]} |`,
      );
    }
    console.log(
      `\nengine RSS samples (s, MiB): ${samples.map(([t, m]) => `${Math.round(t)}:${m.toFixed(0)}`).join(" ")}`,
    );
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
