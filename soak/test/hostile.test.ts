// The guest is hostile input (issue 23): the real CLI soaks the stand-in VMM
// (hostile/vmm.mjs) scripted as each named hostile guest, and every invariant of
// hostile/invariants.ts must hold.
import { beforeAll, describe, expect, inject, it } from "vitest";
import { NAMED_CASES } from "./hostile/cases.ts";
import { cliEngine } from "./hostile/engines.ts";
import { type CaseOutcome, runCases } from "./hostile/run-case.ts";

/** engines at once: the machine has two cores, and each engine mostly waits on its guest */
const LANES = 3;

describe("a hostile guest never breaks the engine", () => {
  const outcomes = new Map<string, CaseOutcome>();
  beforeAll(async () => {
    const started = Date.now();
    for (const o of await runCases(NAMED_CASES, inject("kernelElf"), LANES, () => cliEngine)) outcomes.set(o.name, o);
    console.log(`hostile: ${NAMED_CASES.length} named cases in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }, 600_000);

  it("the well-behaved stand-in passes: the harness itself works", () => {
    const o = outcomes.get("well-behaved");
    expect(o?.broken).toEqual([]);
    expect(o?.report?.verdict.kind).toBe("pass");
    expect(o?.report?.load?.requests).toBe(4);
  });

  it.each(NAMED_CASES.map((c) => c.name))("%s", (name) => {
    const o = outcomes.get(name) as CaseOutcome;
    expect(o.broken, `verdict ${o.report?.verdict.kind}`).toEqual([]);
  });
});
