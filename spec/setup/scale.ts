/**
 * True inside a Stryker worker process: @stryker-mutator/core forks each worker with
 * `STRYKER_MUTATOR_WORKER` set (for the dry run and every mutant run alike, so a mutant runs the
 * same sizes its coverage was measured with; `__STRYKER_ACTIVE_MUTANT__` is set only per mutant).
 */
export const underStryker = process.env.STRYKER_MUTATOR_WORKER !== undefined;

/**
 * The size of a scale test: `n`, or a tenth of it (rounded, at least 1) under Stryker. A mutant
 * that breaks a loop breaks it at 10^5 as at 10^6; the full size, run by `npm test`, is what shows
 * the constant stack depth and the linear time, and under Stryker it only made every mutant of the
 * core cost seconds, so that timeouts, not kills, took most of a run.
 */
export function scale(n: number): number {
  return underStryker ? Math.max(1, Math.round(n / 10)) : n;
}
