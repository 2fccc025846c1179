/**
 * Issue 18: one table of cancellation cases, run against every operator that runs a set of tasks and
 * cancels the rest when the set ends early: gather, race, asCompleted, boundedMap and taskGroup.
 * Each adapter only says "run the tasks this source emits as one set"; the cases are written once.
 *
 * Two guards are what the cases probe: every teardown runs even if one throws, and the whole
 * cancellation happens inside one trampoline batch, so a permit a cancelled task gives back is not
 * handed on to a task of the same set that is itself being cancelled (its work would start during
 * the set's own cancellation).
 */
import {
  NEVER,
  Observable,
  Subject,
  UnsubscriptionError,
  defer,
  from,
  ignoreElements,
  mergeMap,
  of,
  take,
  takeUntil,
  tap,
  type ObservableInput,
  type Subscription,
} from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  Lock,
  Semaphore,
  TaskGroupError,
  asCompleted,
  boundedMap,
  gather,
  isCancelled,
  race,
  taskGroup,
  type Gate,
  type GateState,
  type DeferredTask,
  type Task,
} from 'rxjs-concurrency';
import { counting } from './setup/counting';
import { reportsDelivered, takeEscapedErrors } from './setup/no-unhandled-errors';

/** Errors as values `toEqual` can compare: the two aggregates by their class and members. */
function shape(error: unknown): unknown {
  if (error instanceof TaskGroupError) return { TaskGroupError: error.errors };
  if (error instanceof UnsubscriptionError) return { UnsubscriptionError: error.errors };
  return error;
}

/** What `fn` threw, shaped; `undefined` when it returned. */
function thrownBy(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return shape(error);
  }
  return undefined;
}

/** One way of running tasks as a set. */
interface Adapter {
  readonly name: string;
  /** Tasks running at once at most; the others wait in the operator, not yet started. */
  readonly limit: number;
  /** The first task to settle ends the set (race): a completion cancels the others too. */
  readonly firstSettles: boolean;
  /** A task's result is emitted when it completes, so a downstream `take(1)` ends the set there. */
  readonly emitsEach: boolean;
  /** Runs the tasks `source` emits as one set; unsubscribing from the output cancels it. */
  run(source: Observable<Task<unknown>>): Observable<unknown>;
  /**
   * A task failed with `error` and cancelling the others threw `teardownErrors`: the output's error,
   * and what goes to RxJS's `config.onUnhandledError` (nothing: `[]`), as `shape` gives them.
   */
  failure(error: unknown, teardownErrors: unknown[]): { readonly output: unknown; readonly reported: unknown[] };
}

/** The `UnsubscriptionError` RxJS makes of failed teardowns, shaped; `undefined` when none failed. */
const unsubscriptionError = (teardownErrors: unknown[]): unknown =>
  teardownErrors.length === 0 ? undefined : { UnsubscriptionError: teardownErrors };

/** The same, as the list of what reached `config.onUnhandledError`. */
const reportedOf = (teardownErrors: unknown[]): unknown[] => (teardownErrors.length === 0 ? [] : [{ UnsubscriptionError: teardownErrors }]);

/**
 * The operators fail with the task's error itself. A teardown's failure has nobody left to take it:
 * whoever delivered the error is a source (often a timer or a socket callback) that could only drop
 * it or crash, so it goes where RxJS sends such errors, `config.onUnhandledError`, never lost.
 */
const failsWithTheError = (error: unknown, teardownErrors: unknown[]): { output: unknown; reported: unknown[] } => ({
  output: error,
  reported: reportedOf(teardownErrors),
});

const runTask = (task: Task<unknown>, _index: number, signal: AbortSignal): ObservableInput<unknown> =>
  typeof task === 'function' ? task(signal) : task;

/** Limited adapters run three at once: enough for the cases' tasks that matter, never for all of them. */
const LIMIT = 3;

