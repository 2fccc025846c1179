import { Observable, asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike, type Subscriber, type Subscription } from 'rxjs';
import { isCancelled } from './isCancelled';
import { currentScope, inScope } from './internal/context';
import { InnerSubscriber } from './internal/innerSubscriber';
import { checkCount, checkFunction, checkNumber, checkObject, checkScheduler, checkTime } from './internal/validate';

/** Options of {@link retry}. Every field is optional. */
export interface RetryOptions {
  /** Total attempts, the first included: an integer >= 1 or `Infinity`. Default 3. */
  attempts?: number | undefined;
  /** Milliseconds before the second attempt, >= 0. Default 100. */
  baseDelay?: number | undefined;
  /** Growth of the delay from one retry to the next, >= 1. Default 2. */
  factor?: number | undefined;
  /** Cap on one delay, >= 0. Default 2000. */
  maxDelay?: number | undefined;
  /** Fraction of each delay that is randomised, from 0 to 1; it only ever shortens the delay. Default 0.1. */
  jitter?: number | undefined;
  /**
   * Whether to retry after `error`, `attempt` being the number (from 1) of the attempt that just
   * failed. Default: every error. Cancellation errors (`isCancelled`) are never retried and never
   * reach it. If it throws, what it throws is the output's error.
   */
  retryOn?: ((error: unknown, attempt: number) => boolean) | undefined;
  /** Absolute time on the scheduler's clock after which no attempt starts; combined with `effectiveDeadline()`. */
  deadline?: number | undefined;
  /** Clock and timer of the delays. Default `asyncScheduler`. */
  scheduler?: SchedulerLike | undefined;
  /** A number in [0, 1). Default `Math.random`; inject one to make delays exact in tests. */
  random?: (() => number) | undefined;
  /**
   * Called when an attempt has failed and the next one will be made, before the delay: `attempt` is
   * the number (from 1) of the attempt that failed, `delay` the milliseconds it waits now. For a log
   * line or a metric (the output's final error is the last attempt's, as it was thrown). If it
   * throws, what it throws is the output's error at once, and no further attempt is made.
   */
  onRetry?: ((info: RetryInfo) => void) | undefined;
}

/** What {@link RetryOptions.onRetry} is told before each delay. */
export interface RetryInfo {
  /** The error of the attempt that failed. */
  readonly error: unknown;
  /** The number, from 1, of the attempt that failed. */
  readonly attempt: number;
  /** Milliseconds until the next attempt. */
  readonly delay: number;
}

interface Policy {
  readonly attempts: number;
  readonly baseDelay: number;
  readonly factor: number;
  readonly maxDelay: number;
  readonly jitter: number;
  readonly retryOn: ((error: unknown, attempt: number) => boolean) | undefined;
  readonly deadline: number;
  readonly scheduler: SchedulerLike;
  readonly random: () => number;
  readonly onRetry: ((info: RetryInfo) => void) | undefined;
}

