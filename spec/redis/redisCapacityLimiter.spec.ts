import type { GateState } from 'rxjs-concurrency';
import { RedisCapacityLimiter, type RedisPermit } from 'rxjs-concurrency/redis';
import { keysOf, lineOf, sleep, until } from './helpers';
import { RedisServer } from './server';

/* RedisCapacityLimiter: a total kept in Redis, resized from any process. Real time, real server. */

const LEASE = 1_000;
let server: RedisServer;

beforeAll(async () => {
  server = await RedisServer.start();
  await server.aged(LEASE);
}, 20_000);

afterAll(() => server.stop());

const limiter = (name: string, total: number): RedisCapacityLimiter =>
  new RedisCapacityLimiter(server.client(), name, total, { leaseMs: LEASE });

describe('RedisCapacityLimiter', () => {
  it('raising totalTokens in one process grants the waiters of the others at once, in the order they queued', async () => {
    const a = limiter('grow', 1);
    const b = limiter('grow', 1);
    const admin = server.client();
    const held = await a.acquireAsync();
    const order: number[] = [];
    const waiting: Promise<RedisPermit>[] = [];
    for (let i = 0; i < 3; i++) {
      waiting.push(b.acquireAsync().then((permit) => (order.push(i), permit)));
      await until(async () => (await lineOf(admin, 'rxc:grow')).length === i + 1);
    }
    a.totalTokens = 3;
    expect(a.totalTokens).toBe(3);
    const permits = await Promise.race([Promise.all(waiting.slice(0, 2)), sleep(2_000).then(() => [])]);
    expect(permits).toHaveLength(2);
    expect(order).toEqual([0, 1]);
    // The other process learns the total with its next reply from Redis (a refresh at the latest).
    await until(() => b.totalTokens === 3, LEASE);
    held.release();
    const last = await waiting[2]!;
    expect(order).toEqual([0, 1, 2]);
    for (const permit of [...permits, last]) permit.release();
  });

  it('lowering totalTokens revokes nothing: holders keep their tokens, new grants wait until fewer than the total are borrowed', async () => {
    const a = limiter('shrink', 3);
    const b = limiter('shrink', 3);
    const held = await Promise.all([a.acquireAsync(), a.acquireAsync(), a.acquireAsync()]);
    const states: GateState[] = [];
    const subscription = b.state$.subscribe((state) => states.push(state));
    a.totalTokens = 1;
    await until(() => states.at(-1)?.total === 3 && states.at(-1)?.available === 0);
    const next = b.acquireAsync();
    let granted = false;
    void next.then(() => (granted = true));
    held[0].release();
    held[1].release();
    await sleep(200);
    expect(granted).toBe(false);
    expect(held[2].signal.aborted).toBe(false);
    held[2].release();
    (await next).release();
    await until(() => states.at(-1)?.available === 1 && states.at(-1)?.total === 1);
    subscription.unsubscribe();
  });

  it('the total set is stored in Redis with a TTL (a day), so a new process sees it; the other keys go a lease after nothing is held', async () => {
    const admin = server.client();
    const a = limiter('stored', 2);
    a.totalTokens = 5;
    await until(async () => (await admin.get('rxc:stored:t')) === '5');
    const later = limiter('stored', 2);
    const permit = await later.acquireAsync();
    expect(later.totalTokens).toBe(5);
    permit.release();
    await until(async () => Object.keys(await keysOf(admin, 'rxc:stored')).length === 1, LEASE + 2_000);
    const ttl = (await keysOf(admin, 'rxc:stored'))['rxc:stored:t']!;
    expect(ttl).toBeGreaterThan(86_000_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000);
  });

  it('Infinity: every acquire is granted, and the state shows it', async () => {
    const a = limiter('unbounded', Infinity);
    const permits = await Promise.all(Array.from({ length: 20 }, () => a.acquireAsync()));
    expect(a.totalTokens).toBe(Infinity);
    for (const permit of permits) permit.release();
  });
});
