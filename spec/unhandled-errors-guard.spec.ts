import { spawnSync } from 'node:child_process';
import { config } from 'rxjs';
import { takeEscapedErrors } from './setup/no-unhandled-errors';

// The guard itself must be able to fail, or PITFALLS 11's tests prove nothing. (Unhandled promise
// rejections are failed by jest 30 itself as well as recorded by the guard.)
describe('the unhandled-error guard (PITFALLS 11)', () => {
  it('records an error RxJS reports through config.onUnhandledError', () => {
    config.onUnhandledError?.(new Error('reported'));
    expect(takeEscapedErrors()).toEqual([new Error('reported')]);
  });

  it('fails the test that let an error escape, and not the one after it', () => {
    const jest = spawnSync(
      process.execPath,
      [
        require.resolve('jest/bin/jest'),
        '--roots',
        '<rootDir>/spec/fixtures',
        '--testMatch',
        '**/escaped-error.fixture.ts',
        '--coverage=false',
        '--json',
      ],
      { cwd: `${__dirname}/..`, encoding: 'utf8', env: { ...process.env, CI: 'true' } },
    );
    const report = JSON.parse(jest.stdout) as {
      testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
    };
    const results = report.testResults.flatMap((file) => file.assertionResults);
    expect(results.map(({ title, status }) => [title, status])).toEqual([
      ['lets an error escape', 'failed'],
      ['comes after it, clean', 'passed'],
    ]);
    expect(results[0]!.failureMessages.join('\n')).toContain('1 error(s) escaped during this test: Error: escaped');
    expect(jest.status).toBe(1);
  }, 60_000);
});
