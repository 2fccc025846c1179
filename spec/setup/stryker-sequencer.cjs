'use strict';
// The jest test sequencer of `npm run mutate` only (stryker.config.mjs): the fastest files first,
// so that a mutant's run reaches its first failure, and stops there (stryker-environment.cjs),
// as soon as it can. Jest's own order is the opposite (slowest first, to keep parallel workers busy),
// and Stryker runs jest in band.
const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * Each file's duration in the dry run, by path from the jest root: written by the dry run and read
 * by every worker's mutant runs. It lives in Stryker's sandbox (the jest root), which goes with the run.
 */
const DURATIONS = '.stryker-test-durations.json';

/** @type {Record<string, number> | undefined} */
let durations;

/** @param {string} rootDir */
function readDurations(rootDir) {
  if (durations !== undefined) return durations;
  try {
    durations = JSON.parse(fs.readFileSync(path.join(rootDir, DURATIONS), 'utf8'));
    return durations;
  } catch {
    return {}; // the dry run, which writes them; read again next time
  }
}

class StrykerSequencer extends Sequencer {
  /** @param {import('@jest/test-result').Test[]} tests */
  sort(tests) {
    const rootDir = tests[0]?.context.config.rootDir ?? process.cwd();
    const known = readDurations(rootDir);
    // Before the dry run has measured them (and for a file it did not run), the smaller file first.
    const key = (/** @type {import('@jest/test-result').Test} */ test) => [
      known[path.relative(rootDir, test.path)] ?? Infinity,
      test.context.hasteFS.getSize(test.path) ?? 0,
    ];
    const keys = new Map(tests.map((test) => [test, key(test)]));
    return [...tests].sort((a, b) => {
      const [durationA = 0, sizeA = 0] = keys.get(a) ?? [];
      const [durationB = 0, sizeB = 0] = keys.get(b) ?? [];
      return durationA - durationB || sizeA - sizeB || (a.path < b.path ? -1 : 1);
    });
  }

  /**
   * @param {import('@jest/test-result').Test[]} tests
   * @param {import('@jest/test-result').AggregatedResult} results
   */
  cacheResults(tests, results) {
    // Mutant runs skip tests (perTest coverage, and the stop at the first failure): only the dry
    // run's durations are those of whole files.
    if (process.env.__STRYKER_ACTIVE_MUTANT__ !== undefined || results.testResults.length === 0) return;
    const rootDir = tests[0]?.context.config.rootDir ?? process.cwd();
    /** @type {Record<string, number>} */
    const measured = {};
    for (const result of results.testResults) {
      measured[path.relative(rootDir, result.testFilePath)] = result.perfStats.end - result.perfStats.start;
    }
    fs.writeFileSync(path.join(rootDir, DURATIONS), JSON.stringify(measured));
    durations = measured;
  }
}

module.exports = StrykerSequencer;
