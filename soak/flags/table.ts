// The engine's flags, one row each, in --help's sections (what a row holds: flag.ts).
// The CLI's parser and --help, the reproduce command, scenario files and the action's
// inputs are all read from here; action.yml and the README are checked against it.
import { DEFAULTS, UNCAPPED_REQUESTS } from "../options.ts";
import { countersKind, countOrAuto, pathMix, portsKind, regexps } from "./custom-kinds.ts";
import type { FlagTable, Options, Section } from "./flag.ts";
import { choice, decimal, repeatable, text, urlPath, whole } from "./kinds.ts";

const WEEK_S = 7 * 24 * 3600;
const MAX_MIB = 65536;

const kernel: Section = {
  title: "kernel",
  flags: [
    {
      name: "kernel",
      option: "kernel",
      kind: text,
      value: "PATH",
      file: true,
      help: "a PVH x86-64 ELF or a Linux bzImage to soak (default: build the bundled kernel)",
      input: {
        description:
          "Path to a prebuilt kernel, a PVH x86-64 ELF or a Linux bzImage. Empty = build and soak the bundled TypeScript kernel.",
      },
    },
    {
      name: "symbols",
      option: "symbols",
      kind: text,
      value: "ELF",
      file: true,
      help: "the ELF to symbolise a crash against, e.g. vmlinux (default: the kernel ELF)",
      input: {
        description:
          "Path to the ELF a crash is symbolised against (vmlinux for a bzImage). Empty = the kernel ELF itself.",
      },
    },
    {
      name: "fault",
      option: "fault",
      kind: text,
      value: "NAME",
      help: "build the bundled kernel with a fault-injection switch",
      input: {
        description:
          "Build the bundled kernel with a fault-injection switch (pf-chunker, tx-wrap-hang, tx-stall-209k, page-leak, inm-overread, reset), to watch the soak fail on purpose.",
      },
    },
    {
      name: "append",
      option: "append",
      kind: text,
      value: "TEXT",
      help: "kernel command line",
      input: { description: "The kernel command line." },
    },
    {
      name: "initrd",
      option: "initrd",
      kind: text,
      value: "PATH",
      file: true,
      help: "initrd for the kernel",
      input: { description: "Path to an initrd (initramfs) for the kernel, e.g. a Linux bzImage's. Empty = none." },
    },
    {
      name: "memory",
      option: "memoryMiB",
      kind: whole(64, MAX_MIB),
      value: "MIB",
      help: "guest memory (default {default})",
      input: { description: "Guest memory in MiB." },
    },
    { name: "qemu", option: "qemu", kind: text, value: "BINARY", help: "the QEMU to run (default qemu-system-x86_64)" },
    {
      name: "qemu-arg",
      option: "qemuArgs",
      kind: repeatable(
        (t) => t,
        (t) => t,
      ),
      value: "ARG",
      help: "extra QEMU argument (repeatable)",
      input: { description: "Extra QEMU arguments, one per line." },
    },
    {
      name: "accel",
      option: "accel",
      kind: choice("auto", "kvm", "tcg"),
      value: "auto|kvm|tcg",
      help: "auto = KVM only if a probe guest runs under it (default {default})",
      input: {
        description: "auto (KVM only when a probe guest really runs under it, else TCG with a warning), kvm, or tcg.",
      },
    },
    {
      name: "network",
      option: "network",
      kind: choice("auto", "user", "tap"),
      value: "auto|user|tap",
      help:
        "the path into the guest: tap = a tap device in a network namespace made\n" +
        "for the soak (root; the guest at 10.0.2.15, no DHCP), user = QEMU user\n" +
        "networking on loopback ports; auto = tap where it can be made (default {default})",
      input: {
        description:
          "The path into the guest: auto (a tap device in a network namespace made for the soak where the step runs as root, else QEMU user networking, said in the report), tap, or user (for a kernel that needs DHCP: on the tap path the guest must be at 10.0.2.15).",
      },
    },
  ],
};

