#!/usr/bin/env bash
# Soaks Debian's stock Linux 6.1 (a bzImage, with --initrd and --symbols) under the
# engine, end to end: a clean soak must pass, and a panic and a NULL-pointer oops set off
# mid-soak must each end in `crash` with the whole report block, a normalised title
# and the trace resolved against vmlinux. Run from the repository root after `npm ci`:
#
#   scripts/linux-guest/soak.sh [REQUESTS]      # default 20000
#
# The reports stay in the cache folder (printed at the end); the repository is not touched.
set -euo pipefail
requests=${1:-20000}
cache=${LINUX_GUEST_CACHE:-$HOME/.cache/unikernel-soak/linux-guest}
eval "$(scripts/linux-guest/build.sh)" # KERNEL, SYMBOLS, INITRD
runs=$cache/runs/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$runs"
# Under TCG Linux cannot calibrate its TSC on microvm (no PIT speaker gate, no HPET): the
# engine adds tsc_early_khz=<host kHz> to a bzImage's command line itself (soak/vm/linux-tsc.ts).
append="console=ttyS0"
# The server listens on 80 and 8000-8255 (one guest port per forwarded host port); the
# default mix asks for the bundled kernel's pages, this server has two. Linux's used
# pages (MemTotal - MemAvailable) move by hundreds of pages with its caches: 2048 (8 MiB).
common=(--kernel "$KERNEL" --initrd "$INITRD" --symbols "$SYMBOLS" --guest-port 8000-8255
  --paths /api/stats.json=1,/health=1 --page-growth 2048 --requests "$requests")

soak() { # NAME EXPECTED_EXIT APPEND
  local out=$runs/$1 code=0
  npx tsx cli/main.ts "${common[@]}" --append "$3" --out "$out" >"$runs/$1.log" 2>&1 || code=$?
  node -e '
    const r = require(process.argv[1] + "/report.json");
    const c = r.crash, l = r.load ?? {};
    console.log(`${process.argv[2]}: exit ${process.argv[3]}, verdict ${r.verdict.kind}, boot ${r.boot.readyMs ?? "-"} ms, ` +
      `${l.requests ?? 0} requests in ${l.durationS ?? 0} s (${Math.round(l.rps ?? 0)} req/s), p99 ${l.latencyMs?.p99 ?? "-"} ms`);
    if (c) console.log(`  title: ${c.title}\n  block: ${c.lines.length} lines, ` +
      `${c.trace.filter((f) => f.source).length}/${c.trace.length} frames resolved, Kernel Offset ${c.kernelOffset ?? "-"}`);
  ' "$out" "$1" "$code"
  [[ $code == "$2" ]] || {
    echo "soak.sh: $1 exited $code, expected $2; see $runs/$1.log and $out" >&2
    exit 1
  }
}

soak clean 0 "$append"
soak panic 1 "$append soak_crash=panic soak_crash_after=$((requests / 4))"
soak oops 1 "$append soak_crash=null soak_crash_after=$((requests / 4))"
node -e '
  const [runs] = process.argv.slice(1);
  const panic = require(runs + "/panic/report.json").crash, oops = require(runs + "/oops/report.json").crash;
  const need = (ok, what) => { if (!ok) { console.error(`soak.sh: ${what}`); process.exit(1); } };
  need(panic.title === "kernel panic: sysrq triggered crash", `panic title is "${panic.title}"`);
  need(/^BUG: kernel NULL pointer dereference in crashme_null_deref$/.test(oops.title), `oops title is "${oops.title}"`);
  for (const c of [panic, oops]) {
    need(c.lines.some((l) => l.includes("Call Trace:")), `${c.title}: no Call Trace in the block`);
    need(c.trace.some((f) => f.source), `${c.title}: no frame resolved against vmlinux`);
  }
  need(panic.lines.at(-1).includes("---[ end Kernel panic"), "the panic block does not reach its end line");
  need(panic.kernelOffset, "the panic has no Kernel Offset");
' "$runs"
echo "soak.sh: all three verdicts as expected; reports in $runs"
