/**
 * Issue 13, item 1: work that had to wait starts in the async context (AsyncLocalStorage) of the
 * subscription that asked for it, not in that of whoever released, completed or set. Each case runs
 * two callers in stores 'A' and 'B' that both wait, and lets them go from a third, 'releaser'.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Subject, defer, firstValueFrom, from, lastValueFrom, of, toArray } from 'rxjs';
import {
  CapacityLimiter,
  ConcurrencyEvent,
  Lock,
  Semaphore,
  asCompleted,
  boundedMap,
  boundedMapFrom,
  gather,
  type DeferredTask,
} from 'rxjs-concurrency';

const als = new AsyncLocalStorage<string>();
const store = (): string | undefined => als.getStore();
/** Reads the store after an await: what a request id or a tracing span sees inside the work. */
const readAfterAwait = async (): Promise<string | undefined> => {
  // eslint-disable-next-line @typescript-eslint/await-thenable -- one microtask turn
  await null;
  return store();
};

describe('async context: work that waited starts in the context of the subscription that asked', () => {
  it('Lock.run: the README case, two jobs on one lock give [A, B], not [A, A]', async () => {
    const lock = new Lock();
    const job = (id: string): Promise<string | undefined> => als.run(id, () => firstValueFrom(lock.run(readAfterAwait)));
    expect(await Promise.all([job('A'), job('B')])).toEqual(['A', 'B']);
  });

  it('Semaphore.run of an Observable: a waiter released from another context subscribes its work in its own', async () => {
    const sem = new Semaphore(1);
    const holder = sem.tryAcquire()!;
    const seen: (string | undefined)[] = [];
    for (const id of ['A', 'B']) als.run(id, () => sem.run(defer(() => of(seen.push(store())))).subscribe());
    als.run('releaser', () => holder.release());
    expect(seen).toEqual(['A', 'B']);
  });

  it('acquire(): the grant of a waiter is delivered in its subscriber context', () => {
    const limiter = new CapacityLimiter(1);
    const holder = limiter.tryAcquire()!;
    const seen: (string | undefined)[] = [];
    als.run('A', () => limiter.acquire().subscribe(() => seen.push(store())));
    als.run('releaser', () => holder.release());
    expect(seen).toEqual(['A']);
  });

  it('a synchronous grant runs in the caller context as it is (nothing captured, nothing to restore)', () => {
    const lock = new Lock();
    const seen: (string | undefined)[] = [];
    als.run('A', () => lock.run(defer(() => of(seen.push(store())))).subscribe());
    expect(seen).toEqual(['A']);
  });

  it('boundedMap: a value queued behind the limit starts its task in the context it arrived in', () => {
    const source = new Subject<number>();
    const gates = [new Subject<void>(), new Subject<void>()];
    const seen: [number, string | undefined][] = [];
    source.pipe(boundedMap((i: number) => defer(() => (seen.push([i, store()]), gates[i] ?? of(undefined))), 1)).subscribe();
    als.run('A', () => source.next(0));
    als.run('B', () => source.next(1));
    als.run('C', () => source.next(2));
    als.run('releaser', () => gates[0]!.complete());
    als.run('releaser', () => gates[1]!.complete());
    expect(seen).toEqual([
      [0, 'A'],
      [1, 'B'],
      [2, 'C'],
    ]);
  });

  it('boundedMapFrom: tasks after the first start in the context of the subscription, not of the task that freed the slot', () => {
    const gates = [new Subject<void>(), new Subject<void>()];
    const seen: [number, string | undefined][] = [];
    als.run('subscriber', () =>
      boundedMapFrom([0, 1, 2], (i: number) => defer(() => (seen.push([i, store()]), gates[i] ?? of(undefined))), 1).subscribe(),
    );
    als.run('releaser', () => gates[0]!.complete());
    als.run('releaser', () => gates[1]!.complete());
    expect(seen).toEqual([
      [0, 'subscriber'],
      [1, 'subscriber'],
      [2, 'subscriber'],
    ]);
  });

  it('asCompleted({ limit }): a queued task starts in the context it was emitted in', () => {
    const source = new Subject<DeferredTask<number>>();
    const first = new Subject<number>();
    const seen: (string | undefined)[] = [];
    source.pipe(asCompleted({ limit: 1 })).subscribe();
    als.run('A', () => source.next(first));
    als.run('B', () => source.next(() => of(seen.push(store()))));
    als.run('releaser', () => first.complete());
    expect(seen).toEqual(['B']);
  });

  it('ConcurrencyEvent.wait(): each waiter wakes in its own context, not in that of set()', () => {
    const event = new ConcurrencyEvent();
    const seen: (string | undefined)[] = [];
    for (const id of ['A', 'B']) als.run(id, () => event.wait().subscribe(() => seen.push(store())));
    als.run('setter', () => event.set());
    expect(seen).toEqual(['A', 'B']);
  });

  it('gather: tasks start at once, in the context of the subscription', async () => {
    const seen = await als.run('A', () => lastValueFrom(from([readAfterAwait, readAfterAwait]).pipe(gather(), toArray())));
    expect(seen).toEqual([['A', 'A']]);
  });
});
