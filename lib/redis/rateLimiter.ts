import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { Captured } from '../internal/context';
import { dispose } from '../internal/dispose';
import { fromTask } from '../internal/fromTask';
import { checkRateWeight, rateSettings, type RateLimiterOptions } from '../internal/rateOptions';
import { StateFeed } from '../internal/stateFeed';
import type { AcquireOptions, DeferredTask, GateLike, GateState, Permit } from '../internal/types';
import { WaitList, WaitNode } from '../internal/waitList';
import { fleetState, listenerOf } from './listener';
import { checkName, checkRedis } from './options';
import { Script } from './script';
import { RATE } from './scripts';
import type { RedisLike } from './types';
import { acquireOnce, acquirePromise, type Sink } from './waiting';

const rateScript = new Script(RATE);

/** RATE's reply: granted (1) or not, the grant's Redis time or the ms until it could be, available, version. */
type Reply = readonly [granted: number, ms: number, available: number, version: number];

/** Options of `new RedisRateLimiter()`: those of `RateLimiter`, and the key prefix of the Redis gates. */
export interface RedisRateLimiterOptions extends RateLimiterOptions {
  /** Namespace of the limiter's key and channel: `<prefix>:<name>:r`. Default `'rxc'`. */
  prefix?: string | undefined;
  /** The timer of the wake-ups; the clock is Redis's `TIME`. Default `asyncScheduler`. */
  scheduler?: SchedulerLike | undefined;
}

/** A grant of a `RedisRateLimiter`: a permit whose `release()` frees nothing (only time does). */
export type RedisRatePermit = Permit & {
  /** When Redis made the grant: its `TIME`, in ms since the epoch. */
  readonly grantedAt: number;
};

class RatePermit implements RedisRatePermit {
  released = false;

  constructor(readonly grantedAt: number) {}

  release(): void {
    this.released = true;
  }

  [dispose](): void {
    this.released = true;
  }
}

/** A call waiting in this process's line. */
class Waiter extends WaitNode {
  /** It came behind others or was refused: due at some time before now, counted from then. */
  waited = false;

  constructor(
    readonly weight: number,
    readonly sink: Sink<RedisRatePermit>,
  ) {
    super();
  }
}

/**
 * `RateLimiter` across processes: at most `limit` grants per `interval` ms, `burst` at once after
 * idle time, counted over every process that uses the same Redis, `name` and `prefix`.
 *
 * The signature is the two others' put together: `(redis, name, ...)` as every Redis gate, since
 * the client and the name are what the processes share; then `RateLimiter`'s options object
 * (checked by the same code, with the same messages: one limiter moves to Redis by adding two
 * arguments), with the Redis gates' `prefix`. Not their `leaseMs` and `refreshMs`: a rate
 * limiter holds nothing, so there is no lease to keep.
 *
 * One Lua script does GCRA on one hash (the theoretical arrival time), with the arithmetic of
 * `RateLimiter` and Redis's `TIME` as the only clock, so the clocks of the processes do not matter:
 * in any `w` whole milliseconds of Redis time, all processes together are granted at most
 * `burst + limit * w / interval`. The hash expires once the bucket is full again. A server younger
 * than a bucket's refill may have forgotten grants (a restart without persistence): on it, a bucket
 * starts empty at the server's start, so the bound holds across a restart too.
 *
 * Waiting, and why not a reservation: GCRA could grant "in the future" (advance the arrival time
 * and tell the caller how long to wait), with strict FIFO across processes. But a reserved grant
 * cannot be given back: the arrival time has since moved on for the grants after it. A waiter that
 * is cancelled (a `switchMap` on a search box, an aborted request) would leave its slot spent and
 * delay everyone behind it. So the script only grants what is due now; a refusal writes nothing and
 * returns the exact ms until the weight could be granted, and this process arms one timer, on
 * `scheduler`, for that moment (a wake-up at a computed time, not polling). Cancelling a waiter
 * leaves nothing in Redis. The price: the order is strict FIFO within a process (one script in
 * flight per limiter, for the head of its line), not across processes, and a heavy waiter can be
 * kept waiting by lighter grants elsewhere. A grant is never given back, as in `RateLimiter`; one
 * made for a waiter that left while its script was in flight goes to the next waiter if it fits.
 *
 * It has the Redis gates' surface (`acquire`, `run`, `acquireAsync`, `tryAcquireAsync`, `state$`)
 * and works with `withPermit` and the `limiter` option of `boundedMap`. `state$`: `total` is
 * `burst`, `available` what could be granted as Redis last said (any process's grant updates it),
 * `waiting` the waiters of this process.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis';
 * import { RedisRateLimiter } from 'rxjs-concurrency/redis';
 *
 * // A partner API that allows 100 requests in any minute, shared by the whole fleet.
 * const partner = new RedisRateLimiter(new Redis(), 'partner-api', { limit: 100, interval: 60_000, burst: 1 });
 * ids$.pipe(boundedMap((id, _i, signal) => fetchItem(id, signal), 8, { limiter: partner }));
 * ```
 */
