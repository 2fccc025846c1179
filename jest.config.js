// RXJS_MAJOR=8 runs the same suites against rxjs 8 (installed as the alias `rxjs8`), so the
// package keeps working across the peer dependency's next major. `npm run test:rxjs8` runs every
// suite but spec/leaks.finalization.spec.ts, which says why.
const rxjs8 = process.env.RXJS_MAJOR === '8';

// The Redis suites (spec/redis/) start their own redis-server. Without one on the PATH they are
// left out, with one line saying so; under CI=true they run anyway and fail, since CI must have it.
const { spawnSync } = require('node:child_process');
const redisMissing = spawnSync('redis-server', ['--version']).error !== undefined;
if (redisMissing && process.env.CI !== 'true' && !process.env.JEST_WORKER_ID) {
  console.log('Redis suites skipped: redis-server is not on the PATH (install it: sudo apt-get install -y redis-server)');
}
const skipRedis = redisMissing && process.env.CI !== 'true';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec', '<rootDir>/marble-tests'],
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...(skipRedis ? ['<rootDir>/spec/redis/'] : [])],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^rxjs-concurrency$': '<rootDir>/lib/index.ts',
    '^rxjs-concurrency/redis$': '<rootDir>/lib/redis/index.ts',
    ...(rxjs8 ? { '^rxjs$': 'rxjs8', '^rxjs/(.*)$': 'rxjs8/$1' } : {}),
  },
  setupFilesAfterEnv: ['<rootDir>/spec/setup/no-unhandled-errors.ts'],
  // One worker on a 2-core machine runs every file; what a file leaves on its heap (coverage
  // counters, ts-jest's programs) added up past Node's 4 GB default once the suite grew. A worker
  // that ends a file above this is replaced.
  workerIdleMemoryLimit: '1GB',
  collectCoverageFrom: ['lib/**/*.ts'],
  coverageReporters: ['text-summary', 'lcov'],
};
