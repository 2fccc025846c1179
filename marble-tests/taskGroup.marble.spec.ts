import { testScheduler } from '../spec/setup/test-scheduler';
import { EmptyError, Observable, catchError, defer, map, of, timer, type ObservableInput } from 'rxjs';
import {
  Semaphore,
  TaskGroupError,
  effectiveDeadline,
  isCancelled,
  moveOnAfter,
  shield,
  taskGroup,
  type Task,
  type TaskGroup,
} from 'rxjs-concurrency';
import { reportsDelivered, takeEscapedErrors } from '../spec/setup/no-unhandled-errors';

const errA = new Error('A failed');
const errB = new Error('B failed');

/** Turns the group's error into a value a marble can show: `{ errors }` for a TaskGroupError. */
const asValue = catchError((error: unknown) => of(error instanceof TaskGroupError ? { errors: error.errors } : { other: error }));

/** A group whose body starts `children` and returns `host`; `handle` receives the TaskGroup. */
function groupOf<R>(children: Task<unknown>[], host?: ObservableInput<R>, handle?: (tg: TaskGroup) => void): Observable<R> {
  return taskGroup<R>((tg) => {
    handle?.(tg);
    for (const child of children) tg.startSoon(child);
    return host;
  });
}

describe('taskGroup', () => {
  it('mirrors the host; completes when the host and every child have completed; child values are ignored', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('-x-x---|');
      const b = cold('--y|');
      const host = cold('-h-h|');
      expectObservable(groupOf([a, b], host)).toBe('-h-h---|');
      expectSubscriptions(a.subscriptions).toBe('^------!');
      expectSubscriptions(b.subscriptions).toBe('^--!');
      expectSubscriptions(host.subscriptions).toBe('^---!');
      // A host that outlasts its children is waited for too.
      expectObservable(groupOf([cold('-|')], cold('---h|'))).toBe('---h|');
      // No host: the children alone.
      expectObservable(groupOf([cold('--|'), cold('----|')])).toBe('----|');
    });
  });

  it('a child error cancels every sibling and the host in the same frame; the group errors with TaskGroupError', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('---#', undefined, errA);
      const b = cold('-x------|');
      const c = cold('-----|');
      const host = cold('-h------h|');
      expectObservable(groupOf([a, b, c], host).pipe(asValue)).toBe('-h-(e|)', { h: 'h', e: { errors: [errA] } });
      expectSubscriptions(a.subscriptions).toBe('^--!');
      expectSubscriptions(b.subscriptions).toBe('^--!');
      expectSubscriptions(c.subscriptions).toBe('^--!');
      expectSubscriptions(host.subscriptions).toBe('^--!');
    });
  });

  it('a host error cancels every child in the same frame', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('------|');
      const host = cold('-h#', undefined, errA);
      expectObservable(groupOf([a], host).pipe(asValue)).toBe('-h(e|)', { h: 'h', e: { errors: [errA] } });
      expectSubscriptions(a.subscriptions).toBe('^-!');
    });
  });

  it('two failures in one frame are both in .errors: the first, and a sibling whose cancellation fails', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const cleanupFailure = new Error('closing the connection failed');
      const connection = new Observable<never>(() => () => {
        throw cleanupFailure;
      });
      const calm = new Observable<never>(() => () => undefined);
      expectObservable(groupOf([calm, cold('--#', undefined, errA), connection]).pipe(asValue)).toBe('--(e|)', {
        e: { errors: [errA, cleanupFailure] },
      });
    });
  });

  it('PITFALLS 15: two children due to fail in the same frame: the first cancels the second, whose error never happens', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('--#', undefined, errA);
      const b = cold('--#', undefined, errB);
      expectObservable(groupOf([a, b]).pipe(asValue)).toBe('--(e|)', { e: { errors: [errA] } });
      expectSubscriptions(b.subscriptions).toBe(['^-!', '^-!']);
      // Started the other way round, the other one is the failure: the order of start decides, not chance.
      expectObservable(groupOf([b, a]).pipe(asValue)).toBe('--(e|)', { e: { errors: [errB] } });
    });
  });

  // Each sibling reacts to cancellation differently, in a different frame, or fails later anyway.
  const siblings: [string, (signal: AbortSignal) => ObservableInput<unknown>][] = [
    [
      'errors with the abort reason synchronously, on abort',
      (signal) => new Observable((s) => signal.addEventListener('abort', () => s.error(signal.reason))),
    ],
    [
      'rejects a promise with the abort reason, a microtask later',
      (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    ],
    [
      'errors with a real error on abort',
      (signal) => new Observable((s) => signal.addEventListener('abort', () => s.error(new Error('aborted badly')))),
    ],
    [
      'ignores the abort and would fail two frames later',
      () =>
        timer(5).pipe(
          map(() => {
            throw errB;
          }),
        ),
    ],
    [
      'was cancelled by someone else in an earlier frame (an AbortError, not a failure)',
      () =>
        timer(1).pipe(
          map(() => {
            throw new DOMException('stop', 'AbortError');
          }),
        ),
    ],
  ];

  it.each(siblings)(
    'PITFALLS 15: .errors is the same whatever frame the sibling cancellations land in: a sibling that %s',
    (_name, sibling) => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(groupOf([sibling, cold('---#', undefined, errA), sibling]).pipe(asValue)).toBe('---(e|)', {
          e: { errors: [errA] },
        });
      });
    },
  );

  it('a child that ends with a cancellation echo (isCancelled) is not a failure: the group runs on', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const b = cold('-----|');
      expectObservable(
        groupOf(
          [cold('-#', undefined, new DOMException('stopped', 'AbortError')), b],
          cold('-h-#', undefined, new DOMException('host stopped', 'AbortError')),
        ),
      ).toBe('-h---|');
      expectSubscriptions(b.subscriptions).toBe('^----!');
    });
  });

  it('cancel() cancels every child and the host; the group completes without error', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a = cold('-x-----|');
      const b = cold('--------#', undefined, errA);
      const host = cold('--h-----|');
      let tg!: TaskGroup;
      const group = groupOf([a, b], host, (handle) => (tg = handle));
      expectObservable(group).toBe('--h|');
      cold('---c').subscribe(() => tg.cancel());
      expectSubscriptions(a.subscriptions).toBe('^--!');
      expectSubscriptions(b.subscriptions).toBe('^--!');
      expectSubscriptions(host.subscriptions).toBe('^--!');
    });
  });

  it('cancel() from inside a child, and twice, is fine', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const group = taskGroup((tg) => {
        tg.startSoon(cold('-----|'));
        tg.startSoon(
          () =>
            new Observable<never>(() =>
              cold('--c').subscribe(() => {
                tg.cancel();
                tg.cancel();
              }),
            ),
        );
      });
      expectObservable(group).toBe('--|');
    });
  });

  it('unsubscribing from the group tears down every child and the host', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      let teardowns = 0;
      const counted = (): Observable<never> =>
        new Observable<never>(() => () => {
          teardowns++;
        });
      const a = cold('-x-x-x-|');
      const host = cold('-h-h-h-|');
      let tg!: TaskGroup;
      expectObservable(
        groupOf([counted(), a, counted(), counted()], host, (handle) => (tg = handle)),
        '^--!',
      ).toBe('-h-');
      expectSubscriptions(a.subscriptions).toBe('^--!');
      expectSubscriptions(host.subscriptions).toBe('^--!');
      flush();
      expect(teardowns).toBe(3);
      expect(tg.size).toBe(0);
      expect(tg.signal.aborted).toBe(true);
      expect(isCancelled(tg.signal.reason)).toBe(true);
    });
  });

  describe('signal', () => {
    /** The group's signal as seen at frames 1 and 3, around `end` at frame 2. */
    const observed = (end: (tg: TaskGroup) => void, subscription: string, output: string): { aborted: boolean[]; reason: unknown } => {
      const aborted: boolean[] = [];
      let reason: unknown;
      testScheduler().run(({ cold, expectObservable }) => {
        let tg!: TaskGroup;
        const group = groupOf([cold('-----|')], undefined, (handle) => {
          tg = handle;
          handle.signal.addEventListener('abort', () => {
            reason = handle.signal.reason;
          });
        });
        expectObservable(group, subscription).toBe(output);
        cold('-a-b').subscribe(() => aborted.push(tg.signal.aborted));
        cold('--c').subscribe(() => end(tg));
      });
      return { aborted, reason };
    };

    it('aborts when the group is cancelled, with a cancellation reason', () => {
      const { aborted, reason } = observed((tg) => tg.cancel(), '^', '--|');
      expect(aborted).toEqual([false, true]);
      expect(isCancelled(reason)).toBe(true);
    });

    it('aborts when the group is unsubscribed', () => {
      const { aborted, reason } = observed(() => undefined, '^-!', '--');
      expect(aborted).toEqual([false, true]);
      expect(isCancelled(reason)).toBe(true);
    });

    it('aborts when the group fails, and not when it completes', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const signals: AbortSignal[] = [];
        expectObservable(groupOf([], cold('-#', undefined, errA), (tg) => signals.push(tg.signal)).pipe(asValue)).toBe('-(e|)', {
          e: { errors: [errA] },
        });
        expectObservable(groupOf([], cold('-|'), (tg) => signals.push(tg.signal))).toBe('-|');
        cold('--c').subscribe(() => expect(signals.map((s) => s.aborted)).toEqual([true, false]));
      });
    });
  });

  describe('start()', () => {
    it("emits the child's first value and completes while the child runs on in the group", () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const server = cold('--s--x--|');
        let started!: Observable<string>;
        const group = taskGroup<string>((tg) => {
          started = tg.start(server);
          return started;
        });
        expectObservable(group).toBe('--s-----|');
        expectSubscriptions(server.subscriptions).toBe('^-------!');
      });
    });

    it('the started value can feed the rest of the host, the child still owned by the group', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const server = cold('--s-------#', undefined, errA);
        const group = taskGroup<string>((tg) => {
          const started = tg.start(server);
          return new Observable<string>((s) =>
            started.subscribe({ next: (port) => s.next(`listening on ${port}`), complete: () => s.complete() }),
          );
        });
        expectObservable(group.pipe(asValue)).toBe('--l-------(e|)', { l: 'listening on s', e: { errors: [errA] } });
        expectSubscriptions(server.subscriptions).toBe('^---------!');
      });
    });

    it('errors when the child errors before its first value; the group does not fail', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const b = cold('-----|');
        const group = taskGroup<unknown>((tg) => {
          tg.startSoon(b);
          return tg.start(cold('--#', undefined, errA)).pipe(catchError((e: unknown) => of({ startFailed: e })));
        });
        expectObservable(group).toBe('--x--|', { x: { startFailed: errA } });
      });
    });

    it('errors with EmptyError when the child completes with no value; the group does not fail', () => {
      let error: unknown;
      testScheduler().run(({ cold, expectObservable }) => {
        const group = taskGroup((tg) => {
          tg.start(cold('--|')).subscribe({ error: (e: unknown) => (error = e) });
        });
        expectObservable(group).toBe('--|');
      });
      expect(error).toBeInstanceOf(EmptyError);
    });

    it("the README's Node service: a bind error that reaches the host fails the group and stops the other children", () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const metrics = cold('-m-m-m-m-m');
        const group = taskGroup<string>((tg) => {
          tg.startSoon(metrics);
          return tg.start(cold('--#', undefined, errA)).pipe(map((port) => `listening on ${String(port)}`));
        });
        expectObservable(group.pipe(asValue)).toBe('--(e|)', { e: { errors: [errA] } });
        expectSubscriptions(metrics.subscriptions).toBe('^-!');
      });
    });

    it('a child that fails after its first value fails the group', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const group = taskGroup((tg) => {
          tg.start(cold('-s-#', undefined, errA)).subscribe();
        });
        expectObservable(group.pipe(asValue)).toBe('---(e|)', { e: { errors: [errA] } });
      });
    });

    it('unsubscribing before the first value cancels the child (a start timeout)', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const slow = cold('-----s--|');
        const group = taskGroup((tg) => tg.start(slow).pipe(moveOnAfter(2)));
        expectObservable(group).toBe('--|');
        expectSubscriptions(slow.subscriptions).toBe('^-!');
      });
    });

    it('a start() waited on from outside errors with a cancellation when the group ends first', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const slow = cold('-----s--|');
        let tg!: TaskGroup;
        const errors: unknown[] = [];
        const group = groupOf([cold('--#', undefined, errA)], undefined, (handle) => {
          tg = handle;
          handle.start(slow).subscribe({ error: (e: unknown) => errors.push(e) });
        });
        expectObservable(group.pipe(asValue)).toBe('--(e|)', { e: { errors: [errA] } });
        expectSubscriptions(slow.subscriptions).toBe('^-!');
        cold('---c').subscribe(() => {
          expect(errors).toHaveLength(1);
          expect(isCancelled(errors[0])).toBe(true);
          expect(() => tg.startSoon(of(1))).toThrow('taskGroup: the group has ended');
        });
      });
    });
  });

  it('size counts the children still running, start() children included from their subscription', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const sizes: number[] = [];
      let tg!: TaskGroup;
      const group = groupOf([cold('--|'), cold('----|')], cold('-----|'), (handle) => (tg = handle));
      expectObservable(group).toBe('------|');
      cold('c').subscribe(() => {
        sizes.push(tg.size);
        tg.start(cold('-s----|')).subscribe();
        sizes.push(tg.size);
      });
      cold('---c-c').subscribe(() => sizes.push(tg.size));
      cold('-------c').subscribe(() => expect(sizes).toEqual([2, 3, 2, 1]));
    });
  });

  it('children started later run under the deadline the group was subscribed with', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const seen: number[] = [];
      const probe = defer(() => {
        seen.push(effectiveDeadline());
        return of(1);
      });
      const group = taskGroup((tg) => {
        cold('--c').subscribe(() => tg.startSoon(probe));
        return new Observable<never>(() => undefined);
      });
      expectObservable(group.pipe(moveOnAfter(10))).toBe('----------|');
      cold('---c').subscribe(() => expect(seen).toEqual([10]));
    });
  });

  it('a failing group cancels a child waiting for a permit: its work never starts, the permit is free', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const sem = new Semaphore(1);
      let started = false;
      const waiting = sem.run(() => {
        started = true;
        return of(1);
      });
      // The holder's release and the waiter's cancellation land in the same frame.
      expectObservable(groupOf([sem.run(cold('-----|')), waiting, cold('--#', undefined, errA)]).pipe(asValue)).toBe('--(e|)', {
        e: { errors: [errA] },
      });
      cold('---c').subscribe(() => {
        expect(started).toBe(false);
        expect(sem.value).toBe(1);
        expect(sem.waiting).toBe(0);
      });
    });
  });
});

