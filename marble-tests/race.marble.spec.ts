import { EMPTY, EmptyError, Observable, finalize, from, of, race as rxRace, tap, throwError } from 'rxjs';
import { testScheduler } from '../spec/setup/test-scheduler';
import { isCancelled, race, type Task } from 'rxjs-concurrency';
import { getDeadline, withDeadline } from '../lib/internal/context';

describe('race (marbles)', () => {
  it('the first task to complete wins with its last value; the others and the source are cancelled in that frame', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('-1-----2|');
      const b = cold('--3-4|');
      const c = cold('-----5|');
      const source = hot('-abc-----|', { a, b, c });
      expectObservable(source.pipe(race<string>())).toBe('-------(x|)', { x: '4' });
      expectSubscriptions(a.subscriptions).toBe('-^-----!');
      expectSubscriptions(b.subscriptions).toBe('--^----!');
      expectSubscriptions(c.subscriptions).toBe('---^---!');
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('behaves as the diagram in its TSDoc', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('-1-----2|');
      const source = hot('-a-b-|', { a, b: cold('---3|') });
      expectObservable(source.pipe(race<string>())).toBe('-------(x|)', { x: '3' });
      expectSubscriptions(a.subscriptions).toBe('-^-----!');
    });
  });

  it('settling, not emitting, decides: unlike rxjs race, an early value does not win', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a = cold('-1------2|');
      const b = cold('---3|');
      expectObservable(rxRace(a, b)).toBe('-1------2|');
      expectObservable(cold('(ab|)', { a, b }).pipe(race<string>())).toBe('----(x|)', { x: '3' });
    });
  });

  it('the first task to error decides: the output errors and the others are cancelled', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const error = new Error('boom');
      const a = cold('------1|');
      const b = cold('--#', undefined, error);
      const source = hot('-ab---|', { a, b });
      expectObservable(source.pipe(race<string>())).toBe('----#', undefined, error);
      expectSubscriptions(a.subscriptions).toBe('-^--!');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('a winner that completes without a value emits undefined', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a = cold('-----1|');
      const b = cold('--|');
      expectObservable(cold('(ab|)', { a, b }).pipe(race<string>())).toBe('--(x|)', { x: undefined });
    });
  });

  it('an empty source errors with EmptyError', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot<Task<string>>('---|').pipe(race<string>())).toBe('---#', undefined, new EmptyError());
    });
    let received: unknown;
    EMPTY.pipe(race()).subscribe({ error: (e: unknown) => (received = e) });
    expect(received).toBeInstanceOf(EmptyError);
  });

  it('a task that completes synchronously wins at once and later tasks never start', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('--1|');
      const c = cold('-1|');
      expectObservable(from<Task<string>[]>([a, of('sync'), c]).pipe(race<string>())).toBe('(x|)', { x: 'sync' });
      expectSubscriptions(a.subscriptions).toBe('(^!)');
      expectSubscriptions(c.subscriptions).toBe([]);
    });
  });

  it('a task that errors synchronously fails the output at once and later tasks never start', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new Error('sync');
      const a = cold('--1|');
      const c = cold('-1|');
      expectObservable(from<Task<string>[]>([a, throwError(() => error), c]).pipe(race<string>())).toBe('#', undefined, error);
      expectSubscriptions(a.subscriptions).toBe('(^!)');
      expectSubscriptions(c.subscriptions).toBe([]);
    });
  });

  it('aborts the signals of the losing factory tasks in the frame the winner completes', () => {
    const scheduler = testScheduler();
    const aborted: Record<string, number> = {};
    scheduler.run(({ cold, hot, expectObservable }) => {
      const factory =
        (name: string, inner: Observable<string>): Task<string> =>
        (signal) => {
          signal.addEventListener('abort', () => {
            aborted[name] = scheduler.now();
            expect(isCancelled(signal.reason)).toBe(true);
          });
          return inner;
        };
      const source = hot('-ab|', { a: factory('a', cold('------1|')), b: factory('b', cold('--2|')) });
      expectObservable(source.pipe(race<string>())).toBe('-----(x|)', { x: '2' });
    });
    expect(aborted).toEqual({ a: 5 });
  });

  it('unsubscribing cancels every task and the source, and aborts factory signals', () => {
    const scheduler = testScheduler();
    const aborted: number[] = [];
    scheduler.run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('------1|');
      const b: Task<string> = (signal) => {
        signal.addEventListener('abort', () => aborted.push(scheduler.now()));
        return cold('-----1|');
      };
      const source = hot<Task<string>>('-ab---|', { a, b });
      expectObservable(source.pipe(race<string>()), '^--!').toBe('-');
      expectSubscriptions(a.subscriptions).toBe('-^-!');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(aborted).toEqual([3]);
  });

  it('starts a task emitted later under the deadline in force when the output was subscribed', () => {
    const scheduler = testScheduler();
    const seen: number[] = [];
    scheduler.run(({ cold, hot }) => {
      const task: Task<string> = () => {
        seen.push(getDeadline());
        return cold('-----1|');
      };
      withDeadline(7, () => hot('-a-a|', { a: task }).pipe(race<string>()).subscribe());
    });
    expect(seen).toEqual([7, 7]);
  });

  it('fails fast with several losers: the first task to settle errors and every other task and the source are cancelled in that frame', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const error = new Error('boom');
      const a = cold('-1-----1|');
      const b = cold('--#', undefined, error);
      const c = cold('-----1|');
      const d = cold('1|');
      const source = hot('-a-bc----d|', { a, b, c, d });
      // a emitted at 2 but has not settled: b's error at 5 decides.
      expectObservable(source.pipe(race<string>())).toBe('-----#', undefined, error);
      expectSubscriptions(a.subscriptions).toBe('-^---!');
      expectSubscriptions(b.subscriptions).toBe('---^-!');
      expectSubscriptions(c.subscriptions).toBe('----^!');
      expectSubscriptions(d.subscriptions).toBe([]);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });
});

