import { NEVER, Observable, Subject, UnsubscriptionError, config, of, take, throwError } from 'rxjs';
import { TaskGroupError, isCancelled, taskGroup, type TaskGroup } from 'rxjs-concurrency';
import { thrown } from './setup/thrown';
import { reportsDelivered } from './setup/no-unhandled-errors';
import { record } from './setup/record';
import { scale } from './setup/scale';

describe('taskGroup: bad arguments', () => {
  it('taskGroup(non-function) throws TypeError at call time', () => {
    const error = thrown(() => taskGroup(123 as never));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('taskGroup: body must be a function, received 123');
  });

  it('startSoon(123) and start(123) throw TypeError at call time; the group runs on', () => {
    let startSoon: unknown;
    let start: unknown;
    const { events } = record(
      taskGroup((tg) => {
        startSoon = thrown(() => tg.startSoon(123 as never));
        start = thrown(() => tg.start(123 as never));
        expect(tg.size).toBe(0);
      }),
    );
    expect(startSoon).toBeInstanceOf(TypeError);
    expect(start).toBeInstanceOf(TypeError);
    expect(events).toEqual([['complete']]);
  });
});

describe('taskGroup: lifecycle', () => {
  it('a body that starts nothing and returns nothing completes synchronously', () => {
    expect(record(taskGroup(() => undefined)).events).toEqual([['complete']]);
  });

  it('startSoon after the group ended throws a clear Error; start() subscribed after it errors with it', () => {
    const groups: TaskGroup[] = [];
    record(taskGroup((tg) => void groups.push(tg)));
    record(
      taskGroup((tg) => {
        groups.push(tg);
        tg.cancel();
      }),
    );
    record(
      taskGroup((tg) => {
        groups.push(tg);
        tg.startSoon(throwError(() => new Error('x')));
      }),
    );
    const unsubscribed = record(
      taskGroup((tg) => {
        groups.push(tg);
        return NEVER;
      }),
    );
    unsubscribed.subscription.unsubscribe();
    for (const tg of groups) {
      const error = thrown(() => tg.startSoon(of(1)));
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe('taskGroup: the group has ended; a task can only be started while it runs');
      expect(isCancelled(error)).toBe(false);
      const late = record(tg.start(of(1)));
      expect(late.events).toEqual([['error', error]]);
    }
  });

  it('a body that throws is a failure: the children it started are cancelled', () => {
    const boom = new Error('boom');
    let signal: AbortSignal | undefined;
    const { events } = record(
      taskGroup((tg) => {
        tg.startSoon((s) => {
          signal = s;
          return NEVER;
        });
        throw boom;
      }),
    );
    expect(signal?.aborted).toBe(true);
    expect(events).toHaveLength(1);
    const [[kind, error]] = events as [[string, TaskGroupError]];
    expect(kind).toBe('error');
    expect(error).toBeInstanceOf(TaskGroupError);
    expect(error).toBeInstanceOf(AggregateError);
    expect(error.errors).toEqual([boom]);
  });

  it('a body that returns something that is not an ObservableInput fails the group with a TypeError', () => {
    const { events } = record(taskGroup(() => 42 as never));
    const error = (events[0] as [string, TaskGroupError])[1];
    expect(error.errors).toHaveLength(1);
    expect(error.errors[0]).toBeInstanceOf(TypeError);
  });

  it('a child that fails synchronously in the body ends the group at once; the body is refused further starts', () => {
    const first = new Error('first');
    let refused: unknown;
    const started: string[] = [];
    const { events } = record(
      taskGroup((tg) => {
        tg.startSoon(throwError(() => first));
        refused = thrown(() =>
          tg.startSoon(() => {
            started.push('second');
            return of(1);
          }),
        );
        throw refused; // what a body that does not catch would do: the group already ended
      }),
    );
    expect(started).toEqual([]);
    expect((refused as Error).message).toMatch(/has ended/);
    expect(events).toEqual([['error', expect.any(TaskGroupError)]]);
    expect(((events[0] as unknown[])[1] as TaskGroupError).errors).toEqual([first]);
  });

  it("a subscriber that leaves during the host's synchronous emission (take(1)) cancels every child at once", () => {
    let signal: AbortSignal | undefined;
    let hostAfterwards = 0;
    const { events } = record(
      taskGroup((tg) => {
        tg.startSoon((s) => {
          signal = s;
          return NEVER;
        });
        return new Observable<number>((s) => {
          s.next(1);
          expect(signal?.aborted).toBe(true);
          hostAfterwards++;
          s.next(2);
        });
      }).pipe(take(1)),
    );
    expect(events).toEqual([['next', 1], ['complete']]);
    expect(hostAfterwards).toBe(1);
  });

  it('cancel() in the body: the host is never subscribed, the group completes', () => {
    let subscribed = false;
    const host = new Observable<number>(() => {
      subscribed = true;
    });
    expect(
      record(
        taskGroup((tg) => {
          tg.cancel();
          return host;
        }),
      ).events,
    ).toEqual([['complete']]);
    expect(subscribed).toBe(false);
  });

  it("a child error nested in a child group is reported as that group's TaskGroupError", () => {
    const inner = new Error('inner');
    const { events } = record(taskGroup((tg) => tg.startSoon(taskGroup((child) => child.startSoon(throwError(() => inner))))));
    const outer = (events[0] as [string, TaskGroupError])[1];
    expect(outer.errors).toHaveLength(1);
    expect(outer.errors[0]).toBeInstanceOf(TaskGroupError);
    expect((outer.errors[0] as TaskGroupError).errors).toEqual([inner]);
  });

  it('cancel() with a child whose teardown throws: the group errors with that failure', () => {
    const cleanup = new Error('cleanup');
    let tg!: TaskGroup;
    let otherTornDown = false;
    const { events } = record(
      taskGroup((handle) => {
        tg = handle;
        handle.startSoon(
          new Observable(() => () => {
            throw cleanup;
          }),
        );
        handle.startSoon(
          new Observable(() => () => {
            otherTornDown = true;
          }),
        );
      }),
    );
    tg.cancel();
    expect(otherTornDown).toBe(true);
    expect(((events[0] as unknown[])[1] as TaskGroupError).errors).toEqual([cleanup]);
  });

  it('unsubscribing with a child whose teardown throws: every child is still torn down and the caller gets UnsubscriptionError', () => {
    const cleanup = new Error('cleanup');
    let otherTornDown = false;
    const { subscription } = record(
      taskGroup((tg) => {
        tg.startSoon(
          new Observable(() => () => {
            throw cleanup;
          }),
        );
        tg.startSoon(
          new Observable(() => () => {
            otherTornDown = true;
          }),
        );
      }),
    );
    const error = thrown(() => subscription.unsubscribe());
    expect(error).toBeInstanceOf(UnsubscriptionError);
    expect((error as UnsubscriptionError).errors).toEqual([cleanup]);
    expect(otherTornDown).toBe(true);
  });
});

