// repro.sh: the minimised scenario with no Node at all. QEMU started with the engine's
// own command line (vm/qemu.ts) on fixed loopback ports, then curl sending the scenario's
// request mix (keep-alive, one curl per connection, in batches) until the failure shows
// or the request count or the time cap is reached. Exit 1 = reproduced, 0 = not, 2 =
// could not run: the same convention as `git bisect run`.
import { basename, relative, resolve } from "node:path";
import { shellQuote } from "../argv.ts";
import { requestCycle } from "../load/driver.ts";
import type { SoakOptions } from "../options.ts";
import { qemuArgs } from "../vm/qemu.ts";
import { type Signature, signatureText } from "./failure.ts";

/** The first loopback port: the checks' (health, counters); the load's follow it. */
export const REPRO_BASE_PORT = 18080;
/** requests per connection between two looks for the failure */
const BATCH = 200;

export interface ScriptInput {
  options: SoakOptions;
  signature: Signature;
  /** the crash's first dump line, for a crash */
  crashLine?: string;
  accel: "kvm" | "tcg";
  /** the kernel's HTTP ports (its ELF note), when it announces them */
  guestPorts: number[];
  reproDir: string;
  reportDir: string;
  version: string;
}

const WORK = "@WORK@";
const KERNEL = "@KERNEL@";

/** Quoted for the shell, with the placeholders left to the shell's variables. */
function q(a: string): string {
  if (!a.includes(WORK) && !a.includes(KERNEL)) return shellQuote(a);
  return `'${a.replace(/'/g, "'\\''")}'`.replaceAll(WORK, `'"$work"'`).replaceAll(KERNEL, `'"$kernel"'`);
}

/** One option (and its value) a line. */
function commandLines(argv: string[]): string {
  const lines: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const takesValue = argv[i].startsWith("-") && i + 1 < argv.length && !argv[i + 1].startsWith("-");
    lines.push(takesValue ? `${q(argv[i])} ${q(argv[++i])}` : q(argv[i]));
  }
  return lines.join(" \\\n  ");
}

/** The text a crash dump's headline starts with ("PF at 0x", "TRAP: "), to look for in the serial log. */
export function crashMarker(line: string): string {
  return /^.*?(?: at 0x|: )/.exec(line)?.[0] ?? line;
}

function checkFor(s: ScriptInput): string[] {
  const o = s.options;
  const c = o.counters;
  switch (s.signature.kind) {
    case "crash":
      return [`grep -qF -- ${shellQuote(crashMarker(s.crashLine ?? ""))} "$work/serial.log"`];
    case "reset":
      return ['! kill -0 "$qemu" 2>/dev/null'];
    case "hang":
      return [`! probe ${o.healthPath} && ! probe ${o.healthPath}`];
    case "tx-stall":
      return [`[ "$(counter ${c.txStalls})" -gt $((stalls0 + ${o.txStallBudget})) ]`];
    case "leak":
      return [`[ "$settled" = 1 ] && [ "$(counter ${c.pagesUsed})" -gt $((pages0 + ${o.pageGrowth})) ]`];
    default:
      return ['[ "$curl_failed" = 1 ]'];
  }
}

/** What repro.sh prints once the failure shows. */
function evidenceFor(s: ScriptInput): string {
  const c = s.options.counters;
  switch (s.signature.kind) {
    case "crash":
      return `grep -A2 -F -- ${shellQuote(crashMarker(s.crashLine ?? ""))} "$work/serial.log"`;
    case "tx-stall":
      return `echo "${c.txStalls}: $stalls0 -> $(counter ${c.txStalls})"; grep -F 'TX stalled' "$work/serial.log" | tail -n 3`;
    case "leak":
      return `echo "${c.pagesUsed}: $pages0 -> $(counter ${c.pagesUsed}) with the load over"`;
    default:
      return 'tail -n 10 "$work/serial.log"';
  }
}