/**
 * On error, resubscribes to the source with exponential backoff and jitter, within a deadline.
 *
 * **Which `retry` is this?** RxJS has an operator of the same name, and an editor's auto-import
 * may pick either: this one is `import { retry } from 'rxjs-concurrency'`, RxJS's is
 * `import { retry } from 'rxjs'`. RxJS's ignores this one's options (`{ attempts: 3 }`) and
 * retries at once, forever. This one refuses RxJS's forms (`retry(3)`, `{ count }`, `{ delay }`,
 * `{ resetOnSuccess }`) with a `TypeError` that says what they are here: it counts *attempts*, the
 * first included, so RxJS's `retry(3)` is `retry({ attempts: 4 })`.
 *
 * **A Promise is never re-run.** `from(callApi()).pipe(retry())` calls the API once: the Promise
 * has started before `retry` sees it, and resubscribing only replays its rejection. Use
 * {@link retrying}: `retrying(() => callApi())` calls it again for each attempt.
 *
 * The delay before attempt `n + 1`, after `n` failures, is
 * `min(maxDelay, baseDelay * factor ** (n - 1)) * (1 - jitter * random())`: jitter only shortens a
 * delay, so none exceeds `maxDelay`, and retries of many clients at the cap still spread out.
 *
 * ```
 * source (cold):  --a--#                        every attempt fails at its 5th frame
 * retry({ attempts: 3, baseDelay: 10, jitter: 0 }):
 *   attempt 1 at 0 fails at 5, waits 10; attempt 2 at 15 fails at 20, waits 20; attempt 3 at 40
 * output:         --a 42ms #                    a once; the last error at frame 45
 * ```
 *
 * - **No duplicates.** Values already emitted are not emitted again: the operator counts the values
 *   it has emitted across attempts and drops that many at the start of each new attempt. That is
 *   exact for a source that replays the same values (an HTTP call, a cold stream); a source that
 *   restarts with different values has its first ones dropped all the same.
 * - **Cancellation is not failure.** An error for which `isCancelled(e)` holds is never retried.
 * - **Deadline.** The earliest of `deadline` and the deadline in force at subscription: when
 *   `now + delay` is not before it, the output errors at once with the last error (not a
 *   `TimeoutError`), rather than wait for an attempt that could not start. Every attempt runs under
 *   the deadline in force at subscription.
 * - **The last error, as thrown.** When retries run out, the output's error is the last attempt's
 *   own error, unwrapped (as in the design this ports), so `instanceof` and status checks downstream
 *   still work. `onRetry` is where to see the earlier failures and the delays.
 * - **Cancelling.** Unsubscribing during a delay cancels its timer: no further attempt is subscribed.
 *
 * How it differs from its neighbours: RxJS's `retry({ count, delay })` counts retries rather than
 * attempts, leaves backoff, jitter and the cap to a hand-written `delay` function, emits again the
 * values an attempt replays, retries cancellations and knows no deadline. `retryBackoff` of
 * backoff-rxjs has no jitter and no deadline, and also emits replayed values again.
 *
 * @throws RangeError or TypeError at call time for a bad option, or RxJS's form of an option
 *
 * @example
 * ```ts
 * import { failAfter, retry } from 'rxjs-concurrency';   // not RxJS's retry
 *
 * // Up to 5 attempts, 200 ms then 400, 800, 1600 (each up to 30% shorter), never past the
 * // enclosing 5 s deadline; a 4xx is not worth retrying.
 * http.get<User>(url).pipe(
 *   retry({
 *     attempts: 5, baseDelay: 200, jitter: 0.3,
 *     retryOn: (e) => !(e instanceof HttpErrorResponse && e.status < 500),
 *     onRetry: ({ error, attempt, delay }) => log.warn(`attempt ${attempt} failed (${error}); next in ${delay} ms`),
 *   }),
 *   failAfter(5_000),
 * );
 * ```
 */
export function retry<T>(options?: RetryOptions): MonoTypeOperatorFunction<T> {
  return retryOperator('retry', options);
}

/**
 * `retry` under the name `where` (`retry`, `retrying`), which every message about a bad option
 * starts with. @internal
 */
export function retryOperator<T>(where: string, options: RetryOptions = {}): MonoTypeOperatorFunction<T> {
  refuseRxjsForm(where, options);
  checkObject(where, 'options', options);
  const {
    attempts = 3,
    baseDelay = 100,
    factor = 2,
    maxDelay = 2_000,
    jitter = 0.1,
    retryOn,
    deadline = Infinity,
    scheduler = asyncScheduler,
    random = Math.random,
    onRetry,
  } = options;
  const policy: Policy = {
    attempts: checkCount(where, 'attempts', attempts, 1, true),
    baseDelay: checkNumber(where, 'baseDelay', baseDelay, 0),
    factor: checkNumber(where, 'factor', factor, 1),
    maxDelay: checkNumber(where, 'maxDelay', maxDelay, 0),
    jitter: checkNumber(where, 'jitter', jitter, 0, 1),
    retryOn: retryOn === undefined ? undefined : checkFunction(where, 'retryOn', retryOn),
    deadline: checkTime(where, 'deadline', deadline),
    scheduler: checkScheduler(where, 'scheduler', scheduler),
    random: checkFunction(where, 'random', random),
    onRetry: onRetry === undefined ? undefined : checkFunction(where, 'onRetry', onRetry),
  };
  return (source) =>
    new Observable<T>((subscriber) => {
      const retrying = new Retrying(source, subscriber, policy);
      retrying.attempt();
      return retrying;
    });
}

/** The attempts RxJS's `count` makes (`count + 1`), as text; `null` for a count RxJS would not take either. */
function attemptsFor(count: unknown): string | null {
  return typeof count === 'number' && (count === Infinity || (Number.isInteger(count) && count >= 0)) ? String(count + 1) : null;
}

/**
 * Throws for RxJS's forms of retry's argument, saying what they are here. In plain JavaScript
 * nothing else catches them: `{ count: 3 }` would silently make the default 3 attempts where RxJS
 * makes 4, and `{ delay }` would be ignored.
 */
