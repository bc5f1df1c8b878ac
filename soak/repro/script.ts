// repro.sh: the minimised scenario with no Node at all. The script is the fixed program of
// script-body.ts after a block of shell variables, each value quoted by shellWord and by
// nothing else: QEMU's command line (the engine's own, vm/qemu.ts) with placeholders for
// the folders and ports known only at run time, the checks' paths and counters, the
// request mix. Loopback ports are chosen when the script runs, so two at once never collide.
import { relative } from "node:path";
import { shellWord } from "../argv.ts";
import { requestCycle } from "../load/driver.ts";
import type { SoakOptions } from "../options.ts";
import { qemuArgs } from "../vm/qemu.ts";
import { stripPrefix } from "../watch/linux-report-block.ts";
import { type FailureSignature, signatureText } from "./failure.ts";
import { SCRIPT_BODY } from "./script-body.ts";

/** requests per connection between two looks for the failure */
const BATCH = 200;

export interface ScriptInput {
  options: SoakOptions;
  signature: FailureSignature;
  /** the crash's first dump line, for a crash */
  crashLine?: string;
  accel: "kvm" | "tcg";
  /** a Linux bzImage (booted through the option ROM, with ACPI) */
  bzImage: boolean;
  /** the kernel's HTTP ports (its ELF note), when it announces them */
  guestPorts: number[];
  /** the kernel and the initrd the script boots, as the report folder keeps them */
  kernelFile: string;
  initrdFile?: string;
  reproDir: string;
  version: string;
}

/** The text a crash dump's headline starts with ("PF at 0x", "TRAP: ", "Kernel panic - not syncing: "),
 * to look for in the serial log: without Linux's timestamp, which differs from boot to boot. */
export function crashMarker(line: string): string {
  const first = stripPrefix(line.split("\n")[0]);
  return /^.*?(?: at 0x|: )/.exec(first)?.[0] ?? first;
}

type Value = string | number | undefined;
const scalar = (name: string, v: Value) => `${name}=${shellWord(String(v ?? ""))}`;
const array = (name: string, vs: Value[]) => `${name}=(${vs.map((v) => shellWord(String(v ?? ""))).join(" ")})`;

export function reproScript(s: ScriptInput): string {
  const o = s.options;
  const connections = o.connections;
  const guestPorts = o.guestPorts.length ? o.guestPorts : s.guestPorts.length ? s.guestPorts : [80];
  // the placeholders script-body.ts fills in when it runs; vm/qemu.ts writes the options around them
  const hostPorts = Array.from({ length: connections + 1 }, (_, i) => `@PORT${i}@`);
  const args = qemuArgs(
    {
      kernel: "@KERNEL@",
      bzImage: s.bzImage,
      append: o.append,
      initrd: s.initrdFile && "@INITRD@",
      memoryMiB: o.memoryMiB,
      accel: s.accel,
      dir: "@WORK@",
      hostPorts,
      guestPorts,
      timeWarp: o.timeWarp,
      extraArgs: o.qemuArgs,
    },
    "@WORK@/qmp.sock",
  );
  const revalidated = o.paths.filter((p) => p.revalidate).map((p) => p.path);
  // requestCycle marks a revalidation with its ETag: here, the ETag's index in revalidated
  const cycle = requestCycle(o.paths, new Map(revalidated.map((p, i) => [p, String(i)])));
  const etagOf = (r: (typeof cycle)[number]) => (r.headers as Record<string, string> | undefined)?.["if-none-match"];
  // a paced load (--rate) sends about a second of its requests a batch, then waits for the guest's clock
  const perBatch = o.rate > 0 ? Math.min(BATCH, o.rate / connections) : BATCH;
  const reps = Math.max(1, Math.round(perBatch / cycle.length));
  const c = o.counters;
  const values = [
    scalar("written_by", `unikernel-soak ${s.version}`),
    scalar("failure", signatureText(s.signature)),
    scalar("kind", s.signature.kind),
    scalar("crash_marker", crashMarker(s.crashLine ?? "")),
    scalar("qemu_bin", o.qemu ?? "qemu-system-x86_64"),
    scalar("kernel_file", relative(s.reproDir, s.kernelFile)),
    scalar("initrd_file", s.initrdFile && relative(s.reproDir, s.initrdFile)),
    array("qemu_args", args),
    scalar("health_path", o.healthPath),
    scalar("stats_path", o.statsPath),
    scalar("counter_tx_stalls", c.txStalls),
    scalar("counter_pages_used", c.pagesUsed),
    scalar("counter_tcp_open", c.tcpOpen),
    scalar("counter_uptime", c.uptime),
    scalar("uptime_ms", Math.round(o.uptimeS * 1000)),
    scalar("rate", o.rate),
    array("revalidated", revalidated),
    array(
      "cycle_paths",
      cycle.map((r) => r.path),
    ),
    array("cycle_etags", cycle.map(etagOf)),
    scalar("connections", connections),
    scalar("requests", o.requests),
    scalar("duration_s", o.durationS || 60),
    scalar("reps", reps),
    scalar("batch_requests", reps * cycle.length * connections),
    scalar("boot_timeout_s", o.bootTimeoutS),
    scalar("health_timeout_s", Math.ceil(o.healthTimeoutMs / 1000)),
    scalar("request_timeout_s", o.requestTimeoutS),
    scalar("health_failures", o.healthFailures),
    scalar("tx_stall_budget", o.txStallBudget),
    scalar("page_growth", o.pageGrowth),
  ];
  return `#!/usr/bin/env bash
# shellcheck disable=SC2016 # (the values below are data: in single quotes, nothing in them expands)
# Written by unikernel-soak repro ($written_by below): reproduces the failure named in
# $failure with bash, QEMU and curl, no Node. QEMU user networking (restrict=on) on loopback
# ports chosen when it runs; then curl sends the minimised request mix over keep-alive
# connections (paced by the guest's clock when $rate is set) until the failure shows, or the
# request count or the time cap is reached.
# Exit 1 = reproduced (the evidence is printed), 0 = not reproduced, 2 = could not run.
# Usage: ./repro.sh [KERNEL]   (default: the kernel kept in the report folder)
#        REPRO_PORT=N ./repro.sh   uses loopback ports N and up
set -u
# shellcheck disable=SC2034 # (for the reader)
${values.join("\n")}
${SCRIPT_BODY}`;
}
