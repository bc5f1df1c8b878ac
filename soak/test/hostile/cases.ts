// The scripted hostile guests, by name: each is one thing a kernel may do to the engine.
// The invariants (invariants.ts) must hold for all of them.
import type { Behaviour } from "./behaviour.ts";
import { HOSTILE_TAG } from "./invariants.ts";
import type { HostileCase } from "./run-case.ts";

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");

/** every form a runner takes as a workflow command, and ways to hide one */
export const WORKFLOW_COMMANDS = [
  "::error::hostile error",
  "::warning file=x,line=1::hostile warning",
  "::add-mask::hostile",
  "::stop-commands::hostiletoken",
  "::hostiletoken::",
  "::set-output name=verdict::pass",
  "##[error]hostile",
  "##[group]hostile",
  "   ::notice::indented",
  "harmless\r::error::after a carriage return",
  "harmless\r##[warning]after a carriage return",
];

/** Markdown and HTML that must stay text */
export const MARKUP = [
  `${HOSTILE_TAG}<script>alert(1)</script><img src=x onerror=alert(1)>`,
  "# a heading from the guest",
  "| a | table | row |",
  "```",
  "[click](javascript:alert(1)) ![x](http://192.0.2.1/x.png)",
  "</code></pre></details></td></tr></table><!--",
];

const RIP = "RIP=0x0000000000100000 CS=0x0000000000000008";
const RFL = "RFL=0x0000000000000002 RSP=0x0000000000200000 SS=0x0000000000000010";
/** a health path that never answers: the boot deadline passes and the engine triages a hang over QMP */
const silentGuest: Behaviour = { health: { answer: "silent" } };

const named: Record<string, Behaviour> = {
  "well-behaved": {},
  "stats garbage from the start": { stats: { answer: "ok", body: "garbage" } },
  "stats garbage mid-soak": { stats: { answer: "ok", body: "garbage", from: 2 } },
  "stats 1 MiB": { stats: { answer: "ok", body: "huge" } },
  "stats 50,000 counters": { stats: { answer: "ok", body: "wide" } },
  "stats an array": { stats: { answer: "ok", body: "array", from: 1 } },
  "stats a number": { stats: { answer: "ok", body: "scalar", from: 1 } },
  "stats null": { stats: { answer: "ok", body: "null", from: 1 } },
  "stats empty": { stats: { answer: "ok", body: "empty", from: 1 } },
  "stats nested 10,000 deep": { stats: { answer: "ok", body: "deep", from: 1 } },
  "counters negative": { stats: { answer: "ok", counters: { tx_stalls: "-5", pmm_pages_used: "-1e300" } } },
  "counters NaN": { stats: { answer: "ok", counters: { uptime_ms: "NaN" }, from: 1 } },
  "counters strings": { stats: { answer: "ok", counters: { boot_id: '"b"', tx_stalls: '"7"', tcp_open: '"x"' } } },
  "counters infinite": { stats: { answer: "ok", counters: { pmm_pages_used: "1e999", tx_stalls: "-1e999" } } },
  "counters go backwards": { stats: { answer: "ok", backwards: true } },
  "reset loop": { stats: { answer: "ok", resetLoop: true } },
  "stats keys with markup and commands": { stats: { answer: "ok", keys: [...MARKUP, ...WORKFLOW_COMMANDS] } },
  "serial workflow commands": { serial: WORKFLOW_COMMANDS },
  "serial markup": { serial: MARKUP },
  "serial binary": { serialBytes: b64(Buffer.from([0xff, 0xfe, 0, 0x1b, 0x5b, 0x32, 0x4a, 0x0d, 0xc3, 0x28, 0x0a])) },
  "serial ANSI escapes": {
    serial: ["\x1b[2J\x1b[H\x1b]0;title\x07\x1b[31mred", "\x1b[1A\r::error::over the line above"],
  },
  "serial endless line": { flood: { b64: b64("x".repeat(32 * 1024)), everyMs: 20 } },
  "serial flood of lines": { flood: { b64: b64("heartbeat ::error::flood\n".repeat(1000)), everyMs: 20 } },
  "crash with commands and markup": {
    serial: [`PANIC: ${WORKFLOW_COMMANDS[0]} ${HOSTILE_TAG} ${WORKFLOW_COMMANDS[6]}`, RIP, RFL],
  },
  "linux oops with commands and markup": {
    serial: [
      `BUG: ${HOSTILE_TAG} ::error::oops`,
      "::error::inside the block",
      "##[error]inside",
      "---[ end trace 0 ]---",
    ],
  },
  "health silent (boot hang)": silentGuest,
  "health slow": { health: { answer: "slow", from: 1 }, slowMs: 1500 },
  "health closes": { health: { answer: "close" } },
  "health resets": { health: { answer: "reset", from: 1 } },
  "health garbage": { health: { answer: "garbage" } },
  "health not HTTP": { health: { answer: "bad-status-line", from: 1 } },
  "health truncated": { health: { answer: "truncated", from: 1 } },
  "hang mid-soak": { health: { answer: "silent", from: 2 } },
  "load closes every connection": { load: { answer: "close" } },
  "load garbage": { load: { answer: "garbage" } },
  "load silent": { load: { answer: "silent" } },
  "stats silent": { stats: { answer: "silent" } },
  "stats closes": { stats: { answer: "close", from: 1 } },
  "every connection closed": { health: { answer: "close" }, stats: { answer: "close" }, load: { answer: "close" } },
  "every connection closed after boot": {
    health: { answer: "close", from: 1 },
    stats: { answer: "close" },
    load: { answer: "close" },
  },
  "QMP silent during hang triage": { ...silentGuest, qmp: { mode: "silent" } },
  "QMP garbage during hang triage": { ...silentGuest, qmp: { mode: "garbage" } },
  "QMP closes during hang triage": { ...silentGuest, qmp: { mode: "close" } },
  "QMP registers with commands and markup": {
    ...silentGuest,
    qmp: { registers: `RIP=0000000000100000\n${WORKFLOW_COMMANDS.join("\n")}\n${MARKUP.join("\n")}` },
  },
  "exits 0 during boot": { exit: { afterMs: 50 } },
  "exits 0 mid-soak": { exit: { afterMs: 700 } },
  "exits 1 mid-soak": { exit: { afterMs: 700, code: 1 } },
  "killed by SIGKILL": { exit: { afterMs: 700, signal: "SIGKILL" } },
  "dies of SIGSEGV": { exit: { afterMs: 700, signal: "SIGSEGV" } },
};

export const NAMED_CASES: HostileCase[] = Object.entries(named).map(([name, behaviour]) => ({ name, behaviour }));