export function reproScript(s: ScriptInput): string {
  const o = s.options;
  const connections = o.connections;
  const hostPorts = Array.from({ length: connections + 1 }, (_, i) => REPRO_BASE_PORT + i);
  const guestPorts = o.guestPorts.length ? o.guestPorts : s.guestPorts.length ? s.guestPorts : [80];
  const args = qemuArgs(
    {
      kernel: KERNEL,
      append: o.append,
      initrd: o.initrd && resolve(o.initrd),
      memoryMiB: o.memoryMiB,
      accel: s.accel,
      dir: WORK,
      hostPorts,
      guestPorts,
      extraArgs: o.qemuArgs,
    },
    `${WORK}/qmp.sock`,
  );
  const revalidated = o.paths.filter((p) => p.revalidate).map((p) => p.path);
  const etags = new Map(revalidated.map((p, i) => [p, `$etag_${i}`]));
  const cycle = requestCycle(o.paths, etags).map((r) => {
    const etag = (r.headers as Record<string, string> | undefined)?.["if-none-match"];
    return `  req "$1" ${shellQuote(r.path ?? "/")}${etag ? ` "${etag}"` : ""}`;
  });
  const reps = Math.max(1, Math.round(BATCH / cycle.length));
  const kernelFile = relative(s.reproDir, `${s.reportDir}/${basename(o.kernel ?? "kernel.elf")}`);
  const c = o.counters;
  return `#!/usr/bin/env bash
# Reproduces: ${signatureText(s.signature)}
# Written by unikernel-soak ${s.version} repro; needs bash, ${o.qemu ?? "qemu-system-x86_64"} and curl, no Node.
# Boots the kernel on loopback ports ${hostPorts[0]}-${hostPorts.at(-1)} (QEMU user networking, restrict=on), then
# sends the minimised scenario with curl: ${o.paths.map((p) => `${p.revalidate ? "inm:" : ""}${p.path}`).join(", ")} over ${connections} keep-alive
# connection(s), until the failure shows or about ${o.requests} requests or ${o.durationS || 60} s have gone.
# Exit 1 = reproduced (the evidence is printed), 0 = not reproduced, 2 = could not run.
# Usage: ./repro.sh [KERNEL.elf]   (default: the ELF kept in the report folder)
set -u
here=$(cd "$(dirname "$0")" && pwd)
kernel=\${1:-"$here/${kernelFile}"}
[ -r "$kernel" ] || { echo "repro.sh: cannot read the kernel $kernel" >&2; exit 2; }
work=$(mktemp -d "\${TMPDIR:-/tmp}/unikernel-repro.XXXXXX")
qemu=
cleanup() {
  if [ -n "$qemu" ]; then kill "$qemu" 2>/dev/null; wait "$qemu" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

${commandLines([o.qemu ?? "qemu-system-x86_64", ...args])} \\
  2>"$work/qemu.log" &
qemu=$!

check=http://127.0.0.1:${hostPorts[0]}
probe() { curl -s -o /dev/null -m ${Math.ceil(o.healthTimeoutMs / 1000)} -f "$check$1"; }
counter() { curl -s -m 5 "$check${o.statsPath}" | tr -d ' \\n' | sed -n 's/.*"'"$1"'":\\([0-9]*\\).*/\\1/p'; }

up=0
for _ in $(seq 1 ${o.bootTimeoutS * 10}); do
  if probe ${o.healthPath}; then up=1; break; fi
  kill -0 "$qemu" 2>/dev/null || break
  sleep 0.1
done
if [ "$up" != 1 ]; then
  echo "repro.sh: the guest did not answer ${o.healthPath} within ${o.bootTimeoutS} s" >&2
  cat "$work/qemu.log" "$work/serial.log" >&2 2>/dev/null
  exit 2
fi
${revalidated.map((p, i) => `etag_${i}=$(curl -s -m 5 -D - -o /dev/null "$check${p}" | tr -d '\\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p')`).join("\n")}
stalls0=$(counter ${c.txStalls}); pages0=$(counter ${c.pagesUsed}); tcp0=$(counter ${c.tcpOpen})
settled=0 curl_failed=0

# one request as a curl config block; the ETag's quotes escaped for curl
req() {
  printf 'url = "%s%s"\\noutput = "/dev/null"\\nmax-time = ${o.requestTimeoutS}\\n' "$1" "$2"
  if [ $# -gt 2 ]; then printf 'header = "If-None-Match: %s"\\n' "\${3//\\"/\\\\\\"}"; fi
  printf 'next\\n'
}
# one pass of the request mix on the connection to $1
cycle() {
${cycle.join("\n")}
}
for i in $(seq 1 ${connections}); do
  # (without the last "next", which would start an operation with no URL)
  for _ in $(seq 1 ${reps}); do cycle "http://127.0.0.1:$((${hostPorts[0]} + i))"; done | sed '$d' >"$work/batch-$i"
done

failed() {
  ${checkFor(s).join("\n  ")}
}

sent=0
deadline=$((SECONDS + ${o.durationS || 60}))
while [ "$sent" -lt ${o.requests} ] && [ "$SECONDS" -lt "$deadline" ] && ! failed; do
  pids=()
  for i in $(seq 1 ${connections}); do
    curl -s --fail-early -K "$work/batch-$i" & pids+=($!)
  done
  for p in "\${pids[@]}"; do wait "$p" || curl_failed=1; done
  sent=$((sent + ${reps * cycle.length * connections}))
done
if ! failed; then
  # the load is over: let the guest close its connections, then judge what it still holds
  for _ in $(seq 1 40); do [ "$(counter ${c.tcpOpen})" -le "\${tcp0:-0}" ] 2>/dev/null && break; sleep 0.25; done
  settled=1
fi
if failed; then
  echo "reproduced: ${s.signature.kind} after about $sent requests, $SECONDS s"
  ${evidenceFor(s)}
  exit 1
fi
echo "not reproduced: $sent requests in $SECONDS s"
exit 0
`;
}
