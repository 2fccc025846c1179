import { asyncScheduler, lastValueFrom, of, type SchedulerLike } from 'rxjs';
import {
  CapacityLimiter,
  Lock,
  Semaphore,
  asCompleted,
  boundedMap,
  boundedMapFrom,
  boundedMapIterable,
  failAfter,
  failAt,
  gather,
  moveOnAfter,
  moveOnAt,
  retry,
  type Gate,
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
}

async function forward(o: Forwarded): Promise<unknown[]> {
  const { signal, scheduler, maxValue, returnErrors, limit, ordered, window, limiter } = o;
  const gates: Gate[] = [new Lock(), new Semaphore(1, { maxValue }), new CapacityLimiter(1)];
  for (const gate of gates) (await gate.acquireAsync({ signal })).release();
  (await new Semaphore(1).acquireAsync({ signal })).release();
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
  ]);
}

const results = [1, 2, [3], [0, 4], 10, 12, 7, [16]];

describe('option types accept an explicit undefined under exactOptionalPropertyTypes', () => {
  it('every option forwarded as undefined behaves as the default', async () => {
    const none: Forwarded = {
      signal: undefined, scheduler: undefined, maxValue: undefined, returnErrors: undefined, limit: undefined,
      ordered: undefined, window: undefined, limiter: undefined, attempts: undefined, baseDelay: undefined, factor: undefined,
      maxDelay: undefined, jitter: undefined, retryOn: undefined, deadline: undefined, random: undefined,
    };
    await expect(forward(none)).resolves.toEqual(results);
  });

  it('every option forwarded with a value of the same declared type works too', async () => {
    const some: Forwarded = {
      signal: new AbortController().signal, scheduler: asyncScheduler, maxValue: 2, returnErrors: true, limit: 2,
      ordered: false, window: 2, limiter: new CapacityLimiter(1), attempts: 2, baseDelay: 0, factor: 1, maxDelay: 0,
      jitter: 0, retryOn: () => true, deadline: Infinity, random: () => 0,
    };
    await expect(forward(some)).resolves.toEqual(results);
  });
});
