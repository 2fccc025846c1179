import fc from 'fast-check';
import type Redis from 'ioredis';
import type { Subscription } from 'rxjs';
import { RedisSemaphore } from 'rxjs-concurrency/redis';
import { STATE } from '../../lib/redis/scripts';
import { params } from '../property/params';
import { heldOf, lineOf, until } from './helpers';
import { RedisServer } from './server';

/*
 * A model of RedisSemaphore(3) driven from 3 clients (each its own connection: three processes as
 * Redis sees them): acquire with a weight, release a holder, cancel a waiter, crash a client. The
 * model is the in-process gate's rule: strict FIFO, a head that does not fit blocks the line.
 * After each step the grants the clients observed, and Redis's line (in order) and holders, must be
 * the model's: so every grant went to the head of the line, in turn.
 *
 * A crash: the client's connection is cut (nothing more from it, not even a LEAVE), and its leases
 * are made to end now (their expiry set in the past) rather than waited for; the next script reaps
 * them. The client is then replaced by a new one, as a restarted process would be.
 */

const PERMITS = 3;
const LEASE = 1_000;
let server: RedisServer;
let admin: Redis;

beforeAll(async () => {
  server = await RedisServer.start();
  await server.aged(LEASE);
  admin = server.client();
}, 20_000);

afterAll(() => server.stop());

type Op =
  | { kind: 'acquire'; client: number; weight: number }
  | { kind: 'release'; pick: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'crash'; client: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('acquire' as const), client: fc.nat(2), weight: fc.integer({ min: 1, max: 2 }) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('crash' as const), client: fc.nat(2) }), weight: 1 },
);

interface Entry {
  readonly id: number;
  readonly client: number;
  readonly weight: number;
  token: string | null;
  subscription: Subscription | null;
}

class Model {
  readonly line: Entry[] = [];
  readonly held: Entry[] = [];
  readonly grants: number[] = [];

  get used(): number {
    return this.held.reduce((n, e) => n + e.weight, 0);
  }

  enqueue(entry: Entry): void {
    this.line.push(entry);
    this.grant();
  }

  /** All of `entries` leave at once (a crash takes every token of its client in one reap). */
  remove(...entries: Entry[]): void {
    for (const entry of entries) {
      for (const list of [this.line, this.held]) {
        const i = list.indexOf(entry);
        if (i >= 0) list.splice(i, 1);
      }
    }
    this.grant();
  }

  private grant(): void {
    while (this.line.length > 0 && this.used + this.line[0]!.weight <= PERMITS) {
      const head = this.line.shift()!;
      this.held.push(head);
      this.grants.push(head.id);
    }
  }
}

let run = 0;

describe('RedisSemaphore against a model: acquire, release, cancel and crash from 3 clients', () => {
  it("the grants observed, and Redis's line and holders, always match the model (200 runs)", async () => {
    const clients: Redis[] = [0, 1, 2].map(() => server.client());
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 8 }), async (ops) => {
        const name = `model${++run}`;
        const base = `rxc:${name}`;
        const gates = clients.map((client) => new RedisSemaphore(client, name, PERMITS, { leaseMs: LEASE }));
        const model = new Model();
        const observed: number[] = [];
        const known = new Set<string>();
        let ids = 0;
        const tokens = (entries: Entry[]): string[] => entries.map((e) => e.token!);
        const sorted = (ids: number[]): string => [...ids].sort((a, b) => a - b).join();
        // Grants made by one script reach different clients in any order: what is compared is the
        // set observed, and Redis's line (its order) and holders against the model's.
        const matches = async (): Promise<boolean> => {
          const [line, all] = await Promise.all([lineOf(admin, base), admin.zrange(`${base}:x`, 0, -1)]);
          const holders = all.filter((t) => !line.includes(t)).sort();
          return (
            sorted(observed) === sorted(model.grants) &&
            line.join() === tokens(model.line).join() &&
            holders.join() === tokens(model.held).sort().join() &&
            (await heldOf(admin, base)) === model.used
          );
        };
        const settled = (): Promise<void> =>
          until(matches, 3_000).catch(async () => {
            throw new Error(
              `expected grants ${sorted(model.grants)}, line ${tokens(model.line).join()}; saw grants ${sorted(observed)}, line ${(await lineOf(admin, base)).join()}, ${await heldOf(admin, base)} held`,
            );
          });
        try {
          for (const step of ops) {
            if (step.kind === 'acquire') {
              const entry: Entry = { id: ++ids, client: step.client, weight: step.weight, token: null, subscription: null };
              // A crashed client's gate errors its subscribers later (lease lost): nobody is left to care.
              entry.subscription = gates[step.client]!.acquire(step.weight).subscribe({
                next: () => observed.push(entry.id),
                error: () => undefined,
              });
              // The token Redis got for it: the one member of the gate's leases not seen before.
              await until(async () => (await admin.zrange(`${base}:x`, 0, -1)).some((t) => !known.has(t)), 3_000, 'the new token');
              entry.token = (await admin.zrange(`${base}:x`, 0, -1)).find((t) => !known.has(t))!;
              known.add(entry.token);
              model.enqueue(entry);
            } else if (step.kind === 'crash') {
              const gone = [...model.line, ...model.held].filter((e) => e.client === step.client);
              clients[step.client]!.disconnect();
              // One command: a reap between two of them would grant the second to a dead client.
              if (gone.length > 0) await admin.zadd(`${base}:x`, 'XX', ...gone.flatMap((entry) => [0, entry.token!]));
              clients[step.client] = server.client();
              gates[step.client] = new RedisSemaphore(clients[step.client]!, name, PERMITS, { leaseMs: LEASE });
              model.remove(...gone);
              // Any script reaps them; run one, as the next refresh of a live client would.
              await admin.eval(STATE, 5, `${base}:x`, `${base}:q`, `${base}:w`, `${base}:m`, `${base}:t`, base, PERMITS, LEASE, 'rxc:g:');
            } else {
              const list = step.kind === 'release' ? model.held : model.line;
              if (list.length === 0) continue;
              const entry = list[step.pick % list.length]!;
              entry.subscription!.unsubscribe();
              model.remove(entry);
            }
            await settled();
          }
          expect(sorted(observed)).toBe(sorted(model.grants));
        } finally {
          for (const entry of [...model.line, ...model.held]) entry.subscription!.unsubscribe();
        }
      }),
      { seed: params.seed, numRuns: 200 },
    );
  }, 300_000);
});
