// report.json, written and read here only. A report folder may come from anywhere (an
// artifact, a hand edit, a leg cut short), so the reader checks every field a reader relies
// on and names the first one that is wrong; nothing takes a report.json on trust.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../options.ts";
import { VERDICT_KINDS } from "../verdict.ts";
import { type Report, SCHEMA_VERSION } from "./types.ts";

export const REPORT_FILE = "report.json";

/** A report.json that is missing, unreadable or not one this version can read. */
export class ReportFileError extends UsageError {}

export async function writeReportFile(dir: string, report: Report): Promise<void> {
  const text = JSON.stringify(report, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2);
  await writeFile(join(dir, REPORT_FILE), `${text}\n`);
}

/** Reads `dir`/report.json, checked; throws ReportFileError saying what is wrong. */
export async function readReportFile(dir: string): Promise<Report> {
  const path = join(dir, REPORT_FILE);
  const text = await readFile(path, "utf8").catch((err: NodeJS.ErrnoException) => {
    const why = err.code === "ENOENT" ? "there is none" : (err.code ?? err.message);
    throw new ReportFileError(`${path}: cannot read it (${why}); give a report folder a soak wrote (--out)`);
  });
  return parseReport(text, path);
}

export function parseReport(text: string, where: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ReportFileError(`${where}: not JSON (${(err as Error).message}); the file is cut short or was edited`);
  }
  const check = new Checker(where);
  const r = check.object(data, "the report");
  const version = check.integer(r.schemaVersion, "schemaVersion");
  if (version > SCHEMA_VERSION || version < 1)
    throw new ReportFileError(
      `${where}: schemaVersion ${version}, this unikernel-soak reads 1 to ${SCHEMA_VERSION}; use the version named in its tool.version`,
    );
  if (check.object(r.tool, "tool").name !== "unikernel-soak")
    throw new ReportFileError(`${where}: tool.name is not unikernel-soak: not a report of this tool`);
  const verdict = check.object(r.verdict, "verdict");
  check.oneOf(verdict.kind, VERDICT_KINDS, "verdict.kind");
  check.oneOf(verdict.exitCode, [0, 1, 2], "verdict.exitCode");
  check.array(verdict.reasons, "verdict.reasons").forEach((reason, i) => {
    const f = check.object(reason, `verdict.reasons[${i}]`);
    check.oneOf(f.kind, VERDICT_KINDS, `verdict.reasons[${i}].kind`);
    check.string(f.message, `verdict.reasons[${i}].message`);
    check.number(f.at, `verdict.reasons[${i}].at`);
  });
  check.object(r.options, "options");
  check.object(r.guest, "guest");
  const host = check.object(r.host, "host");
  if (host.qemu !== undefined) check.string(host.qemu, "host.qemu");
  if (host.rssMiB !== undefined)
    for (const [k, v] of Object.entries(check.object(host.rssMiB, "host.rssMiB"))) check.number(v, `host.rssMiB.${k}`);
  const kernel = check.object(r.kernel, "kernel");
  if (typeof kernel.built !== "boolean") check.fail("kernel.built", "is not true or false");
  for (const [name, file] of Object.entries(check.object(r.files, "files"))) check.fileName(file, `files.${name}`);
  if (r.load !== undefined) {
    const load = check.object(r.load, "load");
    for (const k of ["requests", "asked", "durationS", "rps"]) check.number(load[k], `load.${k}`);
    for (const [k, v] of Object.entries(check.object(load.latencyMs, "load.latencyMs")))
      check.number(v, `load.latencyMs.${k}`);
  }
  if (r.crash !== undefined) check.string(check.object(r.crash, "crash").title, "crash.title");
  for (const part of ["struck", "clock"] as const)
    if (r[part] !== undefined)
      for (const [k, v] of Object.entries(check.object(r[part], part)))
        if (k !== "timeWarp" && k !== "uptimeS") check.number(v, `${part}.${k}`);
  return data as Report;
}

class Checker {
  constructor(private readonly where: string) {}

  fail(field: string, what: string): never {
    throw new ReportFileError(`${this.where}: ${field} ${what}; the file was edited or written by another tool`);
  }

  object(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.fail(field, "is not an object");
    return v as Record<string, unknown>;
  }

  array(v: unknown, field: string): unknown[] {
    if (!Array.isArray(v)) this.fail(field, "is not a list");
    return v;
  }

  string(v: unknown, field: string): string {
    if (typeof v !== "string") this.fail(field, "is not a string");
    return v;
  }

  number(v: unknown, field: string): number {
    if (typeof v !== "number" || !Number.isFinite(v)) this.fail(field, "is not a number");
    return v;
  }

  integer(v: unknown, field: string): number {
    if (!Number.isInteger(v)) this.fail(field, "is not a whole number");
    return v as number;
  }

  oneOf<T>(v: unknown, allowed: readonly T[], field: string): T {
    if (!allowed.includes(v as T))
      this.fail(field, `is ${JSON.stringify(v)?.slice(0, 40)}, not one of ${allowed.join(", ")}`);
    return v as T;
  }

  /** a file of the report folder: a plain name, never a path out of it */
  fileName(v: unknown, field: string): string {
    const name = this.string(v, field);
    if (!name || name === "." || name === ".." || /[/\\\0]/.test(name))
      this.fail(field, "is not a plain file name in the report folder");
    return name;
  }
}
