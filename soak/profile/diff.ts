// Two profiles side by side: each function's share of one phase's samples (self and total)
// in A and in B, the functions whose self share moved most first.
import { type PhaseProfile, topFunctions } from "./profile.ts";

export interface ShareMove {
  name: string;
  /** % of the phase's samples with the function on top, in A and in B */
  selfA: number;
  selfB: number;
  /** % of the phase's samples with the function anywhere on the stack */
  totalA: number;
  totalB: number;
}

const shares = (p: PhaseProfile | undefined) => {
  const out = new Map<string, { self: number; total: number }>();
  if (!p?.samples) return out;
  for (const t of topFunctions(p.stacks, Number.POSITIVE_INFINITY))
    out.set(t.name, { self: (100 * t.self) / p.samples, total: (100 * t.total) / p.samples });
  return out;
};

/** The `n` functions whose self share of `phase` moved most from A to B (then total share). */
export function shareMoves(a: PhaseProfile | undefined, b: PhaseProfile | undefined, n: number): ShareMove[] {
  const sa = shares(a);
  const sb = shares(b);
  const names = new Set([...sa.keys(), ...sb.keys()]);
  const moves = [...names].map((name) => ({
    name,
    selfA: sa.get(name)?.self ?? 0,
    selfB: sb.get(name)?.self ?? 0,
    totalA: sa.get(name)?.total ?? 0,
    totalB: sb.get(name)?.total ?? 0,
  }));
  const by = (m: ShareMove) => [Math.abs(m.selfB - m.selfA), Math.abs(m.totalB - m.totalA)];
  return moves.sort((x, y) => by(y)[0] - by(x)[0] || by(y)[1] - by(x)[1] || (x.name < y.name ? -1 : 1)).slice(0, n);
}
