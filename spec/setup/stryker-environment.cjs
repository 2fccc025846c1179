'use strict';
// The jest environment of `npm run mutate` only (stryker.config.mjs): a mutant is killed by one
// failing test, so once a test fails in a mutant's run, every test after it in that run is skipped,
// in its own file and in the files after it. Jest's `bail` cannot do this: Stryker turns it off,
// and it counts failing files, not tests.
const { TestEnvironment } = require('jest-environment-node');

/**
 * The id of the mutant whose run has seen a failure. Jest loads this module once per Stryker
 * worker and makes an environment per test file, so this outlives a file; each mutant run sets its
 * own `__STRYKER_ACTIVE_MUTANT__`, so a new run starts clean. The dry run has none, and runs every
 * test: its per-test coverage decides which tests each mutant runs.
 * @type {string | undefined}
 */
let failedMutant;

class StrykerEnvironment extends TestEnvironment {
  /** @param {import('jest-circus').Event} event */
  handleTestEvent(event) {
    const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
    if (mutant === undefined) return;
    if ((event.name === 'test_done' && event.test.errors.length > 0) || event.name === 'hook_failure') {
      failedMutant = mutant;
    } else if (failedMutant === mutant) {
      // jest-circus reads `mode` right after these events, to decide whether to run the block (and
      // its beforeAll hooks) or the test.
      if (event.name === 'run_describe_start') event.describeBlock.mode = 'skip';
      else if (event.name === 'test_start') event.test.mode = 'skip';
    }
  }
}

module.exports = StrykerEnvironment;
