// Generated hostile guests (hostile/generate.ts): HOSTILE_CASES of them (default 200; the
// nightly workflow runs 2,000) from HOSTILE_SEED on (default 1), each through the CLI's
// soak (cli/soak.ts) in an engine host (hostile/engine-host.ts), since a node start per case would
// not fit the suite's time. A failing case prints its seed and how to replay it alone.
import { expect, inject, it } from "vitest";
import { hostEngine } from "./hostile/engines.ts";
import { generate } from "./hostile/generate.ts";
import { runCases } from "./hostile/run-case.ts";

const COUNT = Number(process.env.HOSTILE_CASES ?? 200);
const SEED = Number(process.env.HOSTILE_SEED ?? 1);
/** engines at once: each case mostly waits on its guest's deadlines */
const LANES = Number(process.env.HOSTILE_LANES ?? 4);

it(`${COUNT} generated hostile guests from seed ${SEED} never break the engine`, async () => {
  const started = Date.now();
  const seeds = Array.from({ length: COUNT }, (_, i) => SEED + i);
  const cases = seeds.map((seed) => ({ name: `seed ${seed}`, behaviour: generate(seed) }));
  const outcomes = await runCases(cases, inject("kernelElf"), LANES, hostEngine);
  const failures = outcomes.flatMap((o) => o.broken.map((line) => `${o.name}: ${line}`));
  const slowest = [...outcomes].sort((a, b) => b.wallMs - a.wallMs).slice(0, 5);
  console.log(
    `hostile: slowest ${slowest.map((o) => `${o.name} ${(o.wallMs / 1000).toFixed(1)} s (${o.report?.verdict.kind})`).join(", ")}`,
  );
  const verdicts = new Map<string, number>();
  for (const o of outcomes)
    verdicts.set(o.report?.verdict.kind ?? "none", (verdicts.get(o.report?.verdict.kind ?? "none") ?? 0) + 1);
  console.log(
    `hostile: ${COUNT} generated cases from seed ${SEED} in ${((Date.now() - started) / 1000).toFixed(1)} s on ${LANES} lanes; verdicts ${JSON.stringify(Object.fromEntries(verdicts))}`,
  );
  expect(
    failures,
    `replay one: HOSTILE_SEED=<seed> HOSTILE_CASES=1 npx vitest run soak/test/hostile-generated.test.ts`,
  ).toEqual([]);
}, 3_600_000);