// A shielded child goes on when its group is cancelled: the group must not end before it, or the
// child would run on owned by nobody, its failure reported to no one.
describe('taskGroup with a shielded child', () => {
  it('cancel(): the group completes when its shielded child completes, not at cancel(); the other children stop at cancel()', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const save = cold('---x--|');
      const other = cold('--------|');
      const host = cold('-h------|');
      let tg!: TaskGroup;
      expectObservable(groupOf([save.pipe(shield()), other], host, (handle) => (tg = handle))).toBe('-h----|');
      cold('--c').subscribe(() => tg.cancel());
      expectSubscriptions(save.subscriptions).toBe('^-----!');
      expectSubscriptions(other.subscriptions).toBe('^-!');
      expectSubscriptions(host.subscriptions).toBe('^-!');
    });
  });

  it('cancel(): a shielded child that errors afterwards fails the group with a TaskGroupError holding that error', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const save = cold('-----#', undefined, errA);
      let tg!: TaskGroup;
      expectObservable(groupOf([save.pipe(shield()), cold('--------|')], undefined, (handle) => (tg = handle)).pipe(asValue)).toBe(
        '-----(e|)',
        { e: { errors: [errA] } },
      );
      cold('--c').subscribe(() => tg.cancel());
      expectSubscriptions(save.subscriptions).toBe('^----!');
    });
  });

  it('a failing sibling: the group errors once its shielded child has finished, with every failure', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const save = cold('------|');
      const failingSave = cold('-----#', undefined, errB);
      expectObservable(groupOf([save.pipe(shield()), cold('--#', undefined, errA)]).pipe(asValue)).toBe('------(e|)', {
        e: { errors: [errA] },
      });
      expectObservable(groupOf([failingSave.pipe(shield()), cold('--#', undefined, errA)]).pipe(asValue)).toBe('-----(e|)', {
        e: { errors: [errA, errB] },
      });
      expectSubscriptions(save.subscriptions).toBe('^-----!');
      expectSubscriptions(failingSave.subscriptions).toBe('^----!');
    });
  });

  it('unsubscribed: nobody is left to tell; the shielded child runs to its end and its error goes to config.onUnhandledError', async () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const save = cold('-----#', undefined, errA);
      const other = cold('--------|');
      expectObservable(groupOf([save.pipe(shield()), other]), '^-!').toBe('');
      expectSubscriptions(save.subscriptions).toBe('^----!');
      expectSubscriptions(other.subscriptions).toBe('^-!');
    });
    await reportsDelivered();
    expect(takeEscapedErrors()).toEqual([errA]);
  });
});
