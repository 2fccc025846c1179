'use strict';
// The jest test sequencer of `npm run mutate` only (stryker.config.mjs). Stryker hands jest a mutant's
// covering tests as a name pattern, and jest still loads every test file to match their tests against
// it: most of a mutant's run. This sequencer drops the files that have no test matching the pattern,
// and runs the fastest of the others first, so that a mutant's run reaches its first failure, and
// stops there (stryker-environment.cjs), as soon as it can. Jest's own order is the opposite (slowest
// first, to keep parallel workers busy), and Stryker runs jest in band.
const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * What the dry run saw of each file, by path from the jest root: its duration and its tests' full
 * names. Written by the dry run and read by every worker's mutant runs; it lives in Stryker's sandbox
 * (the jest root), which goes with the run.
 */
const DRY_RUN = '.stryker-dry-run.json';

/** @typedef {Record<string, { duration: number, tests: string[] }>} DryRun */

/** @type {DryRun | undefined} */
let dryRun;

/** @param {string} rootDir */
function readDryRun(rootDir) {
  if (dryRun !== undefined) return dryRun;
  try {
    dryRun = JSON.parse(fs.readFileSync(path.join(rootDir, DRY_RUN), 'utf8'));
    return dryRun;
  } catch {
    return undefined; // the dry run itself, which writes it
  }
}

class StrykerSequencer extends Sequencer {
  /** @type {RegExp | undefined} */
  #pattern;

  /** @param {{ globalConfig?: { testNamePattern?: string | null } }} options */
  constructor(options) {
    super(options);
    const pattern = options.globalConfig?.testNamePattern;
    // As jest-circus matches it: case-insensitive, anywhere in the test's full name.
    if (pattern) this.#pattern = new RegExp(pattern, 'i');
  }

  /** @param {import('@jest/test-result').Test[]} tests */
  sort(tests) {
    const rootDir = tests[0]?.context.config.rootDir ?? process.cwd();
    const seen = readDryRun(rootDir);
    const name = (/** @type {import('@jest/test-result').Test} */ test) => path.relative(rootDir, test.path);
    let selected = tests;
    const pattern = this.#pattern;
    if (seen !== undefined && pattern !== undefined) {
      // A file the dry run did not see is kept; if no file matches (a pattern this cannot read),
      // all are, as jest would have run them.
      const matching = tests.filter((test) => seen[name(test)]?.tests.some((fullName) => pattern.test(fullName)) ?? true);
      if (matching.length > 0) selected = matching;
    }
    // Before the dry run has measured them (and for a file it did not run), the smaller file first.
    const keys = new Map(
      selected.map((test) => [test, [seen?.[name(test)]?.duration ?? Infinity, test.context.hasteFS.getSize(test.path) ?? 0]]),
    );
    return [...selected].sort((a, b) => {
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
    // Mutant runs skip tests (the name pattern, and the stop at the first failure): only the dry
    // run sees whole files.
    if (process.env.__STRYKER_ACTIVE_MUTANT__ !== undefined || results.testResults.length === 0) return;
    const rootDir = tests[0]?.context.config.rootDir ?? process.cwd();
    /** @type {DryRun} */
    const measured = {};
    for (const result of results.testResults) {
      measured[path.relative(rootDir, result.testFilePath)] = {
        duration: result.perfStats.end - result.perfStats.start,
        tests: result.testResults.map((test) => test.fullName),
      };
    }
    fs.writeFileSync(path.join(rootDir, DRY_RUN), JSON.stringify(measured));
    dryRun = measured;
  }
}

module.exports = StrykerSequencer;
