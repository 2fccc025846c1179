import { EMPTY, Observable, defer, finalize, map, of, switchMap, takeUntil, timer } from 'rxjs';
import { testScheduler } from '../spec/setup/test-scheduler';
import { CapacityLimiter, boundedMap, isCancelled } from 'rxjs-concurrency';
import { getDeadline, withDeadline } from '../lib/internal/context';

describe('boundedMap (marbles)', () => {
  it('ordered (the TSDoc diagram): values in input order; a task waits while the window is full', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('a-b-c--|');
      const a = cold('-----A|');
      const b = cold('B|');
      const c = cold('--C|');
      const tasks: Record<string, Observable<string>> = { a, b, c };
      expectObservable(source.pipe(boundedMap((v) => tasks[v]!, 2))).toBe('-----AB-C|');
      expectSubscriptions(a.subscriptions).toBe('^-----!');
      expectSubscriptions(b.subscriptions).toBe('--^!');
      // b is done at frame 3 but not emitted until A is: c cannot start before frame 6.
      expectSubscriptions(c.subscriptions).toBe('------^--!');
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('ordered: false (the TSDoc diagram): values as they come; a task starts as soon as a slot frees', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('a-b-c--|');
      const a = cold('-----A|');
      const b = cold('B|');
      const c = cold('--C|');
      const tasks: Record<string, Observable<string>> = { a, b, c };
      expectObservable(source.pipe(boundedMap((v) => tasks[v]!, 2, { ordered: false }))).toBe('--B--AC|');
      expectSubscriptions(a.subscriptions).toBe('^-----!');
      expectSubscriptions(b.subscriptions).toBe('--^!');
      expectSubscriptions(c.subscriptions).toBe('----^--!');
    });
  });

  it('ordered: every value of a task comes before any value of the next; values ahead of the head are buffered', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a = cold('-x---y|');
      const b = cold('p-q|');
      const tasks: Record<string, Observable<string>> = { a, b };
      expectObservable(cold('(ab|)').pipe(boundedMap((v) => tasks[v]!, 2))).toBe('-x---y(pq|)');
    });
  });

  it('ordered: false: every value as it comes, like mergeMap', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a = cold('-x---y|');
      const b = cold('p-q|');
      const tasks: Record<string, Observable<string>> = { a, b };
      expectObservable(cold('(ab|)').pipe(boundedMap((v) => tasks[v]!, 2, { ordered: false }))).toBe('pxq--y|');
    });
  });

  it('ordered window bound: with a slow head, no more than `limit` tasks are started but not emitted', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('-----(A|)');
      const b = cold('-(B|)');
      const c = cold('-(C|)');
      const d = cold('----------(D|)');
      const e = cold('----------(E|)');
      const tasks: Record<string, Observable<string>> = { a, b, c, d, e };
      expectObservable(cold('(abcde|)').pipe(boundedMap((v) => tasks[v]!, 3))).toBe('-----(ABC)-----(DE|)');
      expectSubscriptions(a.subscriptions).toBe('^----!');
      expectSubscriptions(b.subscriptions).toBe('^!');
      expectSubscriptions(c.subscriptions).toBe('^!');
      // b and c finished at frame 1 but still fill the window: d and e wait for A.
      expectSubscriptions(d.subscriptions).toBe('-----^---------!');
      expectSubscriptions(e.subscriptions).toBe('-----^---------!');
    });
  });

  it('ordered window bound: started-but-not-emitted never exceeds limit (counted)', () => {
    testScheduler().run(({ flush }) => {
      const durations = [40, 1, 3, 2, 1, 30, 1, 1, 2, 5, 1, 1];
      let started = 0;
      let maxWindow = 0;
      const values: number[] = [];
      of(...durations.map((_, i) => i))
        .pipe(
          boundedMap((i) => {
            started++;
            maxWindow = Math.max(maxWindow, started - values.length);
            return timer(durations[i]!).pipe(map(() => i));
          }, 3),
        )
        .subscribe((v) => values.push(v));
      flush();
      expect(values).toEqual(durations.map((_, i) => i));
      expect(maxWindow).toBe(3);
    });
  });

  it('limit: the number of active inner subscriptions never exceeds limit, and reaches it', () => {
    testScheduler().run(({ flush }) => {
      const durations = [5, 1, 9, 2, 2, 7, 1, 1, 3, 8, 1, 4, 6, 2, 1, 1];
      for (const ordered of [true, false]) {
        let active = 0;
        let max = 0;
        const values: number[] = [];
        of(...durations.map((_, i) => i))
          .pipe(
            boundedMap(
              (i) =>
                defer(() => {
                  max = Math.max(max, ++active);
                  return timer(durations[i]!).pipe(map(() => i));
                }).pipe(finalize(() => active--)),
              4,
              { ordered },
            ),
          )
          .subscribe((v) => values.push(v));
        flush();
        expect(max).toBe(4);
        expect(active).toBe(0);
        expect(values).toHaveLength(durations.length);
        if (ordered) expect(values).toEqual(durations.map((_, i) => i));
      }
    });
  });

  it('fail fast: the first error unsubscribes every other task and the source in the same frame; queued values never start', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-d---|');
      const a = cold('----------A|');
      const b = cold('--------B|');
      const c = cold('---#', undefined, 'boom');
      const d = cold('-D|');
      const tasks: Record<string, Observable<string>> = { a, b, c, d };
      for (const ordered of [true, false]) {
        expectObservable(source.pipe(boundedMap((v) => tasks[v]!, 3, { ordered }))).toBe('--------#', undefined, 'boom');
      }
      expectSubscriptions(a.subscriptions).toBe(['-^------!', '-^------!']);
      expectSubscriptions(b.subscriptions).toBe(['---^----!', '---^----!']);
      expectSubscriptions(c.subscriptions).toBe(['-----^--!', '-----^--!']);
      expectSubscriptions(d.subscriptions).toBe([]);
      expectSubscriptions(source.subscriptions).toBe(['^-------!', '^-------!']);
    });
  });

  it('fail fast: an error of the source cancels the running tasks in the same frame', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b--#', undefined, 'source failed');
      const a = cold('----------A|');
      const b = cold('--------B|');
      const tasks: Record<string, Observable<string>> = { a, b };
      expectObservable(source.pipe(boundedMap((v) => tasks[v]!, 2))).toBe('------#', undefined, 'source failed');
      expectSubscriptions(a.subscriptions).toBe('-^----!');
      expectSubscriptions(b.subscriptions).toBe('---^--!');
    });
  });

  it('fail fast: a project that throws is the error, and cancels the running tasks', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b--|');
      const a = cold('----------A|');
      const project = (v: string): Observable<string> => {
        if (v === 'b') throw new Error('bad b');
        return a;
      };
      expectObservable(source.pipe(boundedMap(project, 2))).toBe('---#', undefined, new Error('bad b'));
      expectSubscriptions(a.subscriptions).toBe('-^-!');
    });
  });

  it('unsubscribing cancels every running task and the source, and queued values never start', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-|');
      const a = cold('----------A|');
      const b = cold('--------B|');
      const c = cold('-C|');
      const tasks: Record<string, Observable<string>> = { a, b, c };
      expectObservable(source.pipe(boundedMap((v) => tasks[v]!, 2)), '^-----!').toBe('------');
      expectSubscriptions(a.subscriptions).toBe('-^----!');
      expectSubscriptions(b.subscriptions).toBe('---^--!');
      expectSubscriptions(c.subscriptions).toBe([]);
      expectSubscriptions(source.subscriptions).toBe('^-----!');
    });
  });

  it('unsubscribing in the same frame as a task completes, before it: nothing emitted, the next task never starts', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('(ab)-|');
      const a = cold('---(A|)');
      const b = cold('-----B|');
      const tasks: Record<string, Observable<string>> = { a, b };
      expectObservable(source.pipe(boundedMap((v) => tasks[v]!, 1)), '^--!').toBe('---');
      expectSubscriptions(a.subscriptions).toBe('^--!');
      expectSubscriptions(b.subscriptions).toBe([]);
    });
  });

  it('unsubscribing in the same frame as a task completes, after it: its value is out, the task it let in is cancelled', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('(ab)-|');
      const a = cold('---(A|)');
      const b = cold('-----B|');
      const tasks: Record<string, Observable<string>> = { a, b };
      // Subscribed at frame 1, the notifier fires at frame 3 after a's completion (scheduled at 0).
      const notifier = timer(1).pipe(switchMap(() => cold('--x')));
      expectObservable(
        source.pipe(
          boundedMap((v) => tasks[v]!, 1),
          takeUntil(notifier),
        ),
      ).toBe('---(A|)');
      expectSubscriptions(a.subscriptions).toBe('^--!');
      expectSubscriptions(b.subscriptions).toBe('---(^!)');
    });
  });

  it('completes when the source and every task are done; an empty source completes at once', () => {
    testScheduler().run(({ cold, hot, expectObservable }) => {
      expectObservable(hot('---|').pipe(boundedMap(() => of(1), 2))).toBe('---|');
      const a = cold('-----(A|)');
      expectObservable(hot('-a-|').pipe(boundedMap(() => a, 2))).toBe('------(A|)');
    });
  });

  it('limit Infinity starts every task at once', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const tasks: Record<string, Observable<string>> = { a: cold('---A|'), b: cold('-B|'), c: cold('--C|') };
      expectObservable(cold('(abc|)').pipe(boundedMap((v) => tasks[v]!, Infinity))).toBe('---A(BC|)');
      expectObservable(cold('(abc|)').pipe(boundedMap((v) => tasks[v]!, Infinity, { ordered: false }))).toBe('-BCA|');
    });
  });

  it('limiter: two maps sharing one CapacityLimiter never run more than its tokens together, in FIFO order', () => {
    testScheduler().run(({ cold, flush }) => {
      const limiter = new CapacityLimiter(2);
      let active = 0;
      let max = 0;
      const log: string[] = [];
      const task = (name: string): Observable<string> =>
        defer(() => {
          max = Math.max(max, ++active);
          log.push(`start ${name}`);
          return cold('--(x|)').pipe(map(() => name));
        }).pipe(finalize(() => active--));
      const one = cold('(abc|)').pipe(boundedMap(task, 2, { limiter }));
      const two = cold('(def|)').pipe(boundedMap(task, 2, { limiter, ordered: false }));
      const results: string[] = [];
      one.subscribe((v) => results.push(v));
      two.subscribe((v) => results.push(v));
      flush();
      expect(max).toBe(2);
      expect(active).toBe(0);
      expect(results.sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
      // a, b hold both tokens; d and e wait in the limiter (they fill map two's slots), then c
      // (started when a ended) queues behind them, then f.
      expect(log).toEqual(['start a', 'start b', 'start d', 'start e', 'start c', 'start f']);
      expect(limiter.borrowedTokens).toBe(0);
    });
  });

  it('limiter: project is called only once the permit is granted', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const limiter = new CapacityLimiter(1);
      const calls: [string, number][] = [];
      cold('(ab|)')
        .pipe(
          boundedMap(
            (v) => {
              calls.push([v, scheduler.now()]);
              return cold('---(x|)');
            },
            2,
            { limiter },
          ),
        )
        .subscribe();
      flush();
      expect(calls).toEqual([
        ['a', 0],
        ['b', 3],
      ]);
    });
  });

  it('signal: aborts (isCancelled) for each running task on fail-fast and for the failed task, never for a task that completed', () => {
    testScheduler().run(({ cold, hot, expectObservable, flush }) => {
      const signals: Record<string, AbortSignal> = {};
      const tasks: Record<string, Observable<string>> = { a: cold('-A|'), b: cold('--------B|'), c: cold('----#', undefined, 'c failed') };
      const output = hot('a-b-c|').pipe(
        boundedMap((v: string, _i: number, signal: AbortSignal) => {
          signals[v] = signal;
          return tasks[v]!;
        }, 3),
      );
      expectObservable(output).toBe('-A------#', undefined, 'c failed');
      flush();
      expect(signals.a!.aborted).toBe(false);
      expect(signals.b!.aborted).toBe(true);
      expect(isCancelled(signals.b!.reason)).toBe(true);
      expect(signals.c!.aborted).toBe(true);
    });
  });

  it('deadline: a task started later still runs under the deadline in force at subscription', () => {
    testScheduler().run(({ cold, flush }) => {
      const seen: number[] = [];
      const output = cold('(abc|)').pipe(
        boundedMap(() => {
          seen.push(getDeadline());
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-arguments -- inferred from the context, T would be undefined, not the default
          return cold<string>('--(x|)');
        }, 1),
      );
      new Observable<string>((subscriber) => withDeadline(500, () => output.subscribe(subscriber))).subscribe();
      flush();
      expect(seen).toEqual([500, 500, 500]);
      expect(getDeadline()).toBe(Infinity);
    });
  });

  it('tasks with no value emit nothing, and the window moves past them (limit 1 and 3, ordered)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('--|');
      const b = cold('-x|');
      const tasks: Record<string, Observable<string>> = { a, b, c: EMPTY };
      // limit 1: a runs 0-2 with no value; b starts at 2 (x at 3, done at 4); c ends at once at 4.
      expectObservable(cold('(abc|)').pipe(boundedMap((v) => tasks[v]!, 1))).toBe('---x|');
      // limit 3: all start at 0, c ends at once; x (at 1) waits behind a, which ends at 2 with no value.
      expectObservable(cold('(abc|)').pipe(boundedMap((v) => tasks[v]!, 3))).toBe('--(x|)');
      expectSubscriptions(a.subscriptions).toBe(['^-!', '^-!']);
      expectSubscriptions(b.subscriptions).toBe(['^-!', '--^-!']);
    });
  });

  describe('window: head-of-line blocking, and the window that lifts it', () => {
    // p-map's "concurrency: 2" test: items of 300, 200 and 100 ms, two at a time, results in order.
    const pMapCase = (options: { window?: number }): void => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const a = cold('300ms (A|)');
        const b = cold('200ms (B|)');
        const c = cold('100ms (C|)');
        const tasks: Record<string, Observable<string>> = { a, b, c };
        const output = cold('(abc|)').pipe(boundedMap((v) => tasks[v]!, 2, options));
        if (options.window === undefined) {
          // b is done at 200 but waits for A in the window of 2: c starts only at 300.
          expectObservable(output).toBe('300ms (AB) 96ms (C|)');
          expectSubscriptions(c.subscriptions).toBe('300ms ^ 99ms !');
        } else {
          // b's result waits in the window of 3 without holding one of the 2 slots: c starts at 200.
          expectObservable(output).toBe('300ms (ABC|)');
          expectSubscriptions(c.subscriptions).toBe('200ms ^ 99ms !');
        }
        expectSubscriptions(a.subscriptions).toBe('^ 299ms !');
        expectSubscriptions(b.subscriptions).toBe('^ 199ms !');
      });
    };

    it("p-map's concurrency: 2 case, default window (= limit): item 30 starts at 300 ms, the whole takes 400 ms", () => pMapCase({}));
    it("p-map's concurrency: 2 case, window: 3: item 30 starts at 200 ms, as soon as a slot frees; the whole takes 300 ms", () =>
      pMapCase({ window: 3 }));

    /**
     * One slow head (20 frames) and 30 tasks of 2 frames, limit 3: the number of tasks running in
     * each frame, the frame each result came out, and the most tasks ever started but not emitted.
     */
    const slowHead = (window: number | undefined): { running: number[]; emittedAt: number[]; maxWindow: number } => {
      const durations = [20, ...Array<number>(30).fill(2)];
      const scheduler = testScheduler();
      const spans: [start: number, end: number][] = [];
      const emittedAt: number[] = [];
      let maxWindow = 0;
      scheduler.run(({ flush }) => {
        of(...durations.keys())
          .pipe(
            boundedMap(
              (i) =>
                defer(() => {
                  spans.push([scheduler.now(), Infinity]);
                  maxWindow = Math.max(maxWindow, spans.length - emittedAt.length);
                  return timer(durations[i]!).pipe(
                    map(() => i),
                    finalize(() => (spans[i]![1] = scheduler.now())),
                  );
                }),
              3,
              window === undefined ? {} : { window },
            ),
          )
          .subscribe((i) => (emittedAt[i] = scheduler.now()));
        flush();
      });
      const end = Math.max(...spans.map(([, e]) => e));
      const running = Array.from({ length: end }, (_, t) => spans.filter(([s, e]) => s <= t && t < e).length);
      return { running, emittedAt, maxWindow };
    };
    /** Tasks running on average (time-weighted) while the slow head runs. */
    const meanWhileHeadRuns = (running: number[]): number => running.slice(0, 20).reduce((a, b) => a + b, 0) / 20;
    const fill = (n: number, value: number): number[] => Array<number>(n).fill(value);

    it('default window (= limit 3): with one slow head, the other two slots run one task each, then stay idle until it ends', () => {
      const { running, emittedAt, maxWindow } = slowHead(undefined);
      // 0-2: three tasks; 2-20: the head alone; then three at a time: 30 short tasks in 20 frames.
      expect(running).toEqual([...fill(2, 3), ...fill(18, 1), ...fill(18, 3), 1, 1]);
      expect(meanWhileHeadRuns(running)).toBe(1.2);
      expect(emittedAt).toEqual([20, 20, 20, ...[22, 24, 26, 28, 30, 32, 34, 36, 38].flatMap((t) => [t, t, t]), 40]);
      expect(maxWindow).toBe(3);
    });

    it('window: 21: the slow head never lowers the concurrency; 20 results wait behind it and come out in order when it ends', () => {
      const { running, emittedAt, maxWindow } = slowHead(21);
      expect(running).toEqual([...fill(20, 3), ...fill(6, 3), 1, 1]);
      expect(meanWhileHeadRuns(running)).toBe(3);
      expect(emittedAt).toEqual([...fill(21, 20), 22, 22, 22, 24, 24, 24, 26, 26, 26, 28]);
      expect(maxWindow).toBe(21);
    });

    it('window: 6: the concurrency stays at limit until 5 tasks have started behind the head, then drops; never more than 6 started but not emitted', () => {
      const { running, emittedAt, maxWindow } = slowHead(6);
      expect(running.slice(0, 20)).toEqual([3, 3, 3, 3, 2, 2, ...fill(14, 1)]);
      expect(meanWhileHeadRuns(running)).toBe(1.5);
      expect(maxWindow).toBe(6);
      expect(emittedAt.slice(0, 6)).toEqual(fill(6, 20));
      expect([...emittedAt].sort((a, b) => a - b)).toEqual(emittedAt);
    });
  });

  describe('returnErrors', () => {
    it('ordered: a failed task gives its error as a value in its place; nothing is cancelled', () => {
      testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const failure = new Error('b failed');
        const source = hot('(abc)--d|');
        const a = cold('---A|');
        const b = cold('-#', undefined, failure);
        const c = cold('--C|');
        const d = cold('-D|');
        const tasks: Record<string, Observable<string>> = { a, b, c, d };
        // b fails at 1 and c is done at 3, both held behind a; a is done at 4 and lets them out in
        // input order, the error in b's place.
        expectObservable(source.pipe(boundedMap((v) => tasks[v]!, 3, { returnErrors: true }))).toBe('---A(EC)D|', {
          A: 'A',
          C: 'C',
          D: 'D',
          E: failure,
        });
        expectSubscriptions(a.subscriptions).toBe('^---!');
        expectSubscriptions(b.subscriptions).toBe('^!');
        expectSubscriptions(c.subscriptions).toBe('^--!');
        expectSubscriptions(d.subscriptions).toBe('-------^-!');
        expectSubscriptions(source.subscriptions).toBe('^-------!');
      });
    });

    it('ordered: false: the error comes out when the task fails, and its slot goes to the next task', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const failure = new Error('b failed');
        const a = cold('---A|');
        const b = cold('-#', undefined, failure);
        const c = cold('-C|');
        const tasks: Record<string, Observable<string>> = { a, b, c };
        expectObservable(cold('(abc|)').pipe(boundedMap((v) => tasks[v]!, 2, { ordered: false, returnErrors: true }))).toBe('-ECA|', {
          A: 'A',
          C: 'C',
          E: failure,
        });
        expectSubscriptions(c.subscriptions).toBe('-^-!');
      });
    });

    it('a task that emitted values and then failed gives those values, then its error (ordered: all of it in its place)', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const failure = new Error('a failed');
        const tasks: Record<string, Observable<string>> = { a: cold('x---y---#', undefined, failure), b: cold('p|') };
        const values = { x: 'x', y: 'y', p: 'p', E: failure };
        expectObservable(cold('(ab|)').pipe(boundedMap((v) => tasks[v]!, 2, { returnErrors: true }))).toBe('x---y---(Ep|)', values);
        expectObservable(cold('(ab|)').pipe(boundedMap((v) => tasks[v]!, 2, { ordered: false, returnErrors: true }))).toBe(
          '(xp)y---(E|)',
          values,
        );
      });
    });

    it('a project that throws is still the output error and cancels the running tasks, whether project runs at once, given a signal, or behind a limiter', () => {
      testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const failure = new Error('bad b');
        const source = hot('-a-b--|');
        const a = cold('----------A|');
        const make = (v: string): Observable<string> => {
          if (v === 'b') throw failure;
          return a;
        };
        const limiter = new CapacityLimiter(5);
        expectObservable(source.pipe(boundedMap(make, 2, { returnErrors: true }))).toBe('---#', undefined, failure);
        expectObservable(source.pipe(boundedMap((v: string, _i: number, _signal: AbortSignal) => make(v), 2, { returnErrors: true }))).toBe(
          '---#',
          undefined,
          failure,
        );
        expectObservable(source.pipe(boundedMap(make, 2, { returnErrors: true, limiter }))).toBe('---#', undefined, failure);
        expectSubscriptions(a.subscriptions).toBe(['-^-!', '-^-!', '-^-!']);
      });
    });

    it('a project that returns something that is not an ObservableInput is still the output error, given a signal or behind a limiter', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const limiter = new CapacityLimiter(5);
        const bad = (): Observable<string> => 42 as unknown as Observable<string>;
        for (const output of [
          cold('-a|').pipe(boundedMap((_v: string, _i: number, _signal: AbortSignal) => bad(), 2, { returnErrors: true })),
          cold('-a|').pipe(boundedMap(() => bad(), 2, { returnErrors: true })),
          cold('-a|').pipe(boundedMap((_v: string) => bad(), 2, { returnErrors: true, limiter })),
          // A string from a project given a signal is refused, as a task factory's would be.
          cold('-a|').pipe(boundedMap((_v: string, _i: number, _signal: AbortSignal) => 'abc' as string, 2, { returnErrors: true })),
        ]) {
          expectObservable(output).toBe('-#', undefined, expect.any(TypeError));
        }
      });
    });

    it('an error of the source is still the output error and cancels the running tasks', () => {
      testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const source = hot('-a--#', undefined, 'source failed');
        const a = cold('----------A|');
        expectObservable(source.pipe(boundedMap(() => a, 2, { returnErrors: true }))).toBe('----#', undefined, 'source failed');
        expectSubscriptions(a.subscriptions).toBe('-^--!');
      });
    });

    it('the signal of a failed task aborts; those of the others do not', () => {
      testScheduler().run(({ cold, expectObservable, flush }) => {
        const signals: AbortSignal[] = [];
        const tasks: Record<string, Observable<string>> = { a: cold('---A|'), b: cold('-#', undefined, 'b failed') };
        const output = cold('(ab|)').pipe(
          boundedMap(
            (v: string, _i: number, signal: AbortSignal) => {
              signals.push(signal);
              return tasks[v]!;
            },
            2,
            { returnErrors: true },
          ),
        );
        expectObservable(output).toBe('---A(E|)', { A: 'A', E: 'b failed' });
        flush();
        expect(signals.map((s) => s.aborted)).toEqual([false, true]);
      });
    });
  });
});