function refuseRxjsForm(where: string, options: unknown): void {
  if (typeof options === 'number') {
    const n = attemptsFor(options);
    const use =
      n === null ? "{ attempts } (RxJS's retry(n) is n + 1 attempts)" : `{ attempts: ${n} } (RxJS's retry(${options}) is ${n} attempts)`;
    throw new TypeError(
      `${where}: options must be an object, received ${options}; a bare count is RxJS's retry(count): ${own(where)}: use ${use}${orRxjs(where)}`,
    );
  }
  if (typeof options !== 'object' || options === null) return;
  const { count, delay, resetOnSuccess } = options as { count?: unknown; delay?: unknown; resetOnSuccess?: unknown };
  if (count !== undefined) {
    const n = attemptsFor(count);
    // attemptsFor answers numbers only: with an n, count is one.
    const use =
      n === null
        ? "{ attempts } (RxJS's count: n is n + 1 attempts)"
        : `{ attempts: ${n} } (RxJS's count: ${count as number} is ${n} attempts)`;
    throw new TypeError(`${where}: options.count is RxJS's option; ${own(where)}: use ${use}${orRxjs(where)}`);
  }
  if (delay !== undefined) {
    const use =
      typeof delay === 'number'
        ? `: for a fixed ${delay} ms use { baseDelay: ${delay}, factor: 1, jitter: 0 }`
        : ', and retryOn decides whether to retry';
    throw new TypeError(
      `${where}: options.delay is RxJS's option; this package's ${where} computes each delay from baseDelay, factor, maxDelay and jitter${use}${orRxjs(where)}`,
    );
  }
  if (resetOnSuccess !== undefined) {
    throw new TypeError(
      `${where}: options.resetOnSuccess is RxJS's option; this package's ${where} counts every attempt of the subscription and never resets: remove it${orRxjs(where)}`,
    );
  }
}

// The messages are built only when one is thrown: refuseRxjsForm runs on every call of retry.
const own = (where: string): string => `this package's ${where} counts attempts`;
// Only `retry` can be RxJS's operator imported by mistake; `retrying` has no namesake there.
const orRxjs = (where: string): string => (where === 'retry' ? "; or import RxJS's retry from 'rxjs'" : '');

/** The state of one subscription to the output: the attempt running, or the timer before the next one. */
class Retrying<T> {
  /** Values emitted by the output so far, over every attempt. */
  emitted = 0;
  private failures = 0;
  private current: Attempt<T> | null = null;
  private timer: Subscription | null = null;
  /** The scope of the output's subscription: every attempt runs in it, under its deadline. */
  private readonly scope = currentScope();

  constructor(
    private readonly source: Observable<T>,
    readonly destination: Subscriber<T>,
    private readonly policy: Policy,
  ) {}

  attempt(): void {
    this.timer = null;
    this.current = new Attempt(this, this.emitted);
    this.source.subscribe(this.current);
  }

  /** The current attempt failed; it is already torn down, so the next one never overlaps it. */
  failed(error: unknown): void {
    const { destination } = this;
    if (destination.closed) return;
    const n = ++this.failures;
    const { attempts, baseDelay, factor, maxDelay, jitter, retryOn, scheduler, random, onRetry } = this.policy;
    let delay: number;
    try {
      if (isCancelled(error) || n >= attempts || (retryOn !== undefined && !retryOn(error, n))) {
        destination.error(error);
        return;
      }
      // 0 * Infinity is NaN: a zero base stays zero however many failures.
      const grown = baseDelay === 0 ? 0 : baseDelay * factor ** (n - 1);
      delay = Math.min(maxDelay, grown) * (1 - jitter * random());
    } catch (thrown) {
      destination.error(thrown);
      return;
    }
    // No point waiting for an attempt that could not start before the deadline.
    if (!(scheduler.now() + delay < Math.min(this.policy.deadline, this.scope.deadline))) {
      destination.error(error);
      return;
    }
    if (onRetry !== undefined) {
      try {
        onRetry({ error, attempt: n, delay });
      } catch (thrown) {
        destination.error(thrown);
        return;
      }
    }
    // retryOn or onRetry unsubscribed the output: its teardown has run, and a timer set now would
    // start an attempt nobody owns.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- TypeScript keeps `closed` narrowed across the calls to retryOn and onRetry
    if (destination.closed) return;
    // In Node the timer keeps the async context it was set in: that of the failed attempt.
    this.timer = scheduler.schedule(() => inScope(this.scope, () => this.attempt()), delay);
  }

  unsubscribe(): void {
    this.timer?.unsubscribe();
    this.current?.unsubscribe();
  }
}

/** The subscriber of one attempt. */
class Attempt<T> extends InnerSubscriber<T> {
  constructor(
    private readonly retrying: Retrying<T>,
    /** Values the earlier attempts emitted: this one replays them first, and they are dropped. */
    private skip: number,
  ) {
    super();
  }

  protected onNext(value: T): void {
    const { retrying } = this;
    // The output's teardown is only registered once a synchronous first attempt returns: until then,
    // an output unsubscribed by one of these values is noticed here, and the source stopped.
    if (retrying.destination.closed) {
      this.unsubscribe();
      return;
    }
    if (this.skip > 0) {
      this.skip--;
      return;
    }
    retrying.emitted++;
    retrying.destination.next(value);
  }

  protected onError(error: unknown): void {
    this.retrying.failed(error);
  }

  protected onComplete(): void {
    this.retrying.destination.complete();
  }
}
