// Mutation testing of lib/. `npm run mutate` tests every mutant and rewrites the committed baseline,
// reports/stryker-incremental.json; `npm run mutate:incremental` (CI) tests only the mutants of code
// changed since it, reusing the baseline's results for the rest, and .ci/mutation-gate.mjs fails
// under 90% on the changed ones. Part of lib at a time, without touching the baseline:
// `npx stryker run --mutate lib/gate.ts,lib/semaphore.ts`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // Sizes, heap and timing suites (10^6 loops, --expose-gc) say nothing a unit test does not,
    // at hundreds of times the cost per mutant; the scale tests that stay run at a tenth of their
    // size (spec/setup/scale.ts).
    // A mutant that leaves a promise pending fails its test after 2 s, as a kill, instead of running
    // into Stryker's timeout, which restarts the jest worker.
    // The Redis suites run in real time against a real server: far too slow per mutant (lib/redis
    // is left out of `mutate` for the same reason). spec/mutation-gate.spec.ts tests .ci/, not lib.
    // The environment stops a mutant's run at its first failing test; the sequencer leaves out the
    // files without a test the mutant runs, and runs the fastest of the rest first, so that the first
    // failure comes early. Relative paths, from the sandbox:
    // Stryker loads the environment itself, without jest's <rootDir>.
    config: {
      testPathIgnorePatterns: [
        '/node_modules/',
        '\\.stress\\.spec\\.ts$',
        '/spec/leaks',
        '/spec/redis/',
        '/spec/mutation-gate\\.spec\\.ts$',
      ],
      testTimeout: 2_000,
      testEnvironment: './spec/setup/stryker-environment.cjs',
      testSequencer: './spec/setup/stryker-sequencer.cjs',
    },
    enableFindRelatedTests: false,
  },
  coverageAnalysis: 'perTest',
  mutate: ['lib/**/*.ts', '!lib/index.ts', '!lib/redis/**'],
  ignorePatterns: ['dist', 'coverage', 'reports', 'bench', 'examples', '.stryker-tmp'],
  // Mutants that run only while a module loads: each would need a fresh jest and every test.
  ignoreStatic: true,
  concurrency: 2,
  // A mutant's time limit is its tests' time in the dry run plus 2 s: with the scale tests at a
  // tenth, an infinite loop is cut off in seconds instead of running on for the default 1.5x + 5 s.
  timeoutFactor: 1,
  timeoutMS: 2_000,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
};
