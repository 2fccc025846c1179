// RXJS_MAJOR=8 runs the same suites against rxjs 8 (installed as the alias `rxjs8`), so the
// package keeps working across the peer dependency's next major. `npm run test:rxjs8` leaves out
// spec/leaks: its heap figures are asserted against the supported peer, and under jest with
// 8.0.0-alpha.14 an unsubscribed Queue.state$ observer was not collected (plain node collects it).
const rxjs8 = process.env.RXJS_MAJOR === '8';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/spec', '<rootDir>/marble-tests'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^rxjs-concurrency$': '<rootDir>/lib/index.ts',
    '^rxjs-concurrency/redis$': '<rootDir>/lib/redis/index.ts',
    ...(rxjs8 ? { '^rxjs$': 'rxjs8', '^rxjs/(.*)$': 'rxjs8/$1' } : {}),
  },
  setupFilesAfterEnv: ['<rootDir>/spec/setup/no-unhandled-errors.ts'],
  collectCoverageFrom: ['lib/**/*.ts'],
  coverageReporters: ['text-summary', 'lcov'],
};