describe('taskGroup: cancellation reaches the work', () => {
  it("a factory task's fetch-style Promise sees signal.aborted after cancel(), with no unhandled rejection", async () => {
    let signal: AbortSignal | undefined;
    let rejected: unknown;
    const fetchLike = (s: AbortSignal): Promise<string> =>
      new Promise<string>((_, reject) => s.addEventListener('abort', () => reject(s.reason))).catch((e: unknown) => {
        rejected = e;
        throw e;
      });
    // Handlers of this test's own, beside the guard in spec/setup: neither may ever be called.
    const unhandled: unknown[] = [];
    const onRejection = (reason: unknown): void => void unhandled.push(reason);
    const guard = config.onUnhandledError;
    process.on('unhandledRejection', onRejection);
    config.onUnhandledError = (error) => {
      unhandled.push(error);
      guard?.(error);
    };
    try {
      let tg!: TaskGroup;
      const { events } = record(
        taskGroup((handle) => {
          tg = handle;
          handle.startSoon((s) => {
            signal = s;
            return fetchLike(s);
          });
        }),
      );
      expect(signal?.aborted).toBe(false);
      tg.cancel();
      expect(signal?.aborted).toBe(true);
      expect(isCancelled(signal?.reason)).toBe(true);
      expect(events).toEqual([['complete']]);
      await reportsDelivered();
      expect(isCancelled(rejected)).toBe(true);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      config.onUnhandledError = guard;
    }
  });

  it('the same when the group is unsubscribed, and when a sibling fails', async () => {
    const signals: AbortSignal[] = [];
    const fetchLike = (s: AbortSignal): Promise<never> => {
      signals.push(s);
      return new Promise<never>((_, reject) => s.addEventListener('abort', () => reject(s.reason)));
    };
    const failing = new Subject<never>();
    record(
      taskGroup((tg) => {
        tg.startSoon(fetchLike);
        tg.startSoon(failing);
      }),
    );
    record(taskGroup((tg) => tg.startSoon(fetchLike))).subscription.unsubscribe();
    failing.error(new Error('sibling'));
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    await reportsDelivered();
  });
});

