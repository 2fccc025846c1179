import { Observable, finalize, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { race, type Task } from 'rxjs-concurrency';

const testScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** A factory task over `work` that records its signal and whether its subscription is still live. */
function watched<T>(work: Observable<T>, signals: AbortSignal[], live: Set<string>, id: string): Task<T> {
  return (signal) => {
    signals.push(signal);
    live.add(id);
    return work.pipe(finalize(() => live.delete(id)));
  };
}

describe('review finding 6 (marbles): race cancels every loser before the winner is delivered', () => {
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
        tap((value) => seenAtDelivery.push(value, signals.map((s) => s.aborted), [...live])),
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
        tap((value) => seenAtDelivery.push(value, signals.map((s) => s.aborted), [...live])),
      );
      expectObservable(result).toBe('----(x|)', { x: undefined });
      expectSubscriptions(a.subscriptions).toBe('-^--!');
      expectSubscriptions(b.subscriptions).toBe('----(^!)');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
    expect(seenAtDelivery).toEqual([undefined, [true, false], []]);
  });
});