export class RedisRateLimiter implements GateLike {
  /** Grants per `interval`. */
  readonly limit: number;
  /** The period of `limit`, in ms. */
  readonly interval: number;
  /** Weight available at once after idle time; also the largest weight one call may ask for. */
  readonly burst: number;
  private readonly redis: RedisLike;
  private readonly key: string;
  private readonly scheduler: SchedulerLike;
  private readonly line = new WaitList<Waiter>();
  /** The waiter whose script is in flight: one at a time, for the head of the line. */
  private sent: Waiter | null = null;
  /** The one timer, armed for the head of the line when Redis said when it is due. */
  private timer: Subscription | null = null;
  private available: number;
  private version = 0;
  private readonly feed = new StateFeed<GateState>(() => ({ total: this.burst, available: this.available, waiting: this.line.size }));
  private readonly states: Observable<GateState>;

  /**
   * @param redis - the client whose commands the limiter sends (an ioredis `Redis`, or see {@link RedisLike})
   * @param name - the limiter: processes that pass the same name (and prefix) share it
   * @param options - `limit`, `interval`, `burst` as for `RateLimiter` (every process should pass
   *   the same), `prefix`, and `scheduler`: the timer of the wake-ups (Redis is the clock)
   */
  constructor(redis: RedisLike, name: string, options: RedisRateLimiterOptions) {
    const where = 'RedisRateLimiter';
    this.redis = checkRedis(where, redis);
    checkName(where, 'name', name);
    const { limit, interval, burst, scheduler } = rateSettings(where, options);
    const prefix = options.prefix === undefined ? 'rxc' : checkName(where, 'options.prefix', options.prefix);
    this.limit = limit;
    this.interval = interval;
    this.burst = this.available = burst;
    this.scheduler = scheduler;
    this.key = `${prefix}:${name}:r`;
    this.states = fleetState(
      listenerOf(this.redis),
      this.key,
      this.feed,
      (text) => {
        const [version, available] = text.split(',').map(Number);
        this.show(version!, available!);
      },
      () => {
        this.call(0, false).catch(() => undefined);
      },
    );
  }

  /** Emits once when `weight` is granted (never completes; unsubscribing gives nothing back). */
  acquire(weight = 1): Observable<void> {
    this.checkWeight('RedisRateLimiter', weight);
    return acquireOnce(this, weight);
  }

  /**
   * Waits for a grant of `weight`, then subscribes to `work` (in the async context of the
   * subscription) and mirrors it. An already-started Promise is refused (`TypeError`).
   */
  run<T>(work: DeferredTask<T>, weight = 1): Observable<T> {
    this.checkWeight('RedisRateLimiter', weight);
    const source = fromTask(work, 'run', 'work', true);
    return new Observable<T>((subscriber) => {
      const captured = new Captured();
      captured.hold();
      const waiter = this.enter(weight, {
        granted: () => captured.run(() => source.subscribe(subscriber)),
        failed: (error) => subscriber.error(error),
      });
      return () => this.retire(waiter);
    });
  }

