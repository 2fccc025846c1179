import { config } from 'rxjs';
import { takeEscapedErrors } from './setup/no-unhandled-errors';

// The guard itself must be able to fail, or PITFALLS 11's tests prove nothing. (Unhandled promise
// rejections are failed by jest 30 itself as well as recorded by the guard.)
describe('the unhandled-error guard (PITFALLS 11)', () => {
  it('records an error RxJS reports through config.onUnhandledError', () => {
    config.onUnhandledError?.(new Error('reported'));
    expect(takeEscapedErrors()).toEqual([new Error('reported')]);
  });
});
