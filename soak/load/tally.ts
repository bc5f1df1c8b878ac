// What every part of the load (driver.ts, churn.ts, mixed.ts, pool-result.ts) counts the
// same way: which statuses are expected, statuses added up, and how many error samples
// a result keeps.

/** error samples a result keeps (the first ones) */
export const ERROR_SAMPLES = 20;

/** 2xx, and 304 for a revalidation */
export const isExpected = (code: string) => code.startsWith("2") || code === "304";

/** Adds `from`'s counts into `into`; returns `into`. */
export function addStatuses(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [code, n] of Object.entries(from)) into[code] = (into[code] ?? 0) + n;
  return into;
}

/** The responses whose status was not expected. */
export const unexpectedCount = (statuses: Record<string, number>) =>
  Object.entries(statuses).reduce((n, [code, k]) => n + (isExpected(code) ? 0 : k), 0);
