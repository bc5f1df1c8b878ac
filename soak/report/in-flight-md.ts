// summary.md's section on the requests in flight when the first watcher fired.
import { mdCode, mdText } from "./guest-text.ts";
import type { Report } from "./types.ts";

const MAX_ROWS = 20;

export function inFlightSection(r: Report): string[] {
  const f = r.inFlight;
  if (!f) return [];
  const counter =
    f.guestRequests === undefined
      ? ""
      : ` The guest had counted ${f.guestRequests} requests at the last poll (${f.guestAt}).`;
  const out = ["## In flight when it failed", "", `${f.requests.length} requests unanswered at ${f.at}.${counter}`, ""];
  if (f.requests.length === 0) return out;
  out.push("| connection | port | request | headers | sent ms before |", "|---:|---:|---|---|---:|");
  for (const q of f.requests.slice(-MAX_ROWS)) {
    const headers = Object.entries(q.headers ?? {})
      .map(([k, v]) => `${mdText(k)}: ${mdText(v)}`)
      .join("; ");
    out.push(`| ${q.connection} | ${q.port} | ${mdCode(`${q.method} ${q.path}`)} | ${headers} | ${q.ageMs} |`);
  }
  if (f.requests.length > MAX_ROWS) out.push("", `(the ${MAX_ROWS} newest; all are in report.json)`);
  out.push("");
  return out;
}
