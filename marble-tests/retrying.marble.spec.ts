import { NEVER, defer } from 'rxjs';
import { testScheduler } from '../spec/setup/test-scheduler';
import { retrying } from 'rxjs-concurrency';

/*
 * retrying(task, options) (issue 13.6): retry over a Task, so a factory is called again, with a fresh
 * AbortSignal, for every attempt. The delays are retry's; these tests pin what the factory adds.
 */
describe('retrying (marbles)', () => {
  it("calls the factory once per attempt, each time with a fresh signal; the failed attempt's signal has aborted before the next call", () => {
    const scheduler = testScheduler();
    const signals: AbortSignal[] = [];
    const earlierAborted: boolean[][] = [];
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const attempt = cold('-a-#', { a: 1 });
      const output = retrying(
        (signal) => {
          earlierAborted.push(signals.map((s) => s.aborted));
          signals.push(signal);
          return attempt;
        },
        // Delays: 20 * (1 - 0.5 * 0.5) = 15, then 40 * 0.75 = 30.
        { attempts: 3, baseDelay: 20, jitter: 0.5, random: () => 0.5, scheduler },
      );
      // Attempt 1 from 0 fails at 3; attempt 2 from 18 (its a is a replay, dropped) fails at 21;
      // attempt 3 from 51 fails at 54.
      expectObservable(output).toBe('-a 52ms #', { a: 1 });
      expectSubscriptions(attempt.subscriptions).toBe(['^--!', '18ms ^--!', '51ms ^--!']);
    });
    expect(signals).toHaveLength(3);
    expect(new Set(signals).size).toBe(3);
    expect(earlierAborted).toEqual([[], [true], [true, true]]);
    expect(signals.map((s) => s.aborted)).toEqual([true, true, true]);
  });

  it("a success after a failure: its new values are emitted, the output completes, and the successful attempt's signal is left alone", () => {
    const scheduler = testScheduler();
    const signals: AbortSignal[] = [];
    scheduler.run(({ cold, expectObservable }) => {
      const attempts = [cold('a-#'), cold('a-b|')];
      const output = retrying(
        (signal) => {
          signals.push(signal);
          return attempts[signals.length - 1]!;
        },
        { baseDelay: 10, jitter: 0, scheduler },
      );
      // Attempt 1 fails at 2; attempt 2 starts at 12: its a (a replay) is dropped, its b at 14.
      expectObservable(output).toBe('a 13ms b|');
    });
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
  });

  it("an Observable task is resubscribed per attempt: it re-runs like the factory's", () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--#');
      expectObservable(retrying(source, { attempts: 2, baseDelay: 5, jitter: 0, scheduler })).toBe('9ms #');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '7ms ^-!']);
    });
  });

  it('onRetry is told each failure and delay, as with retry', () => {
    const scheduler = testScheduler();
    const calls: [number, unknown][] = [];
    let n = 0;
    scheduler.run(({ expectObservable }) => {
      const output = retrying(
        () =>
          defer(() => {
            throw new Error(`failure ${++n}`);
          }),
        {
          attempts: 3,
          baseDelay: 8,
          jitter: 0.5,
          random: () => 0.5,
          scheduler,
          onRetry: (info) => calls.push([scheduler.now(), info]),
        },
      );
      // Delays 6 then 12; every attempt fails as it is subscribed.
      expectObservable(output).toBe('18ms #', undefined, new Error('failure 3'));
    });
    expect(calls).toEqual([
      [0, { error: new Error('failure 1'), attempt: 1, delay: 6 }],
      [6, { error: new Error('failure 2'), attempt: 2, delay: 12 }],
    ]);
  });

  it('PITFALLS 13: unsubscribing mid-delay cancels the timer; the factory is not called again', () => {
    const scheduler = testScheduler();
    let calls = 0;
    scheduler.run(({ cold, expectObservable }) => {
      const attempt = cold('-#');
      const output = retrying(
        () => {
          calls++;
          return attempt;
        },
        { baseDelay: 10, jitter: 0, scheduler },
      );
      expectObservable(output, '^----!').toBe('');
    });
    expect(calls).toBe(1);
  });

  it("unsubscribing during an attempt aborts that attempt's signal in the same frame", () => {
    const scheduler = testScheduler();
    const aborted: number[] = [];
    scheduler.run(({ expectObservable }) => {
      const output = retrying(
        (signal) => {
          signal.addEventListener('abort', () => aborted.push(scheduler.now()));
          return NEVER;
        },
        { scheduler },
      );
      expectObservable(output, '7ms !').toBe('');
    });
    expect(aborted).toEqual([7]);
  });
});