const adapters: Adapter[] = [
  {
    name: 'gather',
    limit: Infinity,
    firstSettles: false,
    emitsEach: false,
    run: (source) => source.pipe(gather()),
    failure: failsWithTheError,
  },
  { name: 'race', limit: Infinity, firstSettles: true, emitsEach: true, run: (source) => source.pipe(race()), failure: failsWithTheError },
  {
    name: 'asCompleted',
    limit: Infinity,
    firstSettles: false,
    emitsEach: true,
    run: (source) => source.pipe(asCompleted()),
    failure: failsWithTheError,
  },
  {
    name: `asCompleted({ limit: ${LIMIT} })`,
    limit: LIMIT,
    firstSettles: false,
    emitsEach: true,
    run: (source) => (source as Observable<DeferredTask<unknown>>).pipe(asCompleted({ limit: LIMIT })),
    failure: failsWithTheError,
  },
  {
    name: 'boundedMap(Infinity)',
    limit: Infinity,
    firstSettles: false,
    emitsEach: true,
    run: (source) => source.pipe(boundedMap(runTask, Infinity)),
    failure: failsWithTheError,
  },
  {
    name: `boundedMap(${LIMIT})`,
    limit: LIMIT,
    firstSettles: false,
    emitsEach: true,
    run: (source) => source.pipe(boundedMap(runTask, LIMIT)),
    failure: failsWithTheError,
  },
  {
    name: 'taskGroup',
    limit: Infinity,
    firstSettles: false,
    emitsEach: false,
    // The host reads the source and starts each task as a child: the group's cancellation stops both.
    run: (source) =>
      taskGroup((tg) =>
        source.pipe(
          tap((task) => tg.startSoon(task)),
          ignoreElements(),
        ),
      ),
    // A group reports every failure in its own error, a teardown's included.
    failure: (error, teardownErrors) => ({ output: { TaskGroupError: [error, ...teardownErrors] }, reported: [] }),
  },
];

/** Subscribes to `output` and logs its notifications: `{ next }`, `{ error }` (shaped), `'complete'`. */
function recorded(output: Observable<unknown>): { readonly log: unknown[]; readonly subscription: Subscription } {
  const log: unknown[] = [];
  const subscription = output.subscribe({
    next: (value) => log.push({ next: value }),
    error: (error: unknown) => log.push({ error: shape(error) }),
    complete: () => log.push('complete'),
  });
  return { log, subscription };
}

/** Tasks that run until cancelled and record it, each a factory so its AbortSignal can be read. */
class Probes {
  readonly subscribed: string[] = [];
  readonly tornDown: string[] = [];
  private readonly signals: AbortSignal[] = [];

  /** A task named `name`; `teardown` is what its cancellation does besides being recorded. */
  task(name: string, teardown?: () => void): Task<never> {
    return (signal) =>
      new Observable<never>(() => {
        this.subscribed.push(name);
        this.signals.push(signal);
        return () => {
          this.tornDown.push(name);
          teardown?.();
        };
      });
  }

  /** Each subscribed task's signal: aborted with a cancellation reason, or not. */
  get cancelled(): boolean[] {
    return this.signals.map((signal) => signal.aborted && isCancelled(signal.reason));
  }
}

const failure = new Error('a task failed');
const boom = new Error('a teardown threw');

/** One way the set is ended early, with what comes out of it. */
interface Trigger {
  readonly name: string;
  /** The task whose end ends the set, placed among the others; none when the consumer unsubscribes. */
  readonly task: Observable<unknown> | undefined;
  /** Ends the set; returns what was thrown at whoever ended it, shaped. */
  fire(subscription: Subscription): unknown;
  /** The output's notifications, and what `fire` gets thrown, when cancelled tasks' teardowns threw `teardownErrors`. */
  expected(adapter: Adapter, teardownErrors: unknown[]): { readonly log: unknown[]; readonly thrown: unknown };
  /** What reaches `config.onUnhandledError` then, shaped. */
  reported(adapter: Adapter, teardownErrors: unknown[]): unknown[];
}

function unsubscribing(): Trigger {
  return {
    name: 'the consumer unsubscribes',
    task: undefined,
    fire: (subscription) => thrownBy(() => subscription.unsubscribe()),
    // RxJS reports the failed teardowns to the unsubscriber: the only one left to tell.
    expected: (_adapter, teardownErrors) => ({ log: [], thrown: unsubscriptionError(teardownErrors) }),
    reported: () => [],
  };
}

