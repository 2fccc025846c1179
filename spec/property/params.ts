/**
 * fast-check settings shared by the model-based suites: a fixed seed (a failure replays exactly) and
 * 1000 runs. Under Stryker (which sets STRYKER_MUTATOR_WORKER in its workers) 100 runs: a mutant is
 * typically killed within the first few runs, and each surviving one would otherwise cost the full
 * suite time.
 */
export const params = {
  seed: 20_261_125,
  numRuns: process.env.STRYKER_MUTATOR_WORKER === undefined ? 1000 : 100,
} as const;
