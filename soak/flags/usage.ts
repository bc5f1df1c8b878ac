// --help, from the flag table: a section per heading, a line per flag.
import { defaultText, type FlagTable } from "./flag.ts";
import { FLAGS } from "./table.ts";

const HEAD = `usage: unikernel-soak [options]
       unikernel-soak merge DIR... [--out DIR]   (one verdict for a sharded soak's legs; merge --help)
       unikernel-soak repro <report-dir> [options]     (see repro --help)
       unikernel-soak bisect --good REF --bad REF ...  (see bisect --help)
       unikernel-soak profile-diff A B                 (two --profile reports; profile-diff --help)

Boots a kernel under QEMU microvm, drives HTTP load at it through a loopback port,
watches serial, counters, /health and QEMU itself, and writes a report directory.
Without --kernel it builds and soaks the bundled TypeScript kernel.`;

/** the column the flags' help text starts at */
const COLUMN = 27;

/** One flag's lines: "  --name VALUE" then its help, continuation lines under it. */
function entry(left: string, help: string): string[] {
  const [first, ...more] = help.split("\n");
  return [`${left.padEnd(COLUMN - 2)}  ${first}`, ...more.map((l) => `${" ".repeat(COLUMN)}${l}`)];
}

export function usage(table: FlagTable = FLAGS): string {
  const lines = [HEAD, ""];
  for (const s of table.sections) {
    lines.push(s.title);
    for (const f of s.flags)
      lines.push(...entry(`  --${f.name} ${f.value}`.trimEnd(), f.help.replaceAll("{default}", defaultText(f, table))));
  }
  lines.push(...entry("  -h, --help", "this text"));
  return lines.join("\n");
}

export const USAGE = usage();