function failing(): Trigger {
  const task = new Subject<never>();
  return {
    name: 'a task fails (fail-fast)',
    task,
    fire: () => thrownBy(() => task.error(failure)),
    expected: (adapter, teardownErrors) => ({ log: [{ error: adapter.failure(failure, teardownErrors).output }], thrown: undefined }),
    reported: (adapter, teardownErrors) => adapter.failure(failure, teardownErrors).reported,
  };
}

function winning(): Trigger {
  const task = new Subject<string>();
  return {
    name: 'a winner completes',
    task,
    fire: () =>
      thrownBy(() => {
        task.next('won');
        task.complete();
      }),
    // The winner's result still goes out; as with a failure, a loser's failed teardown is reported as unhandled.
    expected: () => ({ log: [{ next: 'won' }, 'complete'], thrown: undefined }),
    reported: (_adapter, teardownErrors) => reportedOf(teardownErrors),
  };
}

const triggersFor = (adapter: Adapter): (() => Trigger)[] =>
  adapter.firstSettles ? [unsubscribing, failing, winning] : [unsubscribing, failing];

/** `gate`'s current state, read synchronously. */
function stateOf(gate: Gate): GateState | undefined {
  let state: GateState | undefined;
  gate.state$.subscribe((s) => (state = s)).unsubscribe();
  return state;
}

/** True when `gate.run` starts its work at once. */
function runsAtOnce(gate: Gate): boolean {
  let ran = false;
  gate.run(defer(() => of((ran = true)))).subscribe();
  return ran;
}

/**
 * Four tasks T1..T4 share a Semaphore(2); each is a factory whose work, once it holds a permit,
 * is the marble of its slot. The consumer unsubscribes at a given frame, before or after what
 * the tasks do in that frame.
 */
interface GateCase {
  readonly name: string;
  readonly work: readonly [string, string, string, string];
  /** An outsider holds both permits until frame 3, so every task waits. */
  readonly outsider: boolean;
  readonly unsubscribeAt: number;
  readonly unsubscribeFirst: boolean;
  /** Work starts, the output's end and the unsubscribe, in order: `what@frame`. */
  readonly log: readonly string[];
  /** The same for race, where the first task to settle ends the set. */
  readonly raceLog?: readonly string[];
  /** Tasks that completed before the cancellation: a queued task took their slot; their signal never aborts. */
  readonly completed: readonly string[];
  /** The set failed with `failure`. */
  readonly fails: boolean;
}

const gateCases: GateCase[] = [
  {
    name: 'while every task waits for the gate',
    work: ['--|', '--|', '--|', '--|'],
    outsider: true,
    unsubscribeAt: 1,
    unsubscribeFirst: true,
    log: ['unsubscribe@1'],
    completed: [],
    fails: false,
  },
  {
    name: 'while two tasks hold the gate and the others wait',
    work: ['----|', '------|', '--|', '--|'],
    outsider: false,
    unsubscribeAt: 1,
    unsubscribeFirst: true,
    log: ['T1@0', 'T2@0', 'unsubscribe@1'],
    completed: [],
    fails: false,
  },
  {
    name: 'in the frame a holder completes, just after it released (its permit went to a waiter, whose work started)',
    work: ['--|', '------|', '----|', '----|'],
    outsider: false,
    unsubscribeAt: 2,
    unsubscribeFirst: false,
    log: ['T1@0', 'T2@0', 'T3@2', 'unsubscribe@2'],
    raceLog: ['T1@0', 'T2@0', 'complete@2', 'unsubscribe@2'],
    completed: ['T1'],
    fails: false,
  },
  {
    name: 'in the frame a holder completes, just before it would',
    work: ['--|', '------|', '----|', '----|'],
    outsider: false,
    unsubscribeAt: 2,
    unsubscribeFirst: true,
    log: ['T1@0', 'T2@0', 'unsubscribe@2'],
    completed: [],
    fails: false,
  },
  {
    name: 'in the frame a holder fails, just after (fail-fast cancelled the set first)',
    work: ['--#', '------|', '----|', '----|'],
    outsider: false,
    unsubscribeAt: 2,
    unsubscribeFirst: false,
    log: ['T1@0', 'T2@0', 'error@2', 'unsubscribe@2'],
    completed: [],
    fails: true,
  },
  {
    name: 'in the frame a holder fails, just before it would',
    work: ['--#', '------|', '----|', '----|'],
    outsider: false,
    unsubscribeAt: 2,
    unsubscribeFirst: true,
    log: ['T1@0', 'T2@0', 'unsubscribe@2'],
    completed: [],
    fails: false,
  },
];