  /** For async/await code: resolves with the grant, or rejects with `signal.reason` when `signal` aborts first. */
  acquireAsync(options?: AcquireOptions): Promise<RedisRatePermit> {
    return acquirePromise(this, options);
  }

  /**
   * One round trip: the grant if `weight` is due now and nobody in this process waits, else
   * `undefined` (nothing is written). Rejects with Redis's error if the script fails.
   */
  tryAcquireAsync(weight = 1): Promise<RedisRatePermit | undefined> {
    this.checkWeight('tryAcquireAsync', weight);
    if (this.line.size > 0) return Promise.resolve(undefined);
    return this.call(weight, false).then(([granted, at]) => (granted === 1 ? new RatePermit(at) : undefined));
  }

  /** `total` (= `burst`), `available` as Redis last reported it, `waiting` in this process. */
  get state$(): Observable<GateState> {
    return this.states;
  }

  /** Throws unless `weight` is an integer the limiter can ever grant. @internal */
  checkWeight(where: string, weight: number, name = 'weight'): void {
    checkRateWeight(where, name, weight, this.burst);
  }

  /** Puts a waiter in this process's line. @internal */
  enter(weight: number, sink: Sink<RedisRatePermit>): Waiter {
    const waiter = new Waiter(weight, sink);
    // One that finds nobody before it arrives now; one behind others waited its turn.
    waiter.waited = this.line.size > 0 || this.sent !== null;
    this.line.push(waiter);
    this.next();
    this.feed.changed();
    return waiter;
  }

  /** Withdraws a waiter (a grant is never given back). @internal */
  retire(waiter: Waiter): void {
    const head = this.line.peek() === waiter;
    if (!this.line.remove(waiter)) return;
    // A head that left for one needing as much keeps the timer; another asks Redis for its own time.
    if (head && this.timer !== null && this.line.peek()?.weight !== waiter.weight) {
      this.timer.unsubscribe();
      this.timer = null;
      this.next();
    }
    this.feed.changed();
  }

  /** Sends the script for the head of the line, unless one is in flight or the head's timer is armed. */
  private next(): void {
    const head = this.line.peek();
    if (head === null || this.sent !== null || this.timer !== null) return;
    this.sent = head;
    const waited = head.waited;
    head.waited = true;
    this.call(head.weight, waited).then(
      (reply) => this.answered(head, reply),
      (error: unknown) => {
        this.sent = null;
        if (this.line.remove(head)) head.sink.failed(error);
        this.next();
        this.feed.changed();
      },
    );
  }

  private answered(waiter: Waiter, [granted, ms]: Reply): void {
    this.sent = null;
    if (granted === 1) {
      // Spent in Redis either way: if its waiter left meanwhile, the next one takes it if it fits.
      const taker = waiter.queued ? waiter : this.line.peek();
      if (taker !== null && taker.weight <= waiter.weight) {
        this.line.remove(taker);
        // Its work starts before the next waiter asks: a grant is counted when its work starts.
        taker.sink.granted(new RatePermit(ms));
      }
    } else if (waiter.queued) {
      this.timer = this.scheduler.schedule(() => {
        this.timer = null;
        this.next();
      }, ms);
    }
    this.next();
    this.feed.changed();
  }

  /** Runs RATE for `weight` (0: only the state) and shows the state it reports. */
  private call(weight: number, waited: boolean): Promise<Reply> {
    return rateScript.run(this.redis, 1, [this.key, this.limit, this.interval, this.burst, weight, waited ? 'w' : 'n']).then((reply) => {
      const answer = reply as Reply;
      this.show(answer[3], answer[2]);
      return answer;
    });
  }

  /** Shows `available` as of `version` (Redis `TIME`, µs) unless a newer one was shown. */
  private show(version: number, available: number): void {
    if (version < this.version) return;
    this.version = version;
    this.available = available;
    this.feed.changed();
  }
}
