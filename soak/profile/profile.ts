// The profile as the report keeps it (profile.json): each phase's stacks as names, root
// first, with their sample counts, and the steady load's top functions by self time.
// Built once at the end of the soak: every distinct address is symbolised once.
import { unslid } from "./kaslr.ts";
import { HANG_WINDOW_MS, type Phase, type RawProfile } from "./profiler.ts";
import { lookupAddresses, stackNames, symbolizeAddresses } from "./symbols.ts";

export const PROFILE_SCHEMA = 1;
export const TOP_N = 20;

export type ProfilePhase = Phase | "hang";
export const PROFILE_PHASES: readonly ProfilePhase[] = ["boot", "steady", "idle", "hang"];

export interface ProfileStack {
  frames: string[];
  count: number;
}

export interface PhaseProfile {
  samples: number;
  /** most samples first */
  stacks: ProfileStack[];
}

export interface TopFunction {
  name: string;
  /** samples with this function on top */
  self: number;
  /** samples with this function anywhere in the stack */
  total: number;
}

export interface Profile {
  schemaVersion: number;
  hz: number;
  sampler: string;
  meanSampleMs?: number;
  phases: Partial<Record<ProfilePhase, PhaseProfile>>;
  /** the steady load's functions by self time, TOP_N of them */
  top: TopFunction[];
  notes: string[];
}

const parseKey = (key: string) => key.split(",").map((h) => BigInt(`0x${h}`));

/** The raw counts symbolised with `elf` (none: addresses stay hex); `hangAt`: when a hang was
 * found; `slide`: how far KASLR moved a Linux kernel's image from `elf`'s addresses (kaslr.ts). */
export async function buildProfile(
  raw: RawProfile,
  elf: string | undefined,
  hangAt?: number,
  slide = 0n,
): Promise<Profile> {
  const counts: Partial<Record<ProfilePhase, Map<string, number>>> = { ...raw.byPhase };
  if (hangAt !== undefined) {
    const hang = new Map<string, number>();
    for (const s of raw.recent)
      if (s.at <= hangAt && s.at > hangAt - HANG_WINDOW_MS) hang.set(s.key, (hang.get(s.key) ?? 0) + 1);
    counts.hang = hang;
  }
  const keys = new Set<string>();
  for (const m of Object.values(counts)) for (const k of m.keys()) keys.add(k);
  const stacks = new Map([...keys].map((k) => [k, parseKey(k).map((a) => unslid(a, slide))]));
  const notes = [...raw.notes];
  let frames = new Map();
  if (elf) {
    try {
      frames = await symbolizeAddresses(elf, lookupAddresses([...stacks.values()]));
    } catch (err) {
      notes.push(`symbols: ${(err as Error).message}`);
    }
  } else notes.push("no symbols: the stacks are addresses (pass --symbols with an ELF that has them)");
  const phases: Partial<Record<ProfilePhase, PhaseProfile>> = {};
  for (const phase of PROFILE_PHASES) {
    const m = counts[phase];
    if (!m?.size) continue;
    const merged = new Map<string, ProfileStack>();
    for (const [key, count] of m) {
      const names = stackNames(stacks.get(key) ?? [], frames);
      const joined = names.join("\n");
      const s = merged.get(joined);
      if (s) s.count += count;
      else merged.set(joined, { frames: names, count });
    }
    const list = [...merged.values()].sort((a, b) => b.count - a.count);
    phases[phase] = { samples: list.reduce((n, s) => n + s.count, 0), stacks: list };
  }
  const steady = phases.steady;
  if (steady && frames.size) {
    const unresolved = steady.stacks.filter((s) => /^0x/.test(s.frames.at(-1) ?? "")).reduce((n, s) => n + s.count, 0);
    if (unresolved > steady.samples / 2)
      notes.push(
        `${unresolved} of ${steady.samples} samples have a RIP the symbols do not hold: are they this kernel's?`,
      );
  }
  return {
    schemaVersion: PROFILE_SCHEMA,
    hz: raw.hz,
    sampler: raw.sampler,
    ...(raw.meanSampleMs !== undefined ? { meanSampleMs: raw.meanSampleMs } : {}),
    phases,
    top: topFunctions(steady?.stacks ?? [], TOP_N),
    notes,
  };
}

/** Functions by self samples (then total), `n` of them. */
export function topFunctions(stacks: ProfileStack[], n: number): TopFunction[] {
  const rows = new Map<string, TopFunction>();
  const row = (name: string) => {
    let r = rows.get(name);
    if (!r) {
      r = { name, self: 0, total: 0 };
      rows.set(name, r);
    }
    return r;
  };
  for (const s of stacks) {
    const leaf = s.frames.at(-1);
    if (leaf !== undefined) row(leaf).self += s.count;
    for (const name of new Set(s.frames)) row(name).total += s.count;
  }
  return [...rows.values()].sort((a, b) => b.self - a.self || b.total - a.total).slice(0, n);
}

/** A name as the folded format can hold it: no ";" (the separator), no line breaks or controls. */
const foldedName = (name: string) => name.replace(/;/g, ":").replace(/\p{Cc}/gu, "?");

/** Brendan Gregg's folded stacks: `root;…;leaf count`, a line each. */
export function foldedText(stacks: ProfileStack[]): string {
  return stacks.map((s) => `${s.frames.map(foldedName).join(";")} ${s.count}\n`).join("");
}
