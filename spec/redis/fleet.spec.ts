import { RedisSemaphore } from 'rxjs-concurrency/redis';
import { Worker, type WorkerEvent } from './fleet';
import { lineOf, monitor, sleep, until } from './helpers';
import { RedisServer } from './server';

/*
 * The fleet: worker processes (child_process.fork) sharing one RedisSemaphore, and the failures
 * that only separate processes can have: a holder killed, a holder paused past its lease, Redis
 * restarted under them, a waiter's connections killed. "In use" is an audit counter each task
 * increments after its grant and decrements before it ends (spec/redis/worker.mjs).
 */

let server: RedisServer;
const workers: Worker[] = [];

beforeAll(async () => {
  server = await RedisServer.start();
  await server.aged(2_000);
}, 20_000);

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop()));
});

afterAll(() => server.stop());

async function spawn(config: Omit<ConstructorParameters<typeof Worker>[0], 'port'> & { port?: number }): Promise<Worker> {
  const worker = new Worker({ port: server.port, ...config });
  workers.push(worker);
  await worker.next((e) => e.event === 'ready');
  return worker;
}

const of = (worker: Worker, event: string): WorkerEvent[] => worker.events.filter((e) => e.event === event);

/**
 * From what MONITOR saw of the gate `base`: every token that asked (its weight written to `:w`),
 * those that joined the line, in order, and those granted from the line, in order (a grant is the
 * ZREM from the line followed by the ZADD of the lease). A token that found nobody waiting and
 * room for it was granted without joining the line.
 */
function lineEvents(commands: { args: string[] }[], base: string): { asked: string[]; queued: string[]; granted: string[] } {
  const asked: string[] = [];
  const queued: string[] = [];
  const granted: string[] = [];
  commands.forEach(({ args }, i) => {
    const [command, key] = [args[0]!.toUpperCase(), args[1]];
    if (command === 'HSET' && key === `${base}:w`) asked.push(args[2]!);
    if (command === 'ZADD' && key === `${base}:q`) queued.push(args[3]!);
    const next = commands[i + 1]?.args;
    if (command === 'ZREM' && key === `${base}:q` && next?.[0]!.toUpperCase() === 'ZADD' && next[1] === `${base}:x` && next[3] === args[2])
      granted.push(args[2]!);
  });
  return { asked, queued, granted };
}

