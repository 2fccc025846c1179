// Mutation testing of lib/ (`npm run mutate`). A full run takes long on a small machine: mutate
// part of lib at a time with `npx stryker run --mutate lib/gate.ts,lib/semaphore.ts`.
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
    // at hundreds of times the cost per mutant.
    // A mutant that leaves a promise pending fails its test after 2 s, as a kill, instead of running
    // into Stryker's timeout, which restarts the jest worker.
    // The Redis suites run in real time against a real server: far too slow per mutant (lib/redis
    // is left out of `mutate` for the same reason).
    config: { testPathIgnorePatterns: ['/node_modules/', '\\.stress\\.spec\\.ts$', '/spec/leaks', '/spec/redis/'], testTimeout: 2_000 },
    enableFindRelatedTests: false,
  },
  coverageAnalysis: 'perTest',
  mutate: ['lib/**/*.ts', '!lib/index.ts', '!lib/redis/**'],
  ignorePatterns: ['dist', 'coverage', 'reports', 'bench', 'examples', '.stryker-tmp'],
  concurrency: 2,
  timeoutMS: 5_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
};
