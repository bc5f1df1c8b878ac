// The failure to reproduce, read from a report folder: its signature (the verdict, and
// the crash's title for a crash), the options and the kernel that produced it.
import { join, resolve } from "node:path";
import { savedOptionsToArgv } from "../argv.ts";
import { parseCli } from "../cli-options.ts";
import type { KernelUnderTest } from "../kernel-under-test.ts";
import { type SoakOptions, UsageError } from "../options.ts";
import { PACKAGE_ROOT } from "../package-root.ts";
import { readReportFile } from "../report/report-file.ts";
import type { Report } from "../report/types.ts";

export interface FailureSignature {
  kind: string;
  /** a crash's normalized title */
  title?: string;
}

export const signatureOf = (r: Report): FailureSignature => ({ kind: r.verdict.kind, title: r.crash?.title });
export const sameFailure = (a: FailureSignature, b: FailureSignature) => a.kind === b.kind && a.title === b.title;
export const signatureText = (s: FailureSignature) => (s.title ? `${s.kind} — ${s.title}` : s.kind);

/** Verdicts that say something about the kernel, so there is something to reproduce. */
const REPRODUCIBLE = ["crash", "hang", "reset", "tx-stall", "leak", "load"];

export interface Failure {
  dir: string;
  report: Report;
  signature: FailureSignature;
  options: SoakOptions;
  kernel: KernelUnderTest;
}

/**
 * Reads `dir`'s report; throws UsageError when it holds nothing to reproduce or its options
 * do not pass the CLI's own checks. `qemu`: the QEMU to run, never the one the report names.
 * A report may come from anyone, and a QEMU argument can run a host program (`script=`) or
 * write a host file: the extra QEMU arguments it names run only with `allowQemuArgs`.
 */
export async function readFailure(dir: string, qemu?: string, allowQemuArgs = false): Promise<Failure> {
  const at = resolve(dir);
  const report = await readReportFile(at).catch((err: Error) => {
    throw new UsageError(`repro ${dir}: ${err.message}`);
  });
  const kind = report.verdict.kind;
  if (kind === "pass")
    throw new UsageError(`repro ${dir}: the soak passed (verdict pass): there is nothing to reproduce`);
  if (!REPRODUCIBLE.includes(kind))
    throw new UsageError(
      `repro ${dir}: the soak ended in ${kind} (${report.verdict.reasons[0]?.message ?? "no reason"}), a problem of the run, not of the kernel: fix that and soak again`,
    );
  const files = report.files;
  if (!files.kernel)
    throw new UsageError(`repro ${dir}: the report keeps no copy of its kernel, so it cannot be booted again`);
  const elf = join(at, files.kernel);
  const kept = (role: "initrd" | "symbols") => (files[role] ? join(at, files[role]) : undefined);
  const options = reportOptions(dir, report.options, {
    kernel: elf,
    initrd: kept("initrd"),
    symbols: kept("symbols"),
    qemu,
  });
  if (options.qemuArgs.length && !allowQemuArgs)
    throw new UsageError(
      `repro ${dir}: report.json asks for extra QEMU arguments (${options.qemuArgs.map((a) => JSON.stringify(a)).join(" ")}); QEMU arguments can run host programs or write host files, so check them, then run repro again with --allow-qemu-args`,
    );
  // the bundled kernel's sources are this package's; a user's kernel's are theirs (cwd)
  const built = report.kernel?.built === true;
  const kernel = { elf, sourceRoot: built ? PACKAGE_ROOT : process.cwd(), bundled: built };
  return { dir: at, report, signature: signatureOf(report), options, kernel };
}

/**
 * The report's options as the CLI reads its flags (cli-options.ts parseCli, validation
 * included), with the files the folder keeps and this machine's QEMU in place of the
 * paths of the machine that ran it. Throws UsageError naming the option that is wrong.
 */
function reportOptions(dir: string, saved: unknown, own: Partial<SoakOptions>): SoakOptions {
  if (typeof saved !== "object" || saved === null || Array.isArray(saved))
    throw new UsageError(`repro ${dir}: report.json has no options object; pass the folder a soak wrote (--out)`);
  const s = saved as Record<string, unknown>;
  // each as { source }, which is all argv.ts reads of a RegExp: parseCli compiles them
  const patterns = Array.isArray(s.crashPatterns)
    ? s.crashPatterns.map((p) => ({ source: regexpSource(p) }))
    : s.crashPatterns;
  const mine = {
    kernel: own.kernel,
    initrd: own.initrd ?? s.initrd,
    symbols: own.symbols ?? s.symbols,
    qemu: own.qemu,
  };
  try {
    const argv = savedOptionsToArgv({ ...s, ...mine, crashPatterns: patterns, fault: undefined, out: undefined });
    const o = parseCli(argv);
    if (o === "help") throw new UsageError("options: not a soak's");
    return o;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(
      `repro ${dir}: report.json's options are refused, as the command line would refuse them: ${err.message}`,
    );
  }
}

/** "/src/flags", as String(RegExp) wrote it: the source, as --crash-pattern takes it. */
function regexpSource(s: unknown): unknown {
  if (typeof s !== "string") return s;
  return /^\/(.*)\/[a-z]*$/s.exec(s)?.[1] ?? s;
}