const load: Section = {
  title: "load",
  flags: [
    {
      name: "requests",
      option: "requests",
      kind: whole(1, UNCAPPED_REQUESTS),
      value: "N",
      // a soak bounded by time alone runs until the time is up
      defaultOf: (o) => ((o.durationS as number) > 0 ? UNCAPPED_REQUESTS : DEFAULTS.requests),
      help: `total requests (default ${DEFAULTS.requests}; with --duration: no cap)`,
      input: { description: "Total HTTP requests. Empty = 2,000,000, or no cap when `duration` is set." },
    },
    {
      name: "duration",
      option: "durationS",
      kind: whole(0, WEEK_S),
      value: "S",
      help: "stop the load after S seconds even if requests remain (default: no cap)",
      input: {
        description:
          "Stop the load after this many seconds even if requests remain (0 = no cap); up to GitHub's 6-hour job limit.",
      },
    },
    {
      name: "connections",
      option: "connections",
      kind: whole(1, 4096),
      value: "N",
      help: "keep-alive connections (default {default})",
      input: { description: "Keep-alive connections." },
    },
    {
      name: "churn",
      option: "churnPercent",
      kind: decimal(0, 100),
      value: "PCT",
      help:
        "share of requests, in percent, each on a new connection that the guest\n" +
        "closes (default {default}; 100 = the seed's curl loop)",
      input: {
        description:
          "Share of the requests, in percent, each on a new connection that the guest closes (100 = every request, as the seed's curl loop).",
      },
    },
    {
      name: "pipelining",
      option: "pipelining",
      kind: whole(1, 256),
      value: "N",
      help: "requests in flight per connection (default {default})",
      input: { description: "Requests in flight per connection." },
    },
    {
      name: "load-workers",
      option: "loadWorkers",
      kind: countOrAuto(64),
      value: "N|auto",
      help:
        "processes the load runs in, connections and requests split over them\n" +
        "(default auto: the cores QEMU leaves spare, max(1, min(8, cores - 2)),\n" +
        "as its vCPU and main loop take about two)",
      input: {
        description:
          "Processes the load runs in, or auto (the cores QEMU leaves spare, max(1, min(8, cores - 2)), as its vCPU and main loop take about two).",
      },
    },
    {
      name: "paths",
      option: "paths",
      kind: pathMix,
      value: "SPEC",
      help: 'weighted mix, "PATH=W,..."; "inm:PATH" revalidates with If-None-Match\n(default {default})',
      input: {
        description:
          'Weighted request mix, "PATH=W,..."; "inm:PATH" revalidates with If-None-Match. Empty = the default mix.',
        default: "",
      },
    },
    {
      name: "request-timeout",
      option: "requestTimeoutS",
      kind: whole(1, 3600),
      value: "S",
      help: "per-request timeout (default {default})",
      input: { description: "Per-request timeout in seconds." },
    },
  ],
};

const watchers: Section = {
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

const scenario: Section = {
  title: "scenario",
  flags: [
    {
      name: "scenario",
      kind: text,
      value: "FILE",
      notInScenario: true,
      help:
        'a JSON object of the flags above, e.g. {"requests": 2000} (repro writes\n' +
        "them), read before the command line: a flag given there overrides it;\n" +
        "its relative paths (kernel, symbols, initrd) are relative to FILE",
      input: {
        description:
          "A scenario file: a JSON object of the CLI's flags, as repro writes it (repro/scenario.json). Inputs left at their defaults do not override it; its relative paths are relative to it.",
      },
    },
  ],
};

const output: Section = {
  title: "output",
  flags: [
    {
      name: "out",
      option: "out",
      kind: text,
      value: "DIR",
      notInScenario: true,
      help: "report directory (default {default})",
    },
  ],
};

export const FLAGS: FlagTable = {
  sections: [kernel, load, watchers, scenario, output],
  defaults: DEFAULTS as unknown as Options,
};
