import type Redis from 'ioredis';
import {
  asyncScheduler,
  defer,
  firstValueFrom,
  from,
  lastValueFrom,
  merge,
  of,
  toArray,
  type SchedulerAction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { boundedMap, withPermit, type GateState } from 'rxjs-concurrency';
import { RedisRateLimiter, type RedisLike } from 'rxjs-concurrency/redis';
import { rateBreaches, type RateBound } from '../setup/rate';
import { Worker } from './fleet';
import { addressOf, monitor, until, type MonitoredCommand, type Recording } from './helpers';
import { RedisServer } from './server';

/*
 * RedisRateLimiter against a real redis-server. Grant times are not wall-clock readings of the
 * test: each is the Redis TIME the script granted at (the permit's grantedAt), and MONITOR shows
 * what the script stored for it (`HSET <key> t <grant time> d <arrival time ahead, 1/limit ms>`),
 * so the GCRA arithmetic is checked exactly. Real time only decides how long the tests take.
 */

let server: RedisServer;
let names = 0;
/** A fresh limiter name per test, so that no test sees another's key. */
const fresh = (): string => `r${++names}`;

beforeAll(async () => {
  server = await RedisServer.start();
  // On a server younger than a bucket's refill, a limiter starts empty (it may have forgotten
  // grants): the buckets here refill within 3 s.
  await server.aged(2_000);
}, 20_000);

afterAll(() => server.stop());

const limiter = (name: string, options: { limit: number; interval: number; burst?: number }): RedisRateLimiter =>
  new RedisRateLimiter(server.client(), name, options);

/** `asyncScheduler`, keeping every timer armed on it: whether a waiter's timer is armed, or was cancelled. */
function timed(): { scheduler: SchedulerLike; timers: Subscription[] } {
  const timers: Subscription[] = [];
  const scheduler: SchedulerLike = {
    now: () => asyncScheduler.now(),
    schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription {
      const timer = asyncScheduler.schedule(work, delay, state);
      timers.push(timer);
      return timer;
    },
  };
  return { scheduler, timers };
}

/**
 * Sends a PING from `client` (at `address`) and resolves, once MONITOR has shown it, with the index
 * just past it: everything `client` sent before is recorded before that index.
 */
async function caughtUp(recording: Recording, client: Redis, address: string): Promise<number> {
  const from = recording.commands.length;
  await client.ping();
  let at = -1;
  const isPing = (c: MonitoredCommand, i: number): boolean => i >= from && c.source === address && c.args[0]!.toUpperCase() === 'PING';
  await until(() => (at = recording.commands.findIndex(isPing)) !== -1, 2_000, 'the PING in MONITOR');
  return at + 1;
}

/** The commands `client` (at `address`) sent while `recording`, from the command at `from` on. */
async function sentBy(recording: Recording, client: Redis, address: string, from = 0): Promise<string[]> {
  await caughtUp(recording, client, address);
  recording.stop();
  return recording.commands
    .slice(from)
    .filter((c) => c.source === address)
    .map((c) => c.args[0]!.toLowerCase());
}

/** One run of the RATE script on `key` as MONITOR saw it: what was asked, and what was stored if granted. */
interface Step {
  readonly source: string;
  readonly weight: number;
  readonly waited: boolean;
  /** The script ran (its TIME was seen): an EVALSHA answered NOSCRIPT did not, its EVAL did. */
  ran: boolean;
  granted?: { readonly t: number; readonly d: number };
}

/** The weight a client's RATE on `key` asked for (0: a state report), or null if `args` is not one. */
function rateWeight(args: string[], key: string): number | null {
  const command = args[0]!.toUpperCase();
  // EVALSHA sha 1 key limit interval burst weight mode (or EVAL script 1 key ...)
  return (command === 'EVALSHA' || command === 'EVAL') && args[3] === key ? Number(args[7]) : null;
}

/** The runs of RATE on `key` (state reports, weight 0, left out), in the order Redis ran them. */
function stepsOf(commands: MonitoredCommand[], key: string): Step[] {
  const steps: Step[] = [];
  let current: Step | null = null;
  for (const { args, source } of commands) {
    const command = args[0]!.toUpperCase();
    if (source !== 'lua') {
      const weight = rateWeight(args, key);
      current = weight === null || weight === 0 ? null : { source, weight, waited: args[8] === 'w', ran: false };
      if (current !== null) steps.push(current);
    } else if (current !== null && command === 'TIME') {
      current.ran = true;
    } else if (current !== null && command === 'HSET' && args[1] === key) {
      current.granted = { t: Number(args[3]), d: Number(args[5]) };
    }
  }
  return steps.filter((step) => step.ran);
}

/** Stops `recording` once MONITOR has shown `count` grants on `key` (its feed lags the replies). */
async function stopAfter(recording: Recording, key: string, count: number): Promise<Step[]> {
  const granted = (): number => stepsOf(recording.commands, key).filter((s) => s.granted !== undefined).length;
  await until(() => granted() >= count, 2_000, `MONITOR to show ${count} grants`);
  // A refusal after the last grant may still be on its way: it changes nothing checked here.
  recording.stop();
  return stepsOf(recording.commands, key);
}

/**
 * Every granted step whose stored state is not what GCRA with `RateLimiter`'s arithmetic gives from
 * the state before it, or that should not have been granted; empty when all are exact. In units of
 * 1/limit ms: `ahead` is how far the arrival time is ahead of the grant, and a grant is due when
 * `2 * (ahead + (weight - burst) * interval) < limit`. (The key's expiry changes nothing here: it
 * comes only once `ahead` is below `-limit`, where the clamp below gives the same.)
 */
function gcraBreaches(steps: readonly Step[], { limit, interval, burst }: RateBound): string[] {
  const breaches: string[] = [];
  let last: { t: number; d: number } | null = null;
  for (const step of steps) {
    if (step.granted === undefined) continue;
    const { t, d } = step.granted;
    const ahead = last === null ? -Infinity : last.d - Math.max(0, t - last.t) * limit;
    const expected = Math.max(step.waited ? -limit / 2 : 0, ahead) + step.weight * interval;
    if (2 * (ahead + (step.weight - burst) * interval) >= limit) breaches.push(`granted at ${t} though ${ahead} ahead`);
    if (d !== expected) breaches.push(`at ${t}: stored ${d}, GCRA gives ${expected}`);
    last = step.granted;
  }
  return breaches;
}

describe('RedisRateLimiter', () => {
  it('limit 3 / interval 300 / burst 3: the first 3 at once, then one every 100 ms of Redis time, the arrival time exact after every grant', async () => {
    const name = fresh();
    const key = `rxc:${name}:r`;
    const bound = { limit: 3, interval: 300, burst: 3 };
    const rate = limiter(name, bound);
    const recording = await monitor(server.port);
    const permits = await Promise.all(Array.from({ length: 7 }, () => rate.acquireAsync()));
    const steps = await stopAfter(recording, key, 7);
    const granted = steps.filter((s) => s.granted !== undefined).map((s) => s.granted!);
    // In the order they asked (FIFO in a process), each permit's grantedAt the time Redis stored.
    expect(permits.map((p) => p.grantedAt)).toEqual(granted.map((g) => g.t));
    const t0 = granted[0]!.t;
    // The first three asked once each; nobody was refused before them.
    expect(steps.slice(0, 3).every((s) => s.granted !== undefined)).toBe(true);
    expect(granted[2]!.t - t0).toBeLessThan(100);
    // The theoretical arrival time after grant k, t + d / limit ms, is t0 + 100 (k + 1) exactly.
    expect(granted.map((g) => 3 * g.t + g.d - 3 * t0)).toEqual([300, 600, 900, 1200, 1500, 1800, 2100]);
    // Grant k >= 3 is due at t0 + 100 (k - 2), and given then: never early, and woken by a timer
    // at the time Redis said, so not a slot late either.
    for (let k = 3; k < 7; k++) {
      expect(granted[k]!.t - (t0 + 100 * (k - 2))).toBeGreaterThanOrEqual(0);
      expect(granted[k]!.t - (t0 + 100 * (k - 2))).toBeLessThan(100);
    }
    expect(gcraBreaches(steps, bound)).toEqual([]);
    expect(
      rateBreaches(
        granted.map((g) => ({ at: g.t, weight: 1 })),
        bound,
      ),
    ).toEqual([]);
    // No polling: each grant after the burst was refused once, with the time it is due, and asked
    // again then; a timer that fired a little early asks once more, for the ms left. Polling
    // would ask many times per 100 ms.
    const refusals = steps.length - 7;
    expect(refusals).toBeGreaterThanOrEqual(4);
    expect(refusals).toBeLessThanOrEqual(4 * 3);
  });

  it('burst 1: grants spaced interval / limit apart, a late retry counted from at most half a ms before it, never more than the bound', async () => {
    const name = fresh();
    const bound = { limit: 4, interval: 90, burst: 1 };
    const rate = limiter(name, bound);
    const recording = await monitor(server.port);
    const permits = await Promise.all(Array.from({ length: 8 }, () => rate.acquireAsync()));
    const steps = await stopAfter(recording, `rxc:${name}:r`, 8);
    const times = permits.map((p) => p.grantedAt);
    expect(steps.filter((s) => s.granted !== undefined).map((s) => s.granted!.t)).toEqual(times);
    expect(gcraBreaches(steps, bound)).toEqual([]);
    expect(
      rateBreaches(
        times.map((at) => ({ at, weight: 1 })),
        bound,
      ),
    ).toEqual([]);
    // Grant k is due at t0 + 22.5 k, given at the nearest ms (a half later) or, after a late
    // retry, later: 0, 23, 45, 68, 90, 113, 135, 158 at the soonest.
    expect(times.map((at) => at - times[0]!).map((at, k) => at >= Math.floor(22.5 * k + 0.5))).toEqual(times.map(() => true));
  });

  it('weights: a grant of 2 needs 2 of the burst; weight above burst throws', async () => {
    const name = fresh();
    const bound = { limit: 2, interval: 200, burst: 2 };
    const rate = limiter(name, bound);
    const recording = await monitor(server.port);
    const heavy = await rate.acquireAsync({ weight: 2 });
    const light = await rate.acquireAsync();
    const steps = await stopAfter(recording, `rxc:${name}:r`, 2);
    // After idle time the 2 go at once; the next 1 waits for one to refill: 100 ms.
    expect(light.grantedAt - heavy.grantedAt).toBeGreaterThanOrEqual(100);
    expect(gcraBreaches(steps, bound)).toEqual([]);
    expect(() => rate.acquire(3)).toThrow(new RangeError('RedisRateLimiter: weight must be <= burst 2, received 3'));
  });

  it('the key expires once the bucket is full again: nothing is left behind', async () => {
    const name = fresh();
    const admin = server.client();
    const rate = limiter(name, { limit: 2, interval: 400, burst: 2 });
    const permit = await rate.acquireAsync();
    expect(await admin.hgetall(`rxc:${name}:r`)).toEqual({ t: String(permit.grantedAt), d: '400' });
    // Full again 200 ms after the grant; the TTL set then was 200 + 1 ms.
    const ttl = await admin.pttl(`rxc:${name}:r`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(201);
    await until(async () => (await admin.exists(`rxc:${name}:r`)) === 0, 1_000, 'the key to expire');
    const [seconds, micros] = await admin.time();
    expect(Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - permit.grantedAt).toBeGreaterThanOrEqual(201);
  });

  it('unsubscribing a waiter leaves nothing in Redis and cancels its timer: the next caller is granted when the first would have been', async () => {
    const name = fresh();
    const key = `rxc:${name}:r`;
    const admin = server.client();
    const clientA = server.client();
    const { scheduler, timers } = timed();
    const a = new RedisRateLimiter(clientA, name, { limit: 1, interval: 300, burst: 1, scheduler });
    const b = limiter(name, { limit: 1, interval: 300, burst: 1 });
    const first = await a.acquireAsync();
    const fromA = await addressOf(clientA);
    const stored = await admin.hgetall(key);
    const recording = await monitor(server.port);
    const states: GateState[] = [];
    a.state$.subscribe((state) => states.push(state));
    let granted = false;
    const waiting = a.acquire().subscribe(() => (granted = true));
    // Refused, it waits on one timer armed for the time Redis said.
    await until(() => timers.length === 1, 2_000, 'the timer of the waiter');
    expect(timers[0]!.closed).toBe(false);
    // state$ asks Redis for the state (a RATE of weight 0) once its channel is subscribed: that is
    // not the waiter's doing, so it is sent before the waiter leaves.
    const stateAsked = (c: MonitoredCommand): boolean => c.source === fromA && rateWeight(c.args, key) === 0;
    await until(() => recording.commands.some(stateAsked), 2_000, "state$'s request for the state");
    const left = await caughtUp(recording, clientA, fromA);
    waiting.unsubscribe();
    expect(timers[0]!.closed).toBe(true);
    expect(await admin.hgetall(key)).toEqual(stored);
    const next = await b.acquireAsync();
    expect(granted).toBe(false);
    expect(next.grantedAt - first.grantedAt).toBeGreaterThanOrEqual(300);
    expect(next.grantedAt - first.grantedAt).toBeLessThan(350);
    // Leaving sent nothing: there is nothing in Redis to take back.
    expect(await sentBy(recording, clientA, fromA, left)).toEqual(['ping']);
    expect(timers).toHaveLength(1);
    expect(states.map((s) => s.waiting)).toEqual([0, 1, 0]);
  });

  it('a waiter that leaves while its script is in flight: the grant made for it goes to the next waiter, not to waste', async () => {
    const name = fresh();
    const rate = limiter(name, { limit: 1, interval: 3_000, burst: 1 });
    const recording = await monitor(server.port);
    const first = rate.acquire().subscribe();
    const second = rate.acquireAsync();
    first.unsubscribe();
    const permit = await second;
    const steps = await stopAfter(recording, `rxc:${name}:r`, 1);
    // One script, one grant: the one made for `first`.
    expect(steps.map((s) => s.granted?.t)).toEqual([permit.grantedAt]);
  });

  it('acquireAsync({ signal }): an abort while waiting rejects with signal.reason and leaves nothing; an aborted signal sends nothing', async () => {
    const name = fresh();
    const client = server.client();
    const { scheduler, timers } = timed();
    const rate = new RedisRateLimiter(client, name, { limit: 1, interval: 3_000, burst: 1, scheduler });
    await rate.acquireAsync();
    const address = await addressOf(client);
    const stored = await server.client().hgetall(`rxc:${name}:r`);
    const controller = new AbortController();
    const waiting = rate.acquireAsync({ signal: controller.signal });
    await until(() => timers.length === 1, 2_000, 'the timer of the waiter');
    const reason = new Error('gave up');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(timers[0]!.closed).toBe(true);
    expect(await server.client().hgetall(`rxc:${name}:r`)).toEqual(stored);
    const recording = await monitor(server.port);
    await expect(rate.acquireAsync({ signal: controller.signal })).rejects.toBe(reason);
    expect(await sentBy(recording, client, address)).toEqual(['ping']);
  });

  it('tryAcquireAsync: the grant when due now, else undefined with nothing written', async () => {
    const name = fresh();
    const rate = limiter(name, { limit: 2, interval: 3_000, burst: 2 });
    const a = await rate.tryAcquireAsync(2);
    expect(a?.grantedAt).toEqual(expect.any(Number));
    const stored = await server.client().hgetall(`rxc:${name}:r`);
    expect(await rate.tryAcquireAsync()).toBeUndefined();
    expect(await server.client().hgetall(`rxc:${name}:r`)).toEqual(stored);
    // A grant is never given back: release frees nothing.
    a!.release();
    expect(a!.released).toBe(true);
    expect(await rate.tryAcquireAsync()).toBeUndefined();
  });

  it("state$: total is burst, available as Redis reports it after any process's grant, waiting the waiters of this process", async () => {
    const name = fresh();
    const { scheduler, timers } = timed();
    // One refills every 1.5 s: what is available does not change while the test looks.
    const a = new RedisRateLimiter(server.client(), name, { limit: 2, interval: 3_000, burst: 2, scheduler });
    const b = limiter(name, { limit: 2, interval: 3_000, burst: 2 });
    const states: GateState[] = [];
    const observing = a.state$.subscribe((state) => states.push(state));
    const admin = server.client();
    await until(async () => ((await admin.pubsub('NUMSUB', `rxc:${name}:r`)) as [string, number])[1] === 1, 2_000, 'a to listen');
    for (let i = 0; i < 2; i++) {
      await b.acquireAsync();
      await until(() => states.at(-1)!.available === 1 - i, 2_000, `available ${1 - i}`);
    }
    const waiting = a.acquire().subscribe();
    await until(() => timers.length === 1, 2_000, 'the timer of the waiter');
    waiting.unsubscribe();
    observing.unsubscribe();
    expect(states).toEqual([
      { total: 2, available: 2, waiting: 0 },
      { total: 2, available: 1, waiting: 0 },
      { total: 2, available: 0, waiting: 0 },
      { total: 2, available: 0, waiting: 1 },
      { total: 2, available: 0, waiting: 0 },
    ]);
  });

  it('withPermit and boundedMap({ limiter }) take it: every task starts on a grant of its own, within the bound', async () => {
    const name = fresh();
    const key = `rxc:${name}:r`;
    const bound = { limit: 2, interval: 200, burst: 2 };
    const rate = limiter(name, bound);
    const recording = await monitor(server.port);
    const mapped = await lastValueFrom(
      from([1, 2, 3, 4]).pipe(
        boundedMap((x) => of(x * 10), 4, { limiter: rate }),
        toArray(),
      ),
    );
    const piped = await lastValueFrom(merge(...[5, 6].map((x) => defer(() => of(x)).pipe(withPermit(rate)))).pipe(toArray()));
    const steps = await stopAfter(recording, key, 6);
    expect(mapped).toEqual([10, 20, 30, 40]);
    expect(piped.sort()).toEqual([5, 6]);
    const granted = steps.filter((s) => s.granted !== undefined).map((s) => s.granted!);
    expect(granted).toHaveLength(6);
    expect(gcraBreaches(steps, bound)).toEqual([]);
    expect(granted.map((g) => 2 * g.t + g.d - 2 * granted[0]!.t)).toEqual([200, 400, 600, 800, 1000, 1200]);
  });

  it('run(): the work starts after the grant and its result is mirrored; an already-started Promise is refused', async () => {
    const rate = limiter(fresh(), { limit: 5, interval: 1_000 });
    expect(await firstValueFrom(rate.run((signal) => Promise.resolve(signal.aborted ? 'aborted' : 'ran')))).toBe('ran');
    expect(() => rate.run(Promise.resolve(1) as never)).toThrow(TypeError);
  });

  it('errors from Redis reach the Observable and the promise, never an unhandled rejection; the next waiter asks again', async () => {
    const broken = new Error('ERR the server refused it');
    let calls = 0;
    const failing: RedisLike = {
      evalsha: () => (calls++, Promise.reject(broken)),
      eval: () => Promise.reject(broken),
      duplicate: () => {
        throw new Error('not used');
      },
    };
    const rate = new RedisRateLimiter(failing, 'broken', { limit: 1, interval: 1_000 });
    const errors: unknown[] = [];
    const subscriptions: Subscription[] = [
      rate.acquire().subscribe({ error: (e: unknown) => errors.push(e) }),
      rate.run(() => of(1)).subscribe({ error: (e: unknown) => errors.push(e) }),
    ];
    await expect(rate.acquireAsync()).rejects.toBe(broken);
    await expect(rate.tryAcquireAsync()).rejects.toBe(broken);
    expect(errors).toEqual([broken, broken]);
    expect(calls).toBe(4);
    subscriptions.forEach((s) => s.unsubscribe());
  });
});

describe('RedisRateLimiter when Redis restarts', () => {
  it('redis-server restarted without persistence right after a burst: the grants after it wait, so the bound holds across the restart', async () => {
    const gateServer = await RedisServer.start();
    try {
      const bound = { limit: 2, interval: 1_000, burst: 2 };
      await gateServer.aged(0);
      const rate = new RedisRateLimiter(gateServer.client(), fresh(), bound);
      const before = await Promise.all([rate.acquireAsync(), rate.acquireAsync()]);
      await gateServer.restart();
      const after = await Promise.all([rate.acquireAsync(), rate.acquireAsync()]);
      const grants = [...before, ...after].map((p) => ({ at: p.grantedAt, weight: 1 }));
      expect(rateBreaches(grants, bound)).toEqual([]);
      // The restarted server forgot the burst: it counts its bucket as empty when it started, so
      // the first grant after waits half an interval, as if the burst had been at its start.
      expect(after[0].grantedAt - before[1].grantedAt).toBeGreaterThanOrEqual(500);
    } finally {
      await gateServer.stop();
    }
  }, 30_000);
});

describe('RedisRateLimiter across processes', () => {
  const workers: Worker[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });

  it('4 worker processes hammer one limiter (limit 20 / interval 200 / burst 5, weights 1 and 2): no window of the merged Redis grant times holds more than the bound', async () => {
    const name = fresh();
    const bound = { limit: 20, interval: 200, burst: 5 };
    const recording = await monitor(server.port);
    const fleet = ['w1', 'w2', 'w3', 'w4'].map((id) => new Worker({ id, port: server.port, name, ...bound }, 'rateWorker.mjs'));
    workers.push(...fleet);
    await Promise.all(fleet.map((worker) => worker.next((e) => e.event === 'ready')));
    for (const worker of fleet) worker.send({ do: 'grants', count: 30, weights: [1, 1, 2] });
    const done = await Promise.all(fleet.map((worker) => worker.next((e) => e.event === 'done' || e.event === 'error', 30_000)));
    expect(done.map((e) => e.event)).toEqual(['done', 'done', 'done', 'done']);
    const steps = await stopAfter(recording, `rxc:${name}:r`, 120);
    const grants = done.flatMap((e) => e.grants!);
    expect(grants).toHaveLength(120);
    expect(rateBreaches(grants, bound)).toEqual([]);
    // Redis's own record agrees: one stored grant per reported one, at the same times, and each
    // stored state is GCRA's from the one before, whichever process asked.
    const stored = steps.filter((s) => s.granted !== undefined);
    expect(stored.map((s) => s.granted!.t)).toEqual(grants.map((g) => g.at).sort((x, y) => x - y));
    expect(new Set(stored.map((s) => s.source)).size).toBe(4);
    expect(gcraBreaches(steps, bound)).toEqual([]);
    // 160 of weight: 5 at once, then 20 per 200 ms: the last 1549 ms after the first at the soonest.
    const span = stored.at(-1)!.granted!.t - stored[0]!.granted!.t;
    expect(span).toBeGreaterThanOrEqual(1_549);
    expect(span).toBeLessThan(3_000);
  }, 60_000);
});
