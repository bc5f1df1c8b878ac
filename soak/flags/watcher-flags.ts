// The flag table's "watchers and thresholds" section: what the watchers read and what they allow.
import { countersKind, portsKind, profileKind, regexps } from "./custom-kinds.ts";
import type { Section } from "./flag.ts";
import { decimal, MAX_MIB, urlPath, WEEK_S, whole } from "./kinds.ts";

export const watcherFlags: Section = {
  title: "watchers and thresholds",
  flags: [
    {
      name: "health-path",
      option: "healthPath",
      kind: urlPath(),
      value: "PATH",
      help: "(default {default})",
      input: { description: "Where the kernel answers 200 while it is healthy." },
    },
    {
      name: "stats-path",
      option: "statsPath",
      kind: urlPath("none", "for a kernel without counters"),
      value: "PATH",
      help:
        "a flat JSON object of counters (default {default}); none: the\n" +
        "kernel serves none, so tx_stalls, pages and resets by boot id are not watched",
      input: {
        description:
          "Where the kernel serves its counters (a flat JSON object of numbers), or none for a kernel that serves none: the soak then watches /health, the serial console and QEMU only (no tx_stalls, pages or resets by boot id). Empty = /api/stats.json.",
        default: "",
      },
    },
    {
      name: "guest-port",
      option: "guestPorts",
      kind: portsKind,
      value: "LIST",
      help:
        "the guest's HTTP ports, e.g. 80 or 8000-8255,9000 (default: the ports\n" +
        'the kernel\'s "unikernel-soak" ELF note announces, else 80)',
      input: {
        description:
          "The guest's HTTP ports, e.g. 80 or 8000-8255,9000. Empty = the ports the kernel's \"unikernel-soak\" ELF note announces, else 80.",
      },
    },
    {
      name: "health-failures",
      option: "healthFailures",
      kind: whole(1, 1000),
      value: "N",
      help: "consecutive /health failures that mean a hang (default {default})",
      input: { description: "Consecutive /health failures that mean a hang." },
    },
    {
      name: "health-timeout",
      option: "healthTimeoutMs",
      kind: whole(1, 3_600_000),
      value: "MS",
      help: "per health check (default {default})",
      input: { description: "Timeout of each health check, in milliseconds." },
    },
    {
      name: "boot-timeout",
      option: "bootTimeoutS",
      kind: whole(1, WEEK_S),
      value: "S",
      help: "from QEMU start to the first healthy answer (default {default})",
      input: { description: "Seconds from QEMU's start to the kernel's first healthy answer." },
    },
    {
      name: "tx-stall-budget",
      option: "txStallBudget",
      kind: whole(0),
      value: "N",
      help: "tx_stalls growth allowed (default {default})",
      input: { description: "tx_stalls growth allowed." },
    },
    {
      name: "rss-growth-mb",
      option: "rssGrowthMiB",
      kind: decimal(0, MAX_MIB, true),
      value: "MIB",
      help: "QEMU RSS growth allowed after warm-up (default {default})",
      input: { description: "QEMU resident-memory growth allowed after warm-up, in MiB." },
    },
    {
      name: "page-growth",
      option: "pageGrowth",
      kind: whole(0),
      value: "N",
      help: "guest pages allowed to stay used after the load (default {default})",
      input: { description: "Guest pages allowed to stay used after the load." },
    },
    {
      name: "p99-growth",
      option: "p99GrowthMs",
      kind: whole(0),
      value: "MS",
      help:
        "p99 latency growth allowed per hour, judged by its trend (default: not judged)\n" +
        "(the trend of pages and QEMU RSS is judged against the two budgets above,\n" +
        "per hour: a slow leak is named with its rate within minutes)",
      input: { description: "p99 latency growth allowed per hour, in ms, judged by its trend (0 = not judged)." },
    },
    {
      name: "warmup",
      option: "warmupS",
      kind: whole(0, WEEK_S),
      value: "S",
      help: "seconds before RSS growth counts (default {default})",
      input: { description: "Seconds before QEMU's resident-memory growth counts." },
    },
    {
      name: "hang-dump-mb",
      option: "hangDumpMiB",
      kind: whole(0, MAX_MIB),
      value: "MIB",
      help: "guest RAM a hang's memory.core holds, from 0 (default {default}; 0 = no dump)",
      input: { description: "Guest RAM a hang's memory dump (memory.core) holds, in MiB (0 = no dump)." },
    },
    {
      name: "profile",
      option: "profileHz",
      kind: profileKind,
      value: "[HZ]",
      bare: "on",
      help:
        "sample the guest's stack HZ times a second, up to 1000 (alone or on: 99;\n" +
        "off: none; default {default}: 19 on the tap path, off over user networking):\n" +
        "profile.folded, profile.json, a flame graph",
      input: {
        description:
          "Sample the guest's stack this many times a second (on = 99, off = none; auto = 19 on the tap path, off over QEMU user networking): profile.folded, profile.json and a flame graph in report.html.",
      },
    },
    {
      name: "counter",
      option: "counters",
      kind: countersKind,
      value: "NAME=FIELD",
      help: "rename a counter: boot-id, uptime, tx-stalls, pages-used, tcp-open",
      input: {
        description:
          "Counters the kernel serves under other names, one NAME=FIELD per line; NAME is boot-id, uptime, tx-stalls, pages-used or tcp-open.",
      },
    },
    {
      name: "crash-pattern",
      option: "crashPatterns",
      kind: regexps,
      value: "REGEX",
      help: "an extra serial line that means a crash (repeatable)",
      input: { description: "Extra serial lines that mean a crash, one regular expression per line." },
    },
  ],
};