/** A factory task over `work` that records its signal and whether its subscription is still live. */
function watched<T>(work: Observable<T>, signals: AbortSignal[], live: Set<string>, id: string): Task<T> {
  return (signal) => {
    signals.push(signal);
    live.add(id);
    return work.pipe(finalize(() => live.delete(id)));
  };
}

describe('race (marbles): every loser is cancelled before the winner is delivered', () => {
  it('in the frame the winner settles, the losers are unsubscribed and aborted before the consumer sees the result', () => {
    const signals: AbortSignal[] = [];
    const live = new Set<string>();
    const seenAtDelivery: unknown[] = [];
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('------1|');
      const b = cold('---2|');
      const c = cold('-------3|');
      const source = hot('-abc---|', {
        a: watched(a, signals, live, 'a'),
        b: watched(b, signals, live, 'b'),
        c: watched(c, signals, live, 'c'),
      });
      const result = source.pipe(
        race<string>(),
        tap((value) =>
          seenAtDelivery.push(
            value,
            signals.map((s) => s.aborted),
            [...live],
          ),
        ),
      );
      expectObservable(result).toBe('------(x|)', { x: '2' });
      expectSubscriptions(a.subscriptions).toBe('-^----!');
      expectSubscriptions(b.subscriptions).toBe('--^---!');
      expectSubscriptions(c.subscriptions).toBe('---^--!');
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
    // The winner (b) completed, so its signal never aborts; a and c were cancelled before delivery.
    expect(seenAtDelivery).toEqual(['2', [true, false, true], []]);
  });

  it('a winner that settles in the frame it is started finds the earlier loser already cancelled', () => {
    const signals: AbortSignal[] = [];
    const live = new Set<string>();
    const seenAtDelivery: unknown[] = [];
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const a = cold('-----1|');
      const b = cold('|');
      const source = hot('-a--b-|', { a: watched(a, signals, live, 'a'), b: watched(b, signals, live, 'b') });
      const result = source.pipe(
        race<string>(),
        tap((value) =>
          seenAtDelivery.push(
            value,
            signals.map((s) => s.aborted),
            [...live],
          ),
        ),
      );
      expectObservable(result).toBe('----(x|)', { x: undefined });
      expectSubscriptions(a.subscriptions).toBe('-^--!');
      expectSubscriptions(b.subscriptions).toBe('----(^!)');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
    expect(seenAtDelivery).toEqual([undefined, [true, false], []]);
  });
});
