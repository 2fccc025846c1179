import { scale, underStryker } from '../setup/scale';

/**
 * fast-check settings shared by the model-based suites: a fixed seed (a failure replays exactly) and
 * 1000 runs. Under Stryker (which sets STRYKER_MUTATOR_WORKER in its workers) 100 runs: a mutant is
 * typically killed within the first few runs, and each surviving one would otherwise cost the full
 * suite time.
 */
export const params = {
  seed: 20_261_125,
  numRuns: underStryker ? 100 : 1000,
} as const;

/**
 * The size of the 10^6-item scale tests. Under Stryker 10^5: every mutant of the core reruns them,
 * and 10^5 nested calls still overflow the stack of an implementation that recurses per item.
 */
export const MILLION = scale(1_000_000);
