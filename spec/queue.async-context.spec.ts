import { AsyncLocalStorage } from 'node:async_hooks';
import { Queue } from 'rxjs-concurrency';

/*
 * Async context (AsyncLocalStorage: request ids, tracing spans): a caller that waits on the queue
 * resumes in its own context, not in the context of whoever released it. Two callers wait in
 * contexts 'A' and 'B'; a third, in 'C', releases both. The Observable faces (put, get, consume)
 * deliver from the releaser's call stack, so the queue must re-enter the context it captured when
 * they started to wait; the promise faces (putAsync, getAsync, for await) resume through `await`.
 */

const als = new AsyncLocalStorage<string>();
// An enabled storage tracks every async resource of the process: not past this file when jest runs in band.
afterAll(() => als.disable());

describe('Queue: a waiter resumes in its own async context', () => {
  it('get(): each waiting subscriber receives its item in its own context', () => {
    const queue = new Queue<number>(0);
    const seen: unknown[] = [];
    for (const name of ['A', 'B']) als.run(name, () => queue.get().subscribe((item) => seen.push([name, item, als.getStore()])));
    als.run('C', () => {
      queue.putNowait(1);
      queue.putNowait(2);
    });
    expect(seen).toEqual([
      ['A', 1, 'A'],
      ['B', 2, 'B'],
    ]);
  });

  it("consume(): every delivery after the first wait runs in the consumer's context", () => {
    const queue = new Queue<number>(Infinity);
    const seen: unknown[] = [];
    for (const name of ['A', 'B']) als.run(name, () => queue.consume().subscribe((item) => seen.push([name, item, als.getStore()])));
    als.run('C', () => {
      for (let i = 1; i <= 4; i++) queue.putNowait(i);
    });
    expect(seen).toEqual([
      ['A', 1, 'A'],
      ['B', 2, 'B'],
      ['A', 3, 'A'],
      ['B', 4, 'B'],
    ]);
  });

  it('put(): each waiting put completes in its own context', () => {
    const queue = new Queue<number>(0);
    const seen: unknown[] = [];
    for (const [name, item] of [
      ['A', 1],
      ['B', 2],
    ] as const) {
      als.run(name, () => queue.put(item).subscribe({ complete: () => seen.push([name, als.getStore()]) }));
    }
    const taken = als.run('C', () => [queue.getNowait(), queue.getNowait()]);
    expect(taken).toEqual([1, 2]);
    expect(seen).toEqual([
      ['A', 'A'],
      ['B', 'B'],
    ]);
  });

  it('put(): a put refused by close() errors in its own context', () => {
    const queue = new Queue<number>(0);
    const seen: unknown[] = [];
    for (const name of ['A', 'B']) als.run(name, () => queue.put(0).subscribe({ error: () => seen.push([name, als.getStore()]) }));
    als.run('C', () => queue.close());
    expect(seen).toEqual([
      ['A', 'A'],
      ['B', 'B'],
    ]);
  });

  it('getAsync(): each waiting call resumes in its own context', async () => {
    const queue = new Queue<number>(0);
    const waiting = ['A', 'B'].map((name) =>
      als.run(name, async () => {
        const item = await queue.getAsync();
        return [name, item, als.getStore()];
      }),
    );
    als.run('C', () => {
      queue.putNowait(1);
      queue.putNowait(2);
    });
    expect(await Promise.all(waiting)).toEqual([
      ['A', 1, 'A'],
      ['B', 2, 'B'],
    ]);
  });

  it('putAsync(): each waiting call resumes in its own context', async () => {
    const queue = new Queue<number>(0);
    const waiting = (['A', 'B'] as const).map((name, i) =>
      als.run(name, async () => {
        await queue.putAsync(i);
        return [name, als.getStore()];
      }),
    );
    als.run('C', () => [queue.getNowait(), queue.getNowait()]);
    expect(await Promise.all(waiting)).toEqual([
      ['A', 'A'],
      ['B', 'B'],
    ]);
  });

  it("for await: each loop body runs in its loop's context", async () => {
    const queue = new Queue<number>(0);
    const loops = ['A', 'B'].map((name) =>
      als.run(name, async () => {
        const seen: unknown[] = [];
        for await (const item of queue) seen.push([item, als.getStore()]);
        return seen;
      }),
    );
    // Each item is put once both loops wait again: the two take turns.
    for (let i = 1; i <= 4; i++) await als.run('C', () => queue.putAsync(i));
    als.run('C', () => queue.close());
    expect(await Promise.all(loops)).toEqual([
      [
        [1, 'A'],
        [3, 'A'],
      ],
      [
        [2, 'B'],
        [4, 'B'],
      ],
    ]);
  });
});
