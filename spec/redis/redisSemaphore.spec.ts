import { AsyncLocalStorage } from 'node:async_hooks';
import { Observable, defer, firstValueFrom, lastValueFrom, mergeMap, range, take, timer, toArray, map } from 'rxjs';
import { boundedMap, effectiveDeadline, failAfter, withPermit, type GateState } from 'rxjs-concurrency';
import { LeaseLostError, RedisLock, RedisSemaphore, type RedisPermit } from 'rxjs-concurrency/redis';
import { addressOf, frozen, heldOf, idle, keysOf, lineOf, monitor, sleep, until } from './helpers';
import { RedisServer } from './server';

/*
 * RedisSemaphore and RedisLock against a real redis-server, several clients in this process (each
 * its own connection, so Redis sees separate processes). What needs separate OS processes
 * (crashes, pauses) is in fleet.spec.ts. These are real-time tests: elapsed times are asserted
 * only as loosely as the semantics need.
 */

const LEASE = 1_000;
let server: RedisServer;
let names = 0;
/** A fresh gate name per test, so that no test sees another's keys. */
const fresh = (): string => `t${++names}`;

beforeAll(async () => {
  server = await RedisServer.start();
  await server.aged(LEASE);
}, 20_000);

afterAll(() => server.stop());

function semaphore(
  permits: number,
  name: string,
  options: { leaseMs?: number; refreshMs?: number; scheduler?: typeof frozen } = {},
): RedisSemaphore {
  return new RedisSemaphore(server.client(), name, permits, { leaseMs: LEASE, ...options });
}

