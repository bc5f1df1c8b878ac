// profile.json, read back (profile-diff): a report folder may come from anywhere, so the
// reader checks every field, bounds every size, and builds a fresh Profile of the fields it
// knows; nothing in the file is taken on trust. A name stays guest text (escape it on output).
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../options.ts";
import {
  type PhaseProfile,
  PROFILE_PHASES,
  PROFILE_SCHEMA,
  type Profile,
  type ProfileStack,
  type TopFunction,
} from "./profile.ts";

export const PROFILE_FILE = "profile.json";
const MAX_BYTES = 256 * 1024 * 1024;
const MAX_STACKS = 1_000_000;
const MAX_FRAMES = 1024;
const MAX_NAME = 4096;

export class ProfileFileError extends UsageError {}

export async function readProfileFile(dir: string): Promise<Profile> {
  const path = join(dir, PROFILE_FILE);
  const size = await stat(path).then(
    (s) => s.size,
    (err: NodeJS.ErrnoException) => {
      const why = err.code === "ENOENT" ? "there is none: was the soak run with --profile?" : (err.code ?? err.message);
      throw new ProfileFileError(`${path}: cannot read it (${why})`);
    },
  );
  if (size > MAX_BYTES) throw new ProfileFileError(`${path}: ${size} bytes, more than a profile this tool writes`);
  return parseProfile(await readFile(path, "utf8"), path);
}

export function parseProfile(text: string, where: string): Profile {
  const fail = (field: string, what: string): never => {
    throw new ProfileFileError(`${where}: ${field} ${what}; the file was edited or written by another tool`);
  };
  const object = (v: unknown, field: string) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : fail(field, "is not an object");
  const list = (v: unknown, field: string, max: number) => {
    if (!Array.isArray(v)) fail(field, "is not a list");
    if ((v as unknown[]).length > max) fail(field, `has more than ${max} entries`);
    return v as unknown[];
  };
  const count = (v: unknown, field: string) =>
    Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : fail(field, "is not a count");
  const name = (v: unknown, field: string) =>
    typeof v === "string" && v.length <= MAX_NAME ? v : fail(field, `is not a name of at most ${MAX_NAME} characters`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ProfileFileError(`${where}: not JSON (${(err as Error).message})`);
  }
  const p = object(data, "the profile");
  if (p.schemaVersion !== PROFILE_SCHEMA) fail("schemaVersion", `is not ${PROFILE_SCHEMA}`);
  const phases: Partial<Record<(typeof PROFILE_PHASES)[number], PhaseProfile>> = {};
  const given = object(p.phases, "phases");
  for (const phase of PROFILE_PHASES) {
    if (given[phase] === undefined) continue;
    const x = object(given[phase], `phases.${phase}`);
    const stacks: ProfileStack[] = list(x.stacks, `phases.${phase}.stacks`, MAX_STACKS).map((s, i) => {
      const at = `phases.${phase}.stacks[${i}]`;
      const st = object(s, at);
      return {
        frames: list(st.frames, `${at}.frames`, MAX_FRAMES).map((f, j) => name(f, `${at}.frames[${j}]`)),
        count: count(st.count, `${at}.count`),
      };
    });
    const samples = count(x.samples, `phases.${phase}.samples`);
    if (stacks.reduce((n, s) => n + s.count, 0) !== samples) fail(`phases.${phase}.samples`, "is not its stacks' sum");
    phases[phase] = { samples, stacks };
  }
  const top: TopFunction[] = list(p.top, "top", 1000).map((t, i) => {
    const row = object(t, `top[${i}]`);
    return {
      name: name(row.name, `top[${i}].name`),
      self: count(row.self, `top[${i}].self`),
      total: count(row.total, `top[${i}].total`),
    };
  });
  const hz = count(p.hz, "hz");
  return {
    schemaVersion: PROFILE_SCHEMA,
    hz,
    sampler: name(p.sampler, "sampler"),
    phases,
    top,
    notes: list(p.notes, "notes", 1000).map((n, i) => name(n, `notes[${i}]`)),
  };
}
