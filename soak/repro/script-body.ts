// repro.sh's program: fixed text that reads its values only from the shell variables
// script.ts assigns above it (each quoted by shellWord, argv.ts), so nothing a report holds, a
// guest printed or a user typed ever becomes shell code. Exit 1 = reproduced, 0 = not,
// 2 = could not run: the convention of `git bisect run`.
export const SCRIPT_BODY = `
# ---- nothing below depends on the report: it reads the values above
here=$(cd "$(dirname "$0")" && pwd)
kernel=\${1:-"$here/$kernel_file"}
initrd=
[ -z "$initrd_file" ] || initrd="$here/$initrd_file"
[ -r "$kernel" ] || { echo "repro.sh: cannot read the kernel $kernel" >&2; exit 2; }
[ -z "$initrd" ] || [ -r "$initrd" ] || { echo "repro.sh: cannot read the initrd $initrd" >&2; exit 2; }
command -v curl >/dev/null || { echo "repro.sh: needs curl" >&2; exit 2; }
command -v "$qemu_bin" >/dev/null || { echo "repro.sh: needs $qemu_bin" >&2; exit 2; }
work=$(mktemp -d "\${TMPDIR:-/tmp}/unikernel-repro.XXXXXX")
qemu=
stop_qemu() {
  if [ -n "$qemu" ]; then kill "$qemu" 2>/dev/null; wait "$qemu" 2>/dev/null; fi
  qemu=
}
# shellcheck disable=SC2317 # (run by the EXIT trap)
cleanup() {
  stop_qemu
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# the loopback ports: REPRO_PORT and the next ones, or free ones found by trying
if [ -n "\${REPRO_PORT:-}" ]; then
  if ! [[ $REPRO_PORT =~ ^[0-9]{4,5}$ ]] || ((REPRO_PORT < 1024 || REPRO_PORT + connections > 65535)); then
    echo "repro.sh: REPRO_PORT must be a port from 1024 to $((65535 - connections)), got $REPRO_PORT" >&2
    exit 2
  fi
  bases=("$REPRO_PORT")
else
  bases=()
  for _ in 1 2 3 4 5 6 7 8; do bases+=("$((20000 + RANDOM % 30000))"); done
fi

# the QEMU command line, its placeholders filled in
expand() {
  local i
  expanded=\${1//@WORK@/"$work"}
  expanded=\${expanded//@KERNEL@/"$kernel"}
  expanded=\${expanded//@INITRD@/"$initrd"}
  for ((i = 0; i <= connections; i++)); do expanded=\${expanded//"@PORT$i@"/"$((base + i))"}; done
}

probe() { curl -g -s -o /dev/null -m "$health_timeout_s" -f "$check$1"; }
# a hang as the engine's health monitor judges it: health_failures failed probes in a row
hung() {
  local n
  for ((n = 0; n < health_failures; n++)); do probe "$health_path" && return 1; done
  return 0
}
# a counter of the stats JSON: digits only, whatever the guest answered
counter() {
  local line
  curl -g -s -m 5 "$check$stats_path" | head -c 1048576 | tr -d ' \\r\\n\\t' | tr ',{}' '\\n' |
    while IFS= read -r line; do
      case $line in
        "\\"$1\\":"*)
          line=\${line#"\\"$1\\":"}
          [[ $line =~ ^[0-9]{1,15}$ ]] && echo "$line"
          break
          ;;
      esac
    done
}

up=0
for base in "\${bases[@]}"; do
  args=()
  for a in "\${qemu_args[@]}"; do
    expand "$a"
    args+=("$expanded")
  done
  "$qemu_bin" "\${args[@]}" 2>"$work/qemu.log" &
  qemu=$!
  check="http://127.0.0.1:$base"
  for ((t = 0; t < boot_timeout_s * 10; t++)); do
    if probe "$health_path"; then up=1; break; fi
    kill -0 "$qemu" 2>/dev/null || break
    sleep 0.1
  done
  [ "$up" = 1 ] && break
  if ! kill -0 "$qemu" 2>/dev/null && grep -q 'Could not set up host forwarding' "$work/qemu.log"; then
    echo "repro.sh: loopback ports $base-$((base + connections)) are in use" >&2
    stop_qemu
    [ -n "\${REPRO_PORT:-}" ] && { echo "repro.sh: choose other ports (REPRO_PORT=N) or leave REPRO_PORT unset" >&2; exit 2; }
    continue
  fi
  echo "repro.sh: the guest did not answer $health_path within $boot_timeout_s s" >&2
  cat -v "$work/qemu.log" "$work/serial.log" >&2 2>/dev/null
  exit 2
done
[ "$up" = 1 ] || { echo "repro.sh: found no free loopback ports in \${#bases[@]} tries" >&2; exit 2; }

etags=()
for p in "\${revalidated[@]}"; do
  etags+=("$(curl -g -s -m 5 -D - -o /dev/null "$check$p" | head -c 65536 | tr -d '\\r' |
    sed -n 's/^[Ee][Tt][Aa][Gg]: *//p' | head -n 1 | tr -cd '[:print:]')")
done
stalls0=$(counter "$counter_tx_stalls"); pages0=$(counter "$counter_pages_used"); tcp0=$(counter "$counter_tcp_open")
settled=0 curl_failed=0

# a value inside a curl config string: its backslashes and quotes escaped
config_string() {
  local v=\${1//\\\\/\\\\\\\\}
  printf '%s' "\${v//\\"/\\\\\\"}"
}
# one request as a curl config block
req() {
  printf 'url = "%s"\\noutput = "/dev/null"\\nmax-time = %s\\ngloboff\\n' "$(config_string "$1$2")" "$request_timeout_s"
  if [ -n "$3" ]; then printf 'header = "If-None-Match: %s"\\n' "$(config_string "\${etags[$3]}")"; fi
  printf 'next\\n'
}
# one pass of the request mix on the connection to $1
cycle() {
  local i
  for ((i = 0; i < \${#cycle_paths[@]}; i++)); do req "$1" "\${cycle_paths[i]}" "\${cycle_etags[i]}"; done
}
for ((i = 1; i <= connections; i++)); do
  # (without the last "next", which would start an operation with no URL)
  for ((r = 0; r < reps; r++)); do cycle "http://127.0.0.1:$((base + i))"; done | sed '$d' >"$work/batch-$i"
done

failed() {
  local v
  case $kind in
    crash) grep -qF -- "$crash_marker" "$work/serial.log" ;;
    reset) ! kill -0 "$qemu" 2>/dev/null ;;
    hang) hung ;;
    tx-stall) v=$(counter "$counter_tx_stalls") && [ -n "$v" ] && ((v > \${stalls0:-0} + tx_stall_budget)) ;;
    leak) v=$(counter "$counter_pages_used") && [ "$settled" = 1 ] && [ -n "$v" ] && ((v > \${pages0:-0} + page_growth)) ;;
    *) [ "$curl_failed" = 1 ] ;;
  esac
}
# what repro.sh prints once the failure shows (the guest's text made safe for a terminal)
evidence() {
  case $kind in
    crash) grep -A2 -F -- "$crash_marker" "$work/serial.log" | cat -v ;;
    tx-stall) echo "tx stalls: $stalls0 -> $(counter "$counter_tx_stalls")"; grep -F 'TX stalled' "$work/serial.log" | tail -n 3 | cat -v ;;
    leak) echo "pages used: $pages0 -> $(counter "$counter_pages_used") with the load over" ;;
    *) tail -n 10 "$work/serial.log" | cat -v ;;
  esac
}

# a scenario that runs to an uptime (a failure that follows the clock): the guest's counter says when
at_uptime() {
  local v
  ((uptime_ms > 0)) && v=$(counter "$counter_uptime") && [ -n "$v" ] && ((v >= uptime_ms))
}

# a paced load (rate = requests a second of the guest's time): whether the guest's clock has
# reached the time of the requests sent so far
paced_up() {
  local v
  ((rate == 0)) && return 0
  v=$(counter "$counter_uptime")
  # no answer: the checks judge the guest, the load goes on
  [ -z "$v" ] || (((v - start_ms) * rate >= sent * 1000))
}

sent=0
start_ms=$(counter "$counter_uptime")
start_ms=\${start_ms:-0}
deadline=$((SECONDS + duration_s))
while ((sent < requests && SECONDS < deadline)) && ! failed && ! at_uptime; do
  pids=()
  for ((i = 1; i <= connections; i++)); do
    curl -s --fail-early -K "$work/batch-$i" & pids+=("$!")
  done
  for p in "\${pids[@]}"; do wait "$p" || curl_failed=1; done
  sent=$((sent + batch_requests))
  while ((SECONDS < deadline)) && ! paced_up && ! failed; do sleep 0.1; done
done
# requests done before the uptime: the guest idles, watched, until its clock gets there
if ((uptime_ms > 0)); then
  while ((SECONDS < deadline)) && ! failed && ! at_uptime; do sleep 0.5; done
fi
if ! failed; then
  # the load is over: let the guest close its connections, then judge what it still holds
  for _ in $(seq 1 40); do
    v=$(counter "$counter_tcp_open")
    [ -n "$v" ] && ((v <= \${tcp0:-0})) && break
    sleep 0.25
  done
  settled=1
fi
if failed; then
  echo "reproduced: $failure after about $sent requests, $SECONDS s"
  evidence
  exit 1
fi
if ((rate > 0)); then
  now_ms=$(counter "$counter_uptime")
  echo "paced at $rate requests a second of the guest's time: $sent requests in $(((\${now_ms:-$start_ms} - start_ms) / 1000)) s of its uptime"
fi
echo "not reproduced: $sent requests in $SECONDS s"
exit 0
`;
