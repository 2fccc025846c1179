import { Observable, asyncScheduler, lastValueFrom, of, type SchedulerLike } from 'rxjs';
import {
  CapacityLimiter,
  Lock,
  Queue,
  Semaphore,
  asCompleted,
  boundedMap,
  boundedMapFrom,
  boundedMapIterable,
  failAfter,
  failAt,
  gather,
  gatherAll,
  moveOnAfter,
  moveOnAt,
  retry,
  retrying,
  type Gate,
  type RetryInfo,
  type RetryOptions,
} from 'rxjs-concurrency';

/*
 * Review finding 5. This file is compiled with `exactOptionalPropertyTypes` (tsconfig.spec.json):
 * code that forwards a possibly-undefined option (`{ signal }` with `signal: AbortSignal | undefined`)
 * must type-check against every options type. The real assertion is `npx tsc -p tsconfig.spec.json
 * --noEmit`; the tests below only run the same calls with both shapes of each value.
 */

interface Forwarded {
  readonly signal: AbortSignal | undefined;
  readonly scheduler: SchedulerLike | undefined;
  readonly maxValue: number | undefined;
  readonly returnErrors: boolean | undefined;
  readonly limit: number | undefined;
  readonly ordered: boolean | undefined;
  readonly window: number | undefined;
  readonly limiter: Gate | undefined;
  readonly attempts: number | undefined;
  readonly baseDelay: number | undefined;
  readonly factor: number | undefined;
  readonly maxDelay: number | undefined;
  readonly jitter: number | undefined;
  readonly retryOn: ((error: unknown, attempt: number) => boolean) | undefined;
  readonly deadline: number | undefined;
  readonly random: (() => number) | undefined;
  readonly onRetry: ((info: RetryInfo) => void) | undefined;
}

async function forward(o: Forwarded): Promise<unknown[]> {
  const { signal, scheduler, maxValue, returnErrors, limit, ordered, window, limiter } = o;
  const gates: Gate[] = [new Lock(), new Semaphore(1, { maxValue }), new CapacityLimiter(1)];
  for (const gate of gates) (await gate.acquireAsync({ signal })).release();
  (await new Semaphore(1).acquireAsync({ signal })).release();
  const queue = new Queue<number>(1);
  await queue.putAsync(8, { signal });
  const got = await queue.getAsync({ signal });
  const retryOptions: RetryOptions = {
    attempts: o.attempts,
    baseDelay: o.baseDelay,
    factor: o.factor,
    maxDelay: o.maxDelay,
    jitter: o.jitter,
    retryOn: o.retryOn,
    deadline: o.deadline,
    scheduler,
    random: o.random,
    onRetry: o.onRetry,
  };
  const double = (n: number) => of(n * 2);
  return Promise.all([
    lastValueFrom(of(1).pipe(failAfter(1_000, { scheduler }), moveOnAfter(1_000, { scheduler }))),
    lastValueFrom(of(2).pipe(failAt(Infinity, { scheduler }), moveOnAt(Infinity, { scheduler }))),
    lastValueFrom(of(of(3)).pipe(gather({ returnErrors }))),
    lastValueFrom(of(of(4)).pipe(asCompleted({ returnErrors, limit }))),
    lastValueFrom(of(5).pipe(boundedMap(double, 1, { ordered, window, limiter, returnErrors }))),
    lastValueFrom(boundedMapFrom([6], double, 1, { ordered, window, limiter, returnErrors })),
    lastValueFrom(of(7).pipe(retry(retryOptions))),
    (async () => {
      const out: number[] = [];
      for await (const x of boundedMapIterable([8], double, 1, { ordered, window, limiter, returnErrors })) out.push(x);
      return out;
    })(),
    Promise.resolve(got),
  ]);
}

const results = [1, 2, [3], [0, 4], 10, 12, 7, [16], 8];

describe('option types accept an explicit undefined under exactOptionalPropertyTypes', () => {
  it('every option forwarded as undefined behaves as the default', async () => {
    const none: Forwarded = {
      signal: undefined,
      scheduler: undefined,
      maxValue: undefined,
      returnErrors: undefined,
      limit: undefined,
      ordered: undefined,
      window: undefined,
      limiter: undefined,
      attempts: undefined,
      baseDelay: undefined,
      factor: undefined,
      maxDelay: undefined,
      jitter: undefined,
      retryOn: undefined,
      deadline: undefined,
      random: undefined,
      onRetry: undefined,
    };
    await expect(forward(none)).resolves.toEqual(results);
  });

  it('every option forwarded with a value of the same declared type works too', async () => {
    const some: Forwarded = {
      signal: new AbortController().signal,
      scheduler: asyncScheduler,
      maxValue: 2,
      returnErrors: true,
      limit: 2,
      ordered: false,
      window: 2,
      limiter: new CapacityLimiter(1),
      attempts: 2,
      baseDelay: 0,
      factor: 1,
      maxDelay: 0,
      jitter: 0,
      retryOn: () => true,
      deadline: Infinity,
      random: () => 0,
      onRetry: () => undefined,
    };
    await expect(forward(some)).resolves.toEqual(results);
  });
});

