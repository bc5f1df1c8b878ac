// The AssemblyScript lines to show in report.html: around the function a crash blames,
// or, for a hang, the innermost AssemblyScript function of the gdb backtrace.
import { readFile } from "node:fs/promises";
import { asSourceOf, inSourceRoot, type SourceLine } from "../triage/as-source.ts";
import { demangle, isWasmFunction } from "../triage/symbolize.ts";
import type { SourceExcerpt } from "./html-triage.ts";
import type { Report } from "./types.ts";

const BEFORE = 3;
/** the most lines shown after the declaration, when the function's closing brace comes later */
const AFTER = 12;

/** The innermost AssemblyScript function of a gdb backtrace ("#0  w2c_… (…) at …" or "#1  0x… in w2c_… (…)"). */
export function innermostWasmFrame(backtrace: string): string | undefined {
  for (const m of backtrace.matchAll(/^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+)/gm))
    if (isWasmFunction(m[1])) return demangle(m[1]);
  return undefined;
}

export async function sourceExcerpt(report: Report, sourceRoot: string): Promise<SourceExcerpt | undefined> {
  let name = report.crash?.symbol;
  let at: SourceLine | undefined = report.crash?.asSource;
  if (!report.crash && report.hang?.backtrace) {
    name = innermostWasmFrame(report.hang.backtrace);
    at = name ? await asSourceOf(name, sourceRoot) : undefined;
  }
  const path = at && inSourceRoot(sourceRoot, at.file);
  if (!at || !name || !path) return undefined; // the name is the guest's: never a file outside the sources
  const lines = await readFile(path, "utf8").then(
    (t) => t.split("\n"),
    () => undefined,
  );
  if (!lines) return undefined;
  const first = Math.max(1, at.line - BEFORE);
  const close = lines.findIndex((l, i) => i >= at.line && /^\s{0,2}}/.test(l));
  const last = close < 0 ? at.line + AFTER : Math.min(close + 1, at.line + AFTER);
  return { ...at, name, first, text: lines.slice(first - 1, last) };
}