describe.each(adapters)('issue 18 cancellation table: $name', (adapter) => {
  /** The first tasks of `names` the operator starts at once: every one, or `limit`. */
  const startedOf = (names: string[]): string[] => names.slice(0, Math.min(names.length, adapter.limit));

  describe.each(triggersFor(adapter).map((make) => [make().name, make] as const))('when %s', (_name, make) => {
    /** Runs T1, T2 (whose teardown throws), the trigger's task, T3 and T4 as one set, then fires the trigger. */
    function withAThrowingTeardown(): {
      readonly probes: Probes;
      readonly started: string[];
      readonly log: unknown[];
      readonly thrown: unknown;
      readonly trigger: Trigger;
    } {
      const trigger = make();
      const probes = new Probes();
      const throwing = probes.task('T2', () => {
        throw boom;
      });
      // T2 throws in the middle: whichever way an operator walks its tasks, some come after it.
      const tasks: [string, Task<unknown>][] = [
        ['T1', probes.task('T1')],
        ['T2', throwing],
      ];
      if (trigger.task !== undefined) tasks.push(['X', trigger.task]);
      tasks.push(['T3', probes.task('T3')], ['T4', probes.task('T4')]);
      const started = startedOf(tasks.map(([name]) => name)).filter((name) => name !== 'X');
      const { log, subscription } = recorded(adapter.run(from(tasks.map(([, task]) => task))));
      const thrown = trigger.fire(subscription);
      return { probes, started, log, thrown, trigger };
    }

    it("a task's teardown that throws does not stop the others': every started task is torn down, its signal aborted", async () => {
      const { probes, started, log, trigger } = withAThrowingTeardown();
      await reportsDelivered();
      takeEscapedErrors();

      expect(probes.subscribed).toEqual(started);
      expect([...probes.tornDown].sort()).toEqual(started);
      expect(probes.cancelled).toEqual(started.map(() => true));
      expect(log).toEqual(trigger.expected(adapter, [boom]).log);
    });

    it("a task's teardown that throws: its error goes to whoever ended the set, or to config.onUnhandledError, never lost", async () => {
      const { thrown, trigger } = withAThrowingTeardown();
      await reportsDelivered();

      expect(thrown).toEqual(trigger.expected(adapter, [boom]).thrown);
      expect(takeEscapedErrors().map(shape)).toEqual(trigger.reported(adapter, [boom]));
    });

    it.each([
      ['the waiter before the holder', true],
      ['the holder before the waiter', false],
    ])(
      "a waiter behind a holder of a shared Lock in the set never starts its work during the set's cancellation (%s)",
      (_order, waiterFirst) => {
        const trigger = make();
        const lock = new Lock();
        const states: GateState[] = [];
        const watching = lock.state$.subscribe((state) => states.push(state));
        const go = new Subject<void>();
        let started = false;
        // It asks for the lock only on `go`, so it waits behind the holder whatever its place in the set.
        const waiter = go.pipe(mergeMap(() => lock.run(defer(() => ((started = true), NEVER)))));
        const holder = lock.run(NEVER);
        const tasks: Task<unknown>[] = [
          ...(waiterFirst ? [waiter, holder] : [holder, waiter]),
          ...(trigger.task === undefined ? [] : [trigger.task]),
        ];
        const { log, subscription } = recorded(adapter.run(from(tasks)));
        go.next();
        expect(lock.waiting).toBe(1);

        const thrown = trigger.fire(subscription);

        expect(started).toBe(false);
        expect({ log, thrown }).toEqual(trigger.expected(adapter, []));
        expect(lock.locked).toBe(false);
        expect(states).toEqual([
          { total: 1, available: 1, waiting: 0 },
          { total: 1, available: 0, waiting: 0 },
          { total: 1, available: 0, waiting: 1 },
          { total: 1, available: 0, waiting: 0 },
          { total: 1, available: 1, waiting: 0 },
        ]);
        expect(runsAtOnce(lock)).toBe(true);
        watching.unsubscribe();
      },
    );
  });

  it('a downstream takeUntil that fires while the synchronous source emits stops the source there', () => {
    const probes = new Probes();
    const stop = new Subject<void>();
    const source = counting((n) => {
      if (n === 3) stop.next();
      return probes.task(`T${n}`);
    });
    const { log } = recorded(adapter.run(from(source.input)).pipe(takeUntil(stop)));

    expect(source.read()).toBe(3);
    expect(source.returned()).toBe(true);
    expect(probes.subscribed).toEqual(['T1', 'T2']);
    expect([...probes.tornDown].sort()).toEqual(['T1', 'T2']);
    expect(probes.cancelled).toEqual([true, true]);
    expect(log).toEqual(['complete']);
  });

  it.each(gateCases)('unsubscribing $name: permits restored exactly, no work starts after it, every signal aborted', (gateCase) => {
    const names = ['T1', 'T2', 'T3', 'T4'];
    const sem = new Semaphore(2);
    const log: string[] = [];
    const errors: unknown[] = [];
    const signals = new Map<string, AbortSignal>();
    let atUnsubscribe: GateState | undefined;
    const scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold }) => {
      const stamp = (what: string): void => void log.push(`${what}@${scheduler.now()}`);
      const tasks = gateCase.work.map((marbles, i): Task<unknown> => {
        const name = names[i]!;
        const work = cold(marbles, undefined, failure);
        return (signal) => {
          signals.set(name, signal);
          return sem.run(defer(() => (stamp(name), work)));
        };
      });
      if (gateCase.outsider) {
        const permits = [sem.tryAcquire()!, sem.tryAcquire()!];
        scheduler.schedule(() => permits.forEach((permit) => permit.release()), 3);
      }
      let subscription: Subscription | undefined;
      const unsubscribe = (): void => {
        stamp('unsubscribe');
        subscription!.unsubscribe();
        atUnsubscribe = stateOf(sem);
      };
      // Actions of one frame run in the order they were scheduled: the work's (scheduled as it is
      // subscribed) come after an unsubscribe scheduled before the subscription, before one after it.
      scheduler.schedule(() => {
        if (gateCase.unsubscribeFirst) scheduler.schedule(unsubscribe, gateCase.unsubscribeAt);
        subscription = adapter.run(from(tasks)).subscribe({
          error: (error: unknown) => {
            stamp('error');
            errors.push(shape(error));
          },
          complete: () => stamp('complete'),
        });
        if (!gateCase.unsubscribeFirst) scheduler.schedule(unsubscribe, gateCase.unsubscribeAt);
      });
    });

    expect(log).toEqual(adapter.firstSettles ? (gateCase.raceLog ?? gateCase.log) : gateCase.log);
    expect(errors).toEqual(gateCase.fails ? [adapter.failure(failure, []).output] : []);
    expect(atUnsubscribe).toEqual(gateCase.outsider ? { total: 2, available: 0, waiting: 0 } : { total: 2, available: 2, waiting: 0 });
    expect(stateOf(sem)).toEqual({ total: 2, available: 2, waiting: 0 });
    // A completed task freed its slot in the operator: a queued one was started in its place.
    const called = names.slice(0, Math.min(names.length, adapter.limit + gateCase.completed.length));
    expect([...signals.keys()]).toEqual(called);
    expect([...signals].map(([name, signal]) => [name, signal.aborted && isCancelled(signal.reason)])).toEqual(
      called.map((name) => [name, !gateCase.completed.includes(name)]),
    );
    expect(runsAtOnce(sem)).toBe(true);
  });
});

describe.each(adapters.filter((adapter) => adapter.emitsEach))('issue 18 cancellation table: $name, which emits each result', (adapter) => {
  it('a downstream take(1) on a synchronous source of tasks stops the source at the first result', () => {
    const source = counting((n) => of(n));
    const { log } = recorded(adapter.run(from(source.input)).pipe(take(1), ignoreElements()));

    expect(source.read()).toBe(1);
    expect(source.returned()).toBe(true);
    expect(log).toEqual(['complete']);
  });
});
