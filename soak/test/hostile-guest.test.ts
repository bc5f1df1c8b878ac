// A real guest saying hostile things: the bundled kernel echoes its command line on the
// serial console at boot ("boot: cmdline \"…\""), so --append carries workflow commands,
// a CR, ANSI escapes, fences and Markdown/HTML into the serial log, and a crash pattern
// on that line makes it the crash title. The CLI's output, summary.md, triage.md and
// report.html must show it as text and nothing more.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { obeyedCommands } from "../../action/test/runner-commands.ts";
import { cli, readReport, soakArgs, tempDir } from "./cli-run.ts";
import { brokenTables, fencedBlocks, prose } from "./markdown-shape.ts";

const elf = inject("kernelElf");
const SAID = [
  "x=PANIC ##[set-output name=verdict;]pass",
  "junk\r::stop-commands::tok",
  "\x1b[31mred",
  "```",
  "````",
  "a|b<img src=x onerror=alert(1)>[l](http://x)",
].join(" ");

describe("a guest that says hostile things", () => {
  it("is only text in the CLI's output and the report's files", { timeout: 120_000 }, async () => {
    const out = await tempDir();
    const args = soakArgs(elf, out, 2000, "--append", SAID, "--crash-pattern", "^boot: cmdline");
    const { code, stdout, stderr } = await cli(args).done;
    expect(code).toBe(1);
    const report = await readReport(out);
    expect(report.crash?.title).toContain("set-output name=verdict");

    for (const text of [stdout, stderr]) {
      expect(obeyedCommands(text)).toEqual([]);
      expect(text).not.toMatch(/(?![\n\t])\p{Cc}/u); // no ESC, no CR
    }
    expect(stdout).toContain("\\e[31mred");

    const summary = await readFile(join(out, "summary.md"), "utf8");
    expect(brokenTables(summary)).toEqual([]);
    expect(prose(summary)).not.toMatch(/<img/);
    expect(fencedBlocks(summary).at(-1)?.[0]).toContain("set-output"); // the Reproduce command, --append and all

    const triage = await readFile(join(out, "triage.md"), "utf8");
    const line = fencedBlocks(triage)[0].find((l) => l.startsWith("boot: cmdline"));
    expect(line).toContain("junk\\r::stop-commands::tok \\e[31mred ``` ```` a|b<img");
    expect(prose(triage)).not.toMatch(/<img/);

    const html = await readFile(join(out, "report.html"), "utf8");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });
});