describe('retrying: the types say what runs again', () => {
  it('a factory or an Observable type-checks and gives Observable<T>; a Promise does not type-check (it cannot be re-run)', () => {
    const fromFactory: Observable<string> = retrying(async (signal: AbortSignal) => (signal.aborted ? 'no' : 'yes'));
    const fromObservable: Observable<number> = retrying(of(1), { attempts: 2 });
    // @ts-expect-error a Promise has started already: retrying refuses it (and throws at run time)
    expect(() => retrying(Promise.resolve(1))).toThrow(TypeError);
    // @ts-expect-error the result type is the task's
    const wrong: Observable<string> = retrying(of(1));
    expect([fromFactory, fromObservable, wrong].every((o) => o instanceof Observable)).toBe(true);
  });
});

describe("gatherAll: the result is typed as the tuple of the tasks' results (issue 17.5)", () => {
  it("each slot has its task's result type: Observable, factory of a Promise, factory of an Observable, array", async () => {
    const results: Observable<[number, string, boolean, Date]> = gatherAll([
      of(1),
      () => Promise.resolve('a'),
      (signal) => of(signal.aborted), // signal: AbortSignal, from the context
      [new Date(0)],
    ]);
    const [n, s, b, d] = await lastValueFrom(results);
    expect([n.toFixed(1), s.toUpperCase(), b, d.getTime()]).toEqual(['1.0', 'A', false, 0]);
    // @ts-expect-error the first slot is a number, not a string
    const wrong: Observable<[string, string, boolean, Date]> = results;
    // @ts-expect-error a tuple of four: there is no fifth slot
    const fifth: Observable<[number, string, boolean, Date, unknown]> = results;
    expect([wrong, fifth]).toEqual([results, results]);
  });

  it("an empty list is Observable<[]>; a list that is not a tuple gives an array of its element's result", async () => {
    const none: Observable<[]> = gatherAll([]);
    const tasks: Observable<number>[] = [of(1), of(2)];
    const many: Observable<number[]> = gatherAll(tasks);
    const fixed = [of(1), of('x')] as const;
    const readonlyTuple: Observable<[number, string]> = gatherAll(fixed);
    await expect(Promise.all([lastValueFrom(none), lastValueFrom(many), lastValueFrom(readonlyTuple)])).resolves.toEqual([
      [],
      [1, 2],
      [1, 'x'],
    ]);
  });

  it('returnErrors: true makes each slot unknown (it may hold whatever was thrown): a slot must be narrowed before use', async () => {
    const settled: Observable<[unknown, unknown]> = gatherAll([of(1), () => Promise.reject(new Error('x'))], { returnErrors: true });
    const [first, second] = await lastValueFrom(settled);
    // @ts-expect-error the slot may hold an error: unknown until narrowed
    // eslint-disable-next-line @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return -- the type error is the point
    expect(() => first.toFixed()).not.toThrow();
    expect(typeof first === 'number' ? first.toFixed(1) : first).toBe('1.0');
    expect(second instanceof Error ? second.message : second).toBe('x');
    // @ts-expect-error the results are not known to be numbers any more
    const typed: Observable<[number, number]> = gatherAll([of(1), of(2)], { returnErrors: true });
    // A returnErrors known only at run time (a boolean) types the slots the same way.
    const maybe = (returnErrors: boolean): Observable<[unknown]> => gatherAll([of(1)], { returnErrors });
    // returnErrors: false keeps the results' types.
    const kept: Observable<[number]> = gatherAll([of(1)], { returnErrors: false });
    await expect(Promise.all([lastValueFrom(typed), lastValueFrom(maybe(true)), lastValueFrom(kept)])).resolves.toEqual([[1, 2], [1], [1]]);
  });

  it('what is not a task does not type-check', () => {
    // @ts-expect-error a string is not a list of tasks
    expect(() => gatherAll('ab')).toThrow(TypeError);
    // @ts-expect-error a string is not a task (RxJS would run it per character)
    expect(() => gatherAll([of(1), 'ab'])).toThrow(TypeError);
    // @ts-expect-error a number is not a task
    expect(() => gatherAll([42])).toThrow(TypeError);
    // @ts-expect-error returnErrors is a boolean
    expect(() => gatherAll([], { returnErrors: 'yes' })).toThrow(TypeError);
  });
});
