/**
 * PITFALLS 11 (docs/pitfalls.md): fails any test during which an error escaped: an unhandled
 * promise rejection, an uncaught exception, or an error RxJS could only report through
 * `config.onUnhandledError`.
 */
import { config } from 'rxjs';

const escaped: unknown[] = [];
const record = (error: unknown): void => {
  escaped.push(error);
};

beforeAll(() => {
  process.on('unhandledRejection', record);
  process.on('uncaughtException', record);
});

afterAll(() => {
  process.off('unhandledRejection', record);
  process.off('uncaughtException', record);
});

beforeEach(() => {
  escaped.length = 0;
  config.onUnhandledError = record;
});

afterEach(async () => {
  // Unhandled rejections are detected after the microtask queue drains, and RxJS reports an error
  // it could not deliver through a `setTimeout(0)` of its own: a timer of the same delay set after
  // it fires after it, so what this test let escape is charged to this test, not the next one.
  await reportsDelivered();
  config.onUnhandledError = null;
  if (escaped.length > 0) {
    const errors = escaped.splice(0);
    throw new AggregateError(errors, `${errors.length} error(s) escaped during this test: ${errors.map(String).join('; ')}`);
  }
});

/** For tests that provoke an escaped error on purpose: takes what was recorded and clears it. */
export function takeEscapedErrors(): unknown[] {
  return escaped.splice(0);
}

/**
 * Waits one real macrotask. RxJS 7 reports an unhandled error through its timeout provider (virtual
 * inside `TestScheduler.run`), RxJS 8 through a real `setTimeout`: after this, both have reported.
 */
export function reportsDelivered(): Promise<void> {
  return new Promise<void>((resolve) => setTimeout(resolve, 0));
}
