// What must hold after every hostile case, whatever the guest did: the engine ended on its
// own with 0, 1 or 2 and no stack trace, wrote a complete report whose verdict gives that
// exit code, printed no workflow command, and let no guest markup into report.html.
// Each broken invariant is one line naming it, so a failing case says what broke.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Report } from "../../report/types.ts";

/** A tag the hostile guest puts in its text: report.html must show it, escaped, never as a tag. */
export const HOSTILE_TAG = "<hostile-tag>";

export interface EngineRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** the engine ran past the case's deadline and was killed */
  overran: boolean;
}

const REPORT_FILES = ["report.json", "summary.md", "report.html"];
const STACK_FRAME = /^\s+at \S.*:\d+:\d+\)?$/m;

/** Lines a runner would take as a workflow command: "::cmd::" at a line's start, "##[cmd]" anywhere;
 * a lone "\r" starts a line too. */
export function workflowCommands(output: string): string[] {
  return output.split(/\r\n|\n|\r/).filter((line) => /^\s*::/.test(line) || line.includes("##["));
}

/** The report the schema promises, or what is missing from it. */
function reportProblems(r: Partial<Report>): string[] {
  const missing = [
    typeof r.schemaVersion === "number" ? "" : "schemaVersion",
    r.startedAt && r.finishedAt ? "" : "startedAt/finishedAt",
    typeof r.command === "string" ? "" : "command",
    r.kernel && r.accel && r.boot && r.options && r.guest && r.host && r.files
      ? ""
      : "kernel/accel/boot/options/guest/host/files",
    r.verdict &&
    typeof r.verdict.kind === "string" &&
    [0, 1, 2].includes(r.verdict.exitCode) &&
    Array.isArray(r.verdict.reasons)
      ? ""
      : "verdict {kind, exitCode, reasons[]}",
  ].filter(Boolean);
  return missing.length ? [`report: report.json lacks ${missing.join(", ")}`] : [];
}

/** The broken invariants of one finished engine run writing into `out`, each as one line. */
export async function brokenInvariants(run: EngineRun, out: string): Promise<{ broken: string[]; report?: Report }> {
  const broken: string[] = [];
  if (run.overran) broken.push("finished: the engine did not end within the case's deadline (killed)");
  if (run.code === null || ![0, 1, 2].includes(run.code))
    broken.push(`exit: exit code ${run.code}${run.signal ? ` (signal ${run.signal})` : ""}, expected 0, 1 or 2`);
  const trace = STACK_FRAME.exec(run.stderr);
  if (trace) broken.push(`no-throw: a stack trace on stderr (${JSON.stringify(trace[0].trim())})`);
  for (const line of workflowCommands(`${run.stdout}\n${run.stderr}`))
    broken.push(`no-command: printed a workflow command: ${JSON.stringify(line.slice(0, 160))}`);
  const files = await Promise.all(REPORT_FILES.map((f) => readFile(join(out, f), "utf8").catch(() => undefined)));
  const absent = REPORT_FILES.filter((_, i) => files[i] === undefined);
  if (absent.length) broken.push(`report: missing ${absent.join(", ")}`);
  let report: Report | undefined;
  if (files[0] !== undefined) {
    try {
      report = JSON.parse(files[0]) as Report;
    } catch (err) {
      broken.push(`report: report.json does not parse (${(err as Error).message})`);
    }
  }
  if (report) {
    broken.push(...reportProblems(report));
    if (report.verdict && report.verdict.exitCode !== run.code)
      broken.push(
        `exit: exit code ${run.code} but report.json's verdict is ${report.verdict.kind} (exit ${report.verdict.exitCode})`,
      );
  }
  if (files[2]?.includes(HOSTILE_TAG)) broken.push(`html: the guest's ${HOSTILE_TAG} reached report.html unescaped`);
  return { broken, report };
}
