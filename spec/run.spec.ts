import { NEVER, Observable, catchError, defer, map, merge, of, take, takeUntil, throwError, timeout, timer } from 'rxjs';
import { testScheduler } from './setup/test-scheduler';
import { Lock, Semaphore } from 'rxjs-concurrency';
import { recordStates, st } from './setup/gate-state';

describe('PITFALLS 4: cancelling queued and running work at once', () => {
  it('counters reach zero at once and new work runs', () => {
    const sem = new Semaphore(2);
    const { last } = recordStates(sem);
    const subscribed: number[] = [];
    const unsubscribed: number[] = [];
    const work = (i: number): Observable<never> =>
      new Observable<never>(() => {
        subscribed.push(i);
        return () => unsubscribed.push(i);
      });
    const all = merge(...[0, 1, 2, 3, 4, 5].map((i) => sem.run(work(i)))).subscribe();
    expect([sem.value, sem.waiting, subscribed]).toEqual([0, 4, [0, 1]]);
    all.unsubscribe();
    expect([sem.value, sem.waiting]).toEqual([2, 0]);
    expect(last()).toEqual(st(2, 2, 0));
    // Cancelling in subscription order hands each freed permit to the next waiter in line, whose
    // cancellation follows in the same call: every work that started was stopped.
    expect(unsubscribed.slice().sort()).toEqual(subscribed.slice().sort());
    const values: number[] = [];
    sem.run(of(7)).subscribe((v) => values.push(v));
    expect(values).toEqual([7]);
    expect(sem.value).toBe(2);
  });

  it('cancelling the waiters before the holders starts no queued work', () => {
    const lock = new Lock();
    const started: number[] = [];
    const work = (i: number): Observable<never> => defer(() => (started.push(i), NEVER));
    const running = lock.run(work(0)).subscribe();
    const queued = merge(lock.run(work(1)), lock.run(work(2))).subscribe();
    queued.unsubscribe();
    running.unsubscribe();
    expect(started).toEqual([0]);
    expect([lock.locked, lock.waiting]).toEqual([false, 0]);
  });
});

describe('PITFALLS 5: a run() whose subscription ends early releases its permit and aborts its signal in the same frame', () => {
  it.each([
    [
      'timeout',
      (source: Observable<string>) =>
        source.pipe(
          timeout(5),
          catchError(() => of('timed out')),
        ),
    ],
    ['unsubscribe', (source: Observable<string>) => source.pipe(takeUntil(timer(5)))],
  ] as [string, (source: Observable<string>) => Observable<string>][])('ended by %s', (_name, end) => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const lock = new Lock();
      let firstSignal: AbortSignal | undefined;
      const firstWork = cold('---------a|');
      const nextWork = cold('a|');
      const seen: boolean[] = [];
      const first = lock.run((signal) => {
        firstSignal = signal;
        return firstWork;
      });
      const next = lock.run((signal) => {
        // The timed-out work was stopped and told so before this one started.
        seen.push(firstSignal!.aborted, signal.aborted);
        return nextWork;
      });
      expectObservable(end(first)).toBe(_name === 'timeout' ? '-----(t|)' : '-----|', { t: 'timed out' });
      expectObservable(next).toBe('-----a|');
      expectSubscriptions(firstWork.subscriptions).toBe('^----!');
      expectSubscriptions(nextWork.subscriptions).toBe('-----^!');
      expectObservable(timer(5).pipe(map(() => firstSignal?.aborted))).toBe('-----(x|)', { x: true });
      expectObservable(timer(7).pipe(map(() => [lock.locked, seen]))).toBe('-------(x|)', { x: [false, [true, false]] });
    });
  });

  it("a synchronous unsubscribe during the work's first emission stops the work there (and aborts it)", () => {
    const lock = new Lock();
    const held = lock.tryAcquire()!;
    let emitted = 0;
    let signal: AbortSignal | undefined;
    const values: number[] = [];
    lock
      .run((s) => {
        signal = s;
        return new Observable<number>((subscriber) => {
          for (let i = 0; i < 1000 && !subscriber.closed; i++) {
            emitted++;
            subscriber.next(i);
          }
        });
      })
      .pipe(take(2))
      .subscribe((v) => values.push(v));
    held.release();
    expect(values).toEqual([0, 1]);
    expect(emitted).toBe(2);
    expect(signal?.aborted).toBe(true);
    expect(lock.locked).toBe(false);
  });

  it('the same when the permit is granted synchronously on subscribe', () => {
    const lock = new Lock();
    let emitted = 0;
    let signal: AbortSignal | undefined;
    lock
      .run((s) => {
        signal = s;
        return new Observable<number>((subscriber) => {
          for (let i = 0; i < 1000 && !subscriber.closed; i++) {
            emitted++;
            subscriber.next(i);
          }
        });
      })
      .pipe(take(1))
      .subscribe();
    expect(emitted).toBe(1);
    expect(signal?.aborted).toBe(true);
    expect(lock.locked).toBe(false);
  });

  it('work that completes is not aborted; work that fails is, so nothing it started runs on', () => {
    const lock = new Lock();
    const signals: AbortSignal[] = [];
    lock.run((signal) => (signals.push(signal), of(1))).subscribe();
    lock.run((signal) => (signals.push(signal), throwError(() => new Error('x')))).subscribe({ error: () => undefined });
    expect(signals.map((s) => s.aborted)).toEqual([false, true]);
  });
});

describe('run()', () => {
  it('mirrors values, completion and errors, releasing before the end is forwarded', () => {
    const lock = new Lock();
    const log: unknown[] = [];
    lock.run(of(1, 2)).subscribe({ next: (v) => log.push(v), complete: () => log.push(['complete', lock.locked]) });
    lock.run(throwError(() => 'e')).subscribe({ error: (e: unknown) => log.push(['error', e, lock.locked]) });
    expect(log).toEqual([1, 2, ['complete', false], ['error', 'e', false]]);
  });

  it('a factory that throws errors the run and releases', () => {
    const lock = new Lock();
    const errors: unknown[] = [];
    lock
      .run(() => {
        throw new Error('factory');
      })
      .subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors).toEqual([new Error('factory')]);
    expect(lock.locked).toBe(false);
  });

  it('a factory is called once per subscription, at subscription, not at call', () => {
    const lock = new Lock();
    let calls = 0;
    const work = lock.run(() => (calls++, of(calls)));
    expect(calls).toBe(0);
    const values: number[] = [];
    work.subscribe((v) => values.push(v));
    work.subscribe((v) => values.push(v));
    expect(values).toEqual([1, 2]);
  });

  it('accepts any ObservableInput that has not started: an array, a factory of a promise', async () => {
    const sem = new Semaphore(1);
    const values: number[] = [];
    sem.run([1, 2, 3]).subscribe((v) => values.push(v));
    await new Promise<void>((resolve) => sem.run(() => Promise.resolve(4)).subscribe({ next: (v) => values.push(v), complete: resolve }));
    expect(values).toEqual([1, 2, 3, 4]);
    expect(sem.value).toBe(1);
  });
});