describe('taskGroup: scale', () => {
  it('100 000 children: started, counted, and cancelled at once at constant stack depth', () => {
    let tornDown = 0;
    const child = new Observable<never>(() => () => {
      tornDown++;
    });
    const n = scale(100_000);
    let tg!: TaskGroup;
    const { events } = record(
      taskGroup((handle) => {
        tg = handle;
        for (let i = 0; i < n; i++) handle.startSoon(child);
      }),
    );
    expect(tg.size).toBe(n);
    tg.cancel();
    expect(tornDown).toBe(n);
    expect(tg.size).toBe(0);
    expect(events).toEqual([['complete']]);
  });

  it('100 000 synchronous children complete and the group completes', () => {
    const n = scale(100_000);
    const { events } = record(
      taskGroup((tg) => {
        for (let i = 0; i < n; i++) tg.startSoon(of(i));
        return of('host');
      }),
    );
    expect(events).toEqual([['next', 'host'], ['complete']]);
  });

  it('100 000 children completing out of order (every other one first) all leave the group', () => {
    const n = scale(100_000);
    const subjects = Array.from({ length: n }, () => new Subject<never>());
    let tg!: TaskGroup;
    const { events } = record(
      taskGroup((handle) => {
        tg = handle;
        for (const s of subjects) handle.startSoon(s);
      }),
    );
    for (let i = 1; i < subjects.length; i += 2) subjects[i]!.complete();
    expect(tg.size).toBe(n / 2);
    expect(events).toEqual([]);
    for (let i = 0; i < subjects.length; i += 2) subjects[i]!.complete();
    expect(tg.size).toBe(0);
    expect(events).toEqual([['complete']]);
  });
});

describe('TaskGroupError.message names the first failure (issue 13.8)', () => {
  it('one failure: "1 task failed: " and its message', () => {
    const { error } = record(taskGroup((tg) => tg.startSoon(throwError(() => new Error('worker 2: cannot process job 13')))));
    expect((error as TaskGroupError).message).toBe('1 task failed: worker 2: cannot process job 13');
  });

  it('several failures: the count, then the first one; errors stays as built, in order', () => {
    const first = new Error('worker 2: cannot process job 13');
    const { error } = record(
      taskGroup((tg) => {
        // The two teardowns throw while the group cancels them after the third child fails.
        tg.startSoon(
          new Observable(() => () => {
            throw new Error('cleanup a');
          }),
        );
        tg.startSoon(
          new Observable(() => () => {
            // eslint-disable-next-line @typescript-eslint/only-throw-error -- a thrown non-Error is the case under test
            throw 'cleanup b';
          }),
        );
        tg.startSoon(throwError(() => first));
      }),
    );
    expect((error as TaskGroupError).message).toBe('3 tasks failed; the first: worker 2: cannot process job 13');
    expect((error as TaskGroupError).errors).toEqual([first, new Error('cleanup a'), 'cleanup b']);
  });

  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const throwingGetter = {
    get message(): string {
      throw new Error('getter');
    },
  };
  it.each<[string, unknown, string]>([
    ['an Error', new TypeError('x is not a function'), '1 task failed: x is not a function'],
    ['an Error with an empty message: its name', new RangeError(''), '1 task failed: RangeError'],
    ['a subclass with an empty message: its own name', new TaskGroupError([], ''), '1 task failed: TaskGroupError'],
    ['a string', 'quota exceeded', '1 task failed: quota exceeded'],
    ['a number', 503, '1 task failed: 503'],
    ['undefined', undefined, '1 task failed: undefined'],
    ['null', null, '1 task failed: null'],
    ['an error-like object', { message: 'Not Found', status: 404 }, '1 task failed: Not Found'],
    ['a plain object: as JSON', { status: 503, retryAfter: 30 }, '1 task failed: {"status":503,"retryAfter":30}'],
    ['a circular object', circular, '1 task failed: a value that cannot be shown as text'],
    ['an object whose message getter throws', throwingGetter, '1 task failed: a value that cannot be shown as text'],
  ])('%s', (_name, failure, message) => {
    expect(new TaskGroupError([failure]).message).toBe(message);
    const { error } = record(taskGroup(() => throwError(() => failure)));
    expect((error as TaskGroupError).message).toBe(message);
    expect((error as TaskGroupError).errors).toEqual([failure]);
  });

  it('an explicit message is kept; no failure at all reads "0 tasks failed"', () => {
    expect(new TaskGroupError([new Error('a')], 'custom').message).toBe('custom');
    expect(new TaskGroupError([]).message).toBe('0 tasks failed');
  });
});
