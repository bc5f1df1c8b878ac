// What a hostile guest says, for the tests of guest text on its way out: workflow
// commands, a CR that starts a new runner line, ANSI escapes, NUL, bytes that are not
// UTF-8 (read as latin1, as the serial tail reads them), Markdown and HTML, fences.
import type { Report } from "../report/types.ts";
import { decide } from "../verdict.ts";

export const PAYLOADS = [
  "PANIC: x ##[set-output name=verdict;]pass",
  "junk\r::stop-commands::tok",
  "::error::x",
  "  ::add-mask::secret",
  "\x1b[31mred\x1b[0m \x9b2J",
  "nul\0here",
  Buffer.from([0x62, 0x61, 0x64, 0xc3, 0x28, 0xff, 0xfe]).toString("latin1"),
  "lone \ud800 half",
  "bidi \u202eevil",
  "```",
  "````",
];

export const COUNTER = "a|b\n## Injected <img src=x onerror=alert(1)> [l](http://x)";

export function hostileReport(): Report {
  const line = PAYLOADS.join(" ");
  const crash = { kind: "crash" as const, at: 1, message: `serial: ${line}` };
  return {
    schemaVersion: 1,
    tool: { name: "unikernel-soak", version: "0" },
    startedAt: "",
    finishedAt: "",
    wallS: 1,
    command: "npx unikernel-soak --append 'x=```'",
    kernel: { built: true, path: "kernel.elf" },
    accel: { mode: "auto", used: "tcg" },
    boot: { readyMs: 120, notes: [COUNTER] },
    options: {},
    verdict: decide([crash, { kind: "leak", at: 2, message: `${COUNTER} grew by 9 pages` }]),
    guest: { first: { [COUNTER]: 1, requests: 0 }, last: { [COUNTER]: 2, requests: 10 } },
    host: { qemu: COUNTER },
    files: {},
    trends: {
      [COUNTER]: {
        perMin: 1,
        lowerPerMin: 0,
        upperPerMin: 2,
        spanS: 60,
        points: 60,
        budgetPerHour: 0,
        flagged: false,
        unit: "pages",
      },
    },
    crash: {
      kind: "custom",
      title: `crash pattern matched: ${line}`,
      lines: PAYLOADS,
      symbol: COUNTER,
      source: COUNTER,
      asSource: { file: `src/${COUNTER}.ts`, line: 3 },
      frames: [{ symbol: COUNTER, name: COUNTER, file: COUNTER, line: 1 }],
      trace: [{ func: COUNTER, offset: "1", size: "2", module: COUNTER, source: COUNTER, inlined: [COUNTER] }],
      disassembly: PAYLOADS.join("\n"),
      backtrace: "#0 ````` in x",
      notes: [COUNTER],
    },
  } as Report;
}
