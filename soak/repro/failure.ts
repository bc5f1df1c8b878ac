// The failure to reproduce, read from a report folder: its signature (the verdict, and
// the crash's title for a crash), the options and the kernel that produced it.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { KernelUnderTest } from "../../kernel/bundled.ts";
import { DEFAULTS, type SoakOptions, UsageError } from "../options.ts";
import { PACKAGE_ROOT } from "../package-root.ts";
import type { Report } from "../report/types.ts";

export interface Signature {
  kind: string;
  /** a crash's normalized title */
  title?: string;
}

export const signatureOf = (r: Report): Signature => ({ kind: r.verdict.kind, title: r.crash?.title });
export const sameFailure = (a: Signature, b: Signature) => a.kind === b.kind && a.title === b.title;
export const signatureText = (s: Signature) => (s.title ? `${s.kind} — ${s.title}` : s.kind);

/** Verdicts that say something about the kernel, so there is something to reproduce. */
const REPRODUCIBLE = ["crash", "hang", "reset", "tx-stall", "leak", "load"];

export interface Failure {
  dir: string;
  report: Report;
  signature: Signature;
  options: SoakOptions;
  kernel: KernelUnderTest;
}

/** Reads `dir`'s report; throws UsageError when it holds nothing to reproduce. */
export async function readFailure(dir: string): Promise<Failure> {
  const at = resolve(dir);
  let report: Report;
  try {
    report = JSON.parse(await readFile(join(at, "report.json"), "utf8")) as Report;
  } catch (err) {
    throw new UsageError(
      `repro ${dir}: no readable report.json there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass the folder a soak wrote (--out)`,
    );
  }
  const kind = report.verdict?.kind;
  if (kind === "pass")
    throw new UsageError(`repro ${dir}: the soak passed (verdict pass): there is nothing to reproduce`);
  if (!REPRODUCIBLE.includes(kind))
    throw new UsageError(
      `repro ${dir}: the soak ended in ${kind} (${report.verdict.reasons[0]?.message ?? "no reason"}), a problem of the run, not of the kernel: fix that and soak again`,
    );
  if (!report.files?.kernel)
    throw new UsageError(`repro ${dir}: the report keeps no copy of its kernel, so it cannot be booted again`);
  const elf = join(at, report.files.kernel);
  const saved = report.options as unknown as SoakOptions & { crashPatterns: string[] };
  const options: SoakOptions = {
    ...DEFAULTS,
    ...saved,
    kernel: elf,
    fault: undefined,
    crashPatterns: (saved.crashPatterns ?? []).map(regexpOf),
  };
  // the bundled kernel's sources are this package's; a user's kernel's are theirs (cwd)
  const kernel = { elf, sourceRoot: report.kernel.built ? PACKAGE_ROOT : process.cwd(), bundled: report.kernel.built };
  return { dir: at, report, signature: signatureOf(report), options, kernel };
}

/** "/src/flags", as String(RegExp) wrote it. */
function regexpOf(s: string): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(s);
  return m ? new RegExp(m[1], m[2]) : new RegExp(s);
}