describe('RedisSemaphore', () => {
  it('uncontended: acquireAsync then release, the keys gone a lease after nothing is held', async () => {
    const name = fresh();
    const gate = semaphore(2, name);
    const admin = server.client();
    const permit = await gate.acquireAsync();
    expect(await heldOf(admin, `rxc:${name}`)).toBe(1);
    permit.release();
    permit.release();
    await until(() => idle(admin, `rxc:${name}`), 2_000, 'the permit back');
    expect(Object.keys(await keysOf(admin, `rxc:${name}`))).toEqual([`rxc:${name}:m`]);
    await until(async () => Object.keys(await keysOf(admin, `rxc:${name}`)).length === 0, LEASE + 2_000, 'the keys to go');
    expect(permit.released).toBe(true);
  });

  it('never more than permits: 3 clients x 20 run() on RedisSemaphore(2), in flight across all of them peaks at exactly 2', async () => {
    const name = fresh();
    let inFlight = 0;
    let peak = 0;
    const task = () =>
      defer(() => {
        peak = Math.max(peak, ++inFlight);
        return timer(5);
      }).pipe(map(() => inFlight--));
    const gates = [1, 2, 3].map(() => semaphore(2, name));
    const results = await Promise.all(
      gates.map((gate) =>
        lastValueFrom(
          range(0, 20).pipe(
            mergeMap(() => gate.run(task)),
            toArray(),
          ),
        ),
      ),
    );
    expect(results.map((r) => r.length)).toEqual([20, 20, 20]);
    expect(peak).toBe(2);
    expect(inFlight).toBe(0);
  });

  it('FIFO across clients: grants follow the order in which Redis queued the waiters', async () => {
    const name = fresh();
    const holder = semaphore(1, name);
    const first = await holder.acquireAsync();
    const order: number[] = [];
    const admin = server.client();
    const waiters: Promise<RedisPermit>[] = [];
    // Each waiter is in line before the next asks, so the queue order is 0..5.
    for (let i = 0; i < 6; i++) {
      const gate = semaphore(1, name);
      waiters.push(gate.acquireAsync().then((permit) => (order.push(i), permit)));
      await until(async () => (await lineOf(admin, `rxc:${name}`)).length === i + 1, 2_000, 'the waiter in line');
    }
    first.release();
    for (const waiter of waiters) (await waiter).release();
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('weighted, head of line: a waiter of weight 3 at the head blocks a later waiter of weight 1', async () => {
    const name = fresh();
    const a = semaphore(3, name);
    const b = semaphore(3, name);
    const c = semaphore(3, name);
    const one = await a.acquireAsync({ weight: 1 });
    const log: string[] = [];
    const heavy = b.acquireAsync({ weight: 3 }).then((permit) => (log.push('heavy'), permit));
    await until(async () => (await lineOf(server.client(), `rxc:${name}`)).length === 1);
    const light = c.acquireAsync({ weight: 1 }).then((permit) => (log.push('light'), permit));
    await sleep(100);
    expect(log).toEqual([]);
    one.release();
    (await heavy).release();
    (await light).release();
    expect(log).toEqual(['heavy', 'light']);
  });

  it('no polling: between its ACQUIRE and the pub/sub push of its grant, a waiter sends Redis nothing but heartbeats', async () => {
    const name = fresh();
    const holder = semaphore(1, name, { leaseMs: 3_000 });
    const waiterClient = server.client();
    const waiter = new RedisSemaphore(waiterClient, name, 1, { leaseMs: 3_000, refreshMs: 1_000 });
    // The grant channel of the waiter's process is subscribed once, by a first wait.
    const warmUp = await holder.acquireAsync();
    const warm = waiter.acquireAsync();
    await until(async () => (await lineOf(server.client(), `rxc:${name}`)).length === 1);
    warmUp.release();
    (await warm).release();

    const permit = await holder.acquireAsync();
    const address = await addressOf(waiterClient);
    const recording = await monitor(server.port);
    const granted = waiter.acquireAsync();
    await sleep(1_500);
    const released = Date.now();
    permit.release();
    const second = await granted;
    const latency = Date.now() - released;
    await sleep(20);
    recording.stop();
    second.release();
    const scripts = recording.commands.filter((c) => c.source === address).map((c) => c.args[0]!.toLowerCase());
    // Its ACQUIRE, one heartbeat (refreshMs 1000 within 1.5 s), and nothing after the release.
    expect(scripts).toEqual(['evalsha', 'evalsha']);
    expect(latency).toBeLessThan(500);
  });

  it('a change of state is published with its version exact: Redis TIME in µs, all 16 digits (Lua prints numbers with 14)', async () => {
    const name = fresh();
    const gate = semaphore(1, name);
    const recording = await monitor(server.port);
    (await gate.acquireAsync()).release();
    await until(
      () => recording.commands.filter((c) => c.args[0]!.toUpperCase() === 'PUBLISH' && c.args[1] === `rxc:${name}:s`).length === 2,
      2_000,
      'both changes published',
    );
    recording.stop();
    const messages = recording.commands
      .filter((c) => c.args[0]!.toUpperCase() === 'PUBLISH' && c.args[1] === `rxc:${name}:s`)
      .map((c) => c.args[2]!);
    expect(messages).toEqual([expect.stringMatching(/^\d{16},1,1,0$/), expect.stringMatching(/^\d{16},1,0,0$/)]);
  });

  it('every change is one script: EVALSHA, and EVAL once after a SCRIPT FLUSH answered NOSCRIPT', async () => {
    const name = fresh();
    const client = server.client();
    const gate = new RedisSemaphore(client, name, 1, { leaseMs: LEASE });
    (await gate.acquireAsync()).release();
    await sleep(20);
    const address = await addressOf(client);
    await server.client().script('FLUSH');
    const recording = await monitor(server.port);
    for (let i = 0; i < 2; i++) {
      (await gate.acquireAsync()).release();
      await sleep(20);
    }
    recording.stop();
    const sent = recording.commands.filter((c) => c.source === address).map((c) => c.args[0]!.toLowerCase());
    // ACQUIRE: NOSCRIPT then EVAL; LEAVE: NOSCRIPT then EVAL; then EVALSHA for both.
    expect(sent).toEqual(['evalsha', 'eval', 'evalsha', 'eval', 'evalsha', 'evalsha']);
  });

  it('leases are refreshed in the background: a permit held for 3 leases is kept, and nobody else gets it', async () => {
    const name = fresh();
    const holder = semaphore(1, name, { leaseMs: 300 });
    const other = semaphore(1, name, { leaseMs: 300 });
    const permit = await holder.acquireAsync();
    expect(await other.tryAcquireAsync()).toBeUndefined();
    await sleep(900);
    expect(await other.tryAcquireAsync()).toBeUndefined();
    expect(permit.signal.aborted).toBe(false);
    permit.release();
    await until(async () => (await heldOf(server.client(), `rxc:${name}`)) === 0);
    const next = await other.tryAcquireAsync();
    expect(next).toBeDefined();
    next!.release();
  });

  it('a holder that stops refreshing loses its permit when its lease ends, and the next waiter is granted then', async () => {
    const name = fresh();
    const dead = semaphore(1, name, { leaseMs: 500, scheduler: frozen });
    const waiter = semaphore(1, name, { leaseMs: 500 });
    await dead.acquireAsync();
    const asked = Date.now();
    const permit = await waiter.acquireAsync();
    const waited = Date.now() - asked;
    permit.release();
    expect(waited).toBeGreaterThanOrEqual(400);
    expect(waited).toBeLessThan(500 + 1_000);
  });

  it('a waiter that stops refreshing leaves the line when its heartbeat lapses, so it never blocks the line', async () => {
    const name = fresh();
    const admin = server.client();
    const holder = semaphore(1, name, { leaseMs: 500 });
    const dead = semaphore(1, name, { leaseMs: 500, scheduler: frozen });
    const live = semaphore(1, name, { leaseMs: 500 });
    const permit = await holder.acquireAsync();
    void dead.acquireAsync();
    await until(async () => (await lineOf(admin, `rxc:${name}`)).length === 1);
    const granted = live.acquireAsync();
    await until(async () => (await lineOf(admin, `rxc:${name}`)).length === 2);
    await sleep(700);
    expect(await lineOf(admin, `rxc:${name}`)).toHaveLength(1);
    permit.release();
    (await granted).release();
  });

  it("lease lost: the work's signal aborts with LeaseLostError and run() errors with it; an acquire() subscriber gets it too", async () => {
    const name = fresh();
    const admin = server.client();
    const gate = semaphore(2, name, { leaseMs: 300 });
    let reason: unknown;
    const ran = lastValueFrom(
      gate.run(
        (signal) =>
          new Observable<never>(() => () => {
            reason = signal.reason;
          }),
      ),
    ).catch((error: unknown) => error);
    const acquired = new Promise<unknown>((resolve) => gate.acquire().subscribe({ error: resolve }));
    await until(async () => (await heldOf(admin, `rxc:${name}`)) === 2);
    // Redis forgets the gate (a FLUSHALL, a failover to a replica that never saw it).
    await admin.del(`rxc:${name}:x`, `rxc:${name}:q`, `rxc:${name}:w`, `rxc:${name}:m`);
    const error = await ran;
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as Error).message).toBe(`RedisSemaphore "${name}": the lease of a held permit was lost (Redis no longer had it)`);
    expect(reason).toBe(error);
    expect(await acquired).toBeInstanceOf(LeaseLostError);
  });

  it('lease lost by an acquireAsync permit: its signal aborts with LeaseLostError', async () => {
    const name = fresh();
    const gate = semaphore(1, name, { leaseMs: 300 });
    const permit = await gate.acquireAsync();
    await server.client().del(`rxc:${name}:x`);
    await until(() => permit.signal.aborted, 2_000, 'the permit signal');
    expect(permit.signal.reason).toBeInstanceOf(LeaseLostError);
    expect(permit.released).toBe(true);
  });

  it('partition: a holder cut off from Redis aborts its work at its local deadline, before Redis gives the permit to the next waiter', async () => {
    const name = fresh();
    const admin = server.client();
    // Reconnects only 3 s after losing its connection: cut off for longer than the lease.
    const cut = server.client({ retryStrategy: () => 3_000 });
    const holder = new RedisSemaphore(cut, name, 1, { leaseMs: 500 });
    const waiter = semaphore(1, name, { leaseMs: 500 });
    const events: string[] = [];
    const ran = lastValueFrom(
      holder.run(
        (signal) =>
          new Observable<never>(() =>
            signal.addEventListener('abort', () => events.push(`holder aborted with ${(signal.reason as Error).name}`)),
          ),
      ),
    ).catch((error: unknown) => error);
    await until(async () => (await heldOf(admin, `rxc:${name}`)) === 1);
    const granted = waiter.acquireAsync().then((permit) => (events.push('waiter granted'), permit));
    await until(async () => (await lineOf(admin, `rxc:${name}`)).length === 1);
    await admin.client('KILL', 'ID', String(await cut.client('ID')));
    const permit = await granted;
    expect(events).toEqual(['holder aborted with LeaseLostError', 'waiter granted']);
    const error = await ran;
    expect(error).toBeInstanceOf(LeaseLostError);
    expect((error as Error).message).toBe(
      `RedisSemaphore "${name}": the lease of a held permit was lost (no refresh reached Redis within 500 ms)`,
    );
    permit.release();
  }, 10_000);

  it('cancel while waiting removes the waiter from Redis: unsubscribe, and an aborted acquireAsync rejects with the reason', async () => {
    const name = fresh();
    const admin = server.client();
    const holder = semaphore(1, name);
    const waiter = semaphore(1, name);
    const permit = await holder.acquireAsync();
    const subscription = waiter.acquire().subscribe();
    const controller = new AbortController();
    const aborted = waiter.acquireAsync({ signal: controller.signal }).catch((error: unknown) => error);
    await until(async () => (await lineOf(admin, `rxc:${name}`)).length === 2);
    subscription.unsubscribe();
    controller.abort(new Error('no longer needed'));
    expect(await aborted).toEqual(new Error('no longer needed'));
    await until(async () => (await lineOf(admin, `rxc:${name}`)).length === 0, 2_000, 'the line to empty');
    permit.release();
    await until(async () => (await heldOf(admin, `rxc:${name}`)) === 0);
  });

  it('cancel in the same instant as the grant: the permit granted is released, exactly once', async () => {
    for (let round = 0; round < 20; round++) {
      const name = fresh();
      const admin = server.client();
      const holder = semaphore(1, name);
      const waiter = semaphore(1, name);
      const permit = await holder.acquireAsync();
      let grants = 0;
      const subscription = waiter.acquire().subscribe(() => grants++);
      await until(async () => (await lineOf(admin, `rxc:${name}`)).length === 1);
      // The release grants the waiter in Redis while the waiter is cancelling.
      permit.release();
      if (round % 2 === 0) await sleep(round / 4);
      subscription.unsubscribe();
      await until(() => idle(admin, `rxc:${name}`), 2_000, 'the gate to empty');
      expect(grants).toBeLessThanOrEqual(1);
      const next = await waiter.tryAcquireAsync();
      expect(next).toBeDefined();
      next!.release();
    }
  });

  it('cancel before Redis even answered the ACQUIRE: the token leaves right after it joins', async () => {
    const name = fresh();
    const admin = server.client();
    const holder = semaphore(1, name);
    const permit = await holder.acquireAsync();
    semaphore(1, name).acquire().subscribe().unsubscribe();
    // Its ACQUIRE ran (the line's counter moved), and the line is empty again.
    await until(
      async () => (await admin.hget(`rxc:${name}:m`, 'seq')) === '1' && (await lineOf(admin, `rxc:${name}`)).length === 0,
      2_000,
      'the token to join and leave',
    );
    permit.release();
  });

  it('every key has a TTL while the gate is in use, at most a lease and a second, and the last goes a lease and a second after nothing is held or waits', async () => {
    const name = fresh();
    const admin = server.client();
    const gate = semaphore(1, name);
    const permit = await gate.acquireAsync();
    const waiting = semaphore(1, name).acquireAsync();
    await until(async () => (await lineOf(admin, `rxc:${name}`)).length === 1);
    const keys = await keysOf(admin, `rxc:${name}`);
    expect(Object.keys(keys)).toEqual([`rxc:${name}:m`, `rxc:${name}:q`, `rxc:${name}:w`, `rxc:${name}:x`]);
    for (const ttl of Object.values(keys)) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(LEASE + 1_000);
    }
    permit.release();
    (await waiting).release();
    await until(() => idle(admin, `rxc:${name}`), 2_000, 'the permits back');
    const left = await keysOf(admin, `rxc:${name}`);
    expect(Object.keys(left)).toEqual([`rxc:${name}:m`]);
    expect(left[`rxc:${name}:m`]).toBeGreaterThan(0);
    expect(left[`rxc:${name}:m`]).toBeLessThanOrEqual(LEASE + 1_000);
    await until(async () => Object.keys(await keysOf(admin, `rxc:${name}`)).length === 0, LEASE + 2_000, 'the keys to go');
  });

  it('10^4 waiters cancelled, then KEYS prefix:* is empty', async () => {
    const prefix = 'many';
    const admin = server.client();
    const gate = new RedisSemaphore(server.client(), 'crowd', 1, { prefix, leaseMs: 5_000 });
    const holder = await gate.acquireAsync();
    const subscriptions = Array.from({ length: 10_000 }, () => gate.acquire().subscribe());
    await until(async () => (await admin.zcard(`${prefix}:crowd:q`)) === 10_000, 20_000, '10^4 waiters in line');
    for (const subscription of subscriptions) subscription.unsubscribe();
    holder.release();
    await until(async () => (await admin.keys(`${prefix}:*`)).length === 0, 20_000, 'every key to go');
  }, 40_000);

  it('errors from Redis reach the Observable, never an unhandled rejection: a gate on a server that is not there', async () => {
    const dead = server.client({ port: 1, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
    const gate = new RedisSemaphore(dead, fresh(), 1, { leaseMs: LEASE });
    const error = await lastValueFrom(gate.run(() => [1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    await expect(gate.acquireAsync()).rejects.toBeInstanceOf(Error);
    await expect(gate.tryAcquireAsync()).rejects.toBeInstanceOf(Error);
  });

  it('tryAcquireAsync: a permit when free, undefined when it would wait, and nothing left in Redis for the refusal', async () => {
    const name = fresh();
    const admin = server.client();
    const gate = semaphore(2, name);
    const a = await gate.tryAcquireAsync(2);
    expect(a).toBeDefined();
    expect(await gate.tryAcquireAsync()).toBeUndefined();
    expect(await lineOf(admin, `rxc:${name}`)).toEqual([]);
    a!.release();
    await until(async () => (await heldOf(admin, `rxc:${name}`)) === 0);
  });

  it('state$: the cluster-wide { total, available, waiting }, with the changes made by other clients', async () => {
    const name = fresh();
    const watcher = semaphore(2, name);
    const states: GateState[] = [];
    const subscription = watcher.state$.subscribe((state) => states.push(state));
    const admin = server.client();
    await until(
      async () => ((await admin.pubsub('NUMSUB', `rxc:${name}:s`)) as [string, number])[1] === 1,
      2_000,
      'the watcher subscribed',
    );
    const other = semaphore(2, name);
    const a = await other.acquireAsync();
    const b = await other.acquireAsync();
    const c = other.acquireAsync();
    await until(() => states.at(-1)?.waiting === 1, 2_000, 'the waiter to show');
    a.release();
    (await c).release();
    b.release();
    await until(() => states.at(-1)?.available === 2, 2_000, 'everything back');
    subscription.unsubscribe();
    expect(states[0]).toEqual({ total: 2, available: 2, waiting: 0 });
    expect(states).toContainEqual({ total: 2, available: 1, waiting: 0 });
    expect(states).toContainEqual({ total: 2, available: 0, waiting: 1 });
    expect(states.at(-1)).toEqual({ total: 2, available: 2, waiting: 0 });
  });

  it("is a GateLike: withPermit and boundedMap's limiter take it", async () => {
    const gate = semaphore(1, fresh());
    let inFlight = 0;
    let peak = 0;
    const work = (x: number) =>
      defer(() => {
        peak = Math.max(peak, ++inFlight);
        return timer(2).pipe(map(() => (inFlight--, x * 2)));
      });
    expect(await lastValueFrom(work(21).pipe(withPermit(gate)))).toBe(42);
    const out = await lastValueFrom(
      range(0, 5).pipe(
        boundedMap((x) => work(x), 5, { limiter: gate }),
        toArray(),
      ),
    );
    expect(out).toEqual([0, 2, 4, 6, 8]);
    expect(peak).toBe(1);
  });

  it('run() keeps the context of its subscriber: the enclosing deadline and the AsyncLocalStorage store', async () => {
    const gate = semaphore(1, fresh());
    const store = new AsyncLocalStorage<string>();
    const seen = await store.run('request-7', () =>
      lastValueFrom(gate.run(() => defer(async () => [store.getStore(), effectiveDeadline()])).pipe(failAfter(60_000))),
    );
    expect(seen[0]).toBe('request-7');
    expect(seen[1]).toBeLessThan(Infinity);
  });

  it('unsubscribing from run() while the work runs aborts its signal with an AbortError and gives the permit back', async () => {
    const name = fresh();
    const admin = server.client();
    const gate = semaphore(1, name);
    let seen: AbortSignal | undefined;
    const subscription = gate.run((signal) => new Observable<never>(() => void (seen = signal))).subscribe();
    await until(() => seen !== undefined, 2_000, 'the work to start');
    subscription.unsubscribe();
    await until(async () => (await heldOf(admin, `rxc:${name}`)) === 0);
    expect((seen!.reason as Error).name).toBe('AbortError');
  });
});

describe('RedisLock', () => {
  it('one holder at a time across clients; the next gets it on release', async () => {
    const name = fresh();
    const a = new RedisLock(server.client(), name, { leaseMs: LEASE });
    const b = new RedisLock(server.client(), name, { leaseMs: LEASE });
    const log: string[] = [];
    const first = lastValueFrom(a.run(() => defer(async () => (log.push('a start'), await sleep(30), log.push('a end')))));
    await until(() => log.length > 0, 2_000, 'a to hold the lock');
    const second = firstValueFrom(
      b.acquire().pipe(
        take(1),
        map(() => log.push('b')),
      ),
    );
    await Promise.all([first, second]);
    expect(log).toEqual(['a start', 'a end', 'b']);
  });
});