describe('a fleet of worker processes on one RedisSemaphore', () => {
  it('4 processes x 50 tasks on RedisSemaphore(3): never more than 3 in use across them, exactly 3 at the peak, granted in the order Redis queued them', async () => {
    const name = 'fleet';
    const recording = await monitor(server.port);
    const fleet = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((id) => spawn({ id, name, permits: 3, leaseMs: 2_000 })));
    for (const worker of fleet) worker.send({ do: 'tasks', count: 50, ms: 10 });
    await Promise.all(fleet.map((worker) => worker.next((e) => e.event === 'done', 60_000)));
    recording.stop();
    const starts = fleet.flatMap((worker) => of(worker, 'start'));
    expect(starts).toHaveLength(200);
    expect(fleet.flatMap((worker) => of(worker, 'error'))).toEqual([]);
    expect(Math.max(...starts.map((e) => e.inUse!))).toBe(3);
    const { asked, queued, granted } = lineEvents(recording.commands, `rxc:${name}`);
    expect(new Set(asked).size).toBe(200);
    // With 200 tasks asking at once on 3 permits, nearly all of them wait in line.
    expect(queued.length).toBeGreaterThan(150);
    expect(granted).toEqual(queued);
  }, 60_000);

  it('a holder killed with SIGKILL mid-task: the others proceed within lease + 1 s, and no permit is granted twice', async () => {
    const name = 'killed';
    const lease = 600;
    const victim = await spawn({ id: 'victim', name, permits: 1, leaseMs: lease });
    victim.send({ do: 'tasks', count: 1, ms: 60_000 });
    await victim.next((e) => e.event === 'start');
    const other = await spawn({ id: 'other', name, permits: 1, leaseMs: lease });
    other.send({ do: 'tasks', count: 5, ms: 20 });
    const admin = server.client();
    await until(async () => (await lineOf(admin, `rxc:${name}`)).length === 5, 15_000, 'the other worker in line');
    const killedAt = Date.now();
    victim.process.kill('SIGKILL');
    // The dead task never takes itself off the audit count.
    await admin.decr(`audit:${name}`);
    const first = await other.next((e) => e.event === 'start', 5_000);
    expect(first.at - killedAt).toBeLessThan(lease + 1_000);
    await other.next((e) => e.event === 'done', 10_000);
    expect(of(other, 'start').map((e) => e.inUse)).toEqual([1, 1, 1, 1, 1]);
    expect(of(other, 'end')).toHaveLength(5);
  }, 30_000);

  it('a holder stopped with SIGSTOP past its lease, then continued: its signal aborts with LeaseLostError, and run() errors with it', async () => {
    const name = 'paused';
    const lease = 500;
    const paused = await spawn({ id: 'paused', name, permits: 1, leaseMs: lease });
    paused.send({ do: 'tasks', count: 1, ms: 60_000 });
    await paused.next((e) => e.event === 'start');
    const other = await spawn({ id: 'other', name, permits: 1, leaseMs: lease });
    other.send({ do: 'tasks', count: 1, ms: 20 });
    await until(async () => (await lineOf(server.client(), `rxc:${name}`)).length === 1, 15_000, 'the other worker in line');
    const stoppedAt = Date.now();
    paused.process.kill('SIGSTOP');
    // The paused holder's lease ends in Redis: the waiter is granted while it is stopped.
    const granted = await other.next((e) => e.event === 'start', 5_000);
    expect(granted.at - stoppedAt).toBeLessThan(lease + 1_000);
    await other.next((e) => e.event === 'done', 5_000);
    paused.process.kill('SIGCONT');
    const aborted = await paused.next((e) => e.event === 'aborted', 5_000);
    expect(aborted.reason).toBe('LeaseLostError');
    expect(aborted.message).toMatch(
      /^RedisSemaphore "paused": the lease of a held permit was lost \((no refresh reached Redis within 500 ms|Redis no longer had it)\)$/,
    );
    const error = await paused.next((e) => e.event === 'error', 5_000);
    expect([error.name, error.message]).toEqual(['LeaseLostError', aborted.message]);
  }, 30_000);

  it('redis-server restarted mid-run: never more than `permits` holders at any time, and every task done in the end', async () => {
    // The gate on a server of its own, restarted; the audit count on the suite's server.
    const gateServer = await RedisServer.start();
    try {
      const lease = 2_000;
      await gateServer.aged(lease);
      const fleet = await Promise.all(
        ['r1', 'r2', 'r3', 'r4'].map((id) =>
          spawn({ id, name: 'restarted', permits: 3, leaseMs: lease, port: gateServer.port, auditPort: server.port, retry: true }),
        ),
      );
      // Tasks longer than Redis takes to come back, so holders from before the restart still work
      // when the waiters, whose places were forgotten, ask again.
      for (const worker of fleet) worker.send({ do: 'tasks', count: 2, ms: 1_000 });
      await until(() => fleet.reduce((n, worker) => n + of(worker, 'start').length, 0) >= 3, 10_000, '3 tasks started');
      await gateServer.restart();
      await Promise.all(fleet.map((worker) => worker.next((e) => e.event === 'done', 30_000)));
      const starts = fleet.flatMap((worker) => of(worker, 'start'));
      expect(Math.max(...starts.map((e) => e.inUse!))).toBe(3);
      for (const worker of fleet) expect(new Set(of(worker, 'end').map((e) => e.index))).toEqual(new Set([0, 1]));
      // The restart was felt: leases and places in line were lost, and the tasks ran again.
      expect(fleet.flatMap((worker) => of(worker, 'error')).every((e) => e.name === 'LeaseLostError')).toBe(true);
      expect(fleet.flatMap((worker) => of(worker, 'error')).length).toBeGreaterThan(0);
    } finally {
      await Promise.all(workers.splice(0).map((worker) => worker.stop()));
      await gateServer.stop();
    }
  }, 60_000);

  it("CLIENT KILL of a waiter's connections: it reconnects, keeps its place in line, and is granted in turn", async () => {
    const name = 'clientkill';
    const admin = server.client();
    const holder = new RedisSemaphore(server.client(), name, 1, { leaseMs: 2_000 });
    const permit = await holder.acquireAsync();
    const first = await spawn({ id: 'waiter-first', name, permits: 1, leaseMs: 2_000 });
    first.send({ do: 'tasks', count: 1, ms: 10 });
    await until(async () => (await lineOf(admin, `rxc:${name}`)).length === 1, 15_000, 'the first waiter in line');
    const second = await spawn({ id: 'waiter-second', name, permits: 1, leaseMs: 2_000 });
    second.send({ do: 'tasks', count: 1, ms: 10 });
    await until(async () => (await lineOf(admin, `rxc:${name}`)).length === 2, 15_000, 'the second waiter in line');
    // Both connections of the first waiter: commands and pub/sub (duplicate() keeps the name).
    const list = (await admin.client('LIST')) as string;
    const ids = list
      .split('\n')
      .filter((line) => line.includes(' name=waiter-first '))
      .map((line) => /^id=(\d+)/.exec(line)![1]!);
    expect(ids).toHaveLength(2);
    for (const id of ids) await admin.client('KILL', 'ID', id);
    await sleep(300);
    permit.release();
    const [a, b] = await Promise.all([first.next((e) => e.event === 'end', 10_000), second.next((e) => e.event === 'end', 10_000)]);
    expect(a.at).toBeLessThanOrEqual(b.at);
    expect(of(first, 'start').map((e) => e.inUse)).toEqual([1]);
    expect(of(second, 'start').map((e) => e.inUse)).toEqual([1]);
    expect([...of(first, 'error'), ...of(second, 'error')]).toEqual([]);
  }, 30_000);
});
