import { getEventListeners } from 'node:events';
import { Subject, takeUntil } from 'rxjs';
import { EndOfStreamError, Queue, QueueClosedError, WouldBlockError } from 'rxjs-concurrency';
import { inDelivery } from './setup/in-delivery';
import { outcome, settle } from './setup/promises';
import { exactState } from './setup/queue-state';
import { scale } from './setup/scale';
import { record } from './setup/record';

/*
 * The promise face of Queue (issue 13): putAsync, getAsync and `for await`. Every outcome here is
 * read after real microtasks, never a timer: a stage is slowed by a promise or Subject the test
 * settles by hand. Counters and state$ are checked synchronously after each call.
 */

const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;
const DONE = { value: undefined, done: true };

describe('Queue.putAsync', () => {
  it('resolves at once when there is room: the item is buffered before the call returns', async () => {
    const queue = new Queue<string>(1);
    const check = exactState(queue);
    const put = queue.putAsync('a');
    check(1, 0, 0);
    expect(await outcome(put)).toEqual({ value: undefined });
    expect(queue.getNowait()).toBe('a');
  });

  it('waits while the queue is full and resolves once a get makes room; its item comes after the buffered one', async () => {
    const queue = new Queue<string>(1);
    const check = exactState(queue);
    queue.putNowait('a');
    let accepted = false;
    const put = queue.putAsync('b').then(() => (accepted = true));
    check(1, 1, 0);
    await settle();
    expect(accepted).toBe(false);
    expect(queue.getNowait()).toBe('a');
    // Accepted by that very get: the counters say so before the promise settles.
    check(1, 0, 0);
    await put;
    expect(accepted).toBe(true);
    expect(queue.getNowait()).toBe('b');
  });

  it('hands its item straight to a waiting getter, even on a rendezvous queue', async () => {
    const queue = new Queue<string>(0);
    const check = exactState(queue);
    const get = record(queue.get());
    const put = queue.putAsync('a');
    expect(get).toMatchObject({ values: ['a'], completed: true });
    check(0, 0, 0);
    expect(await outcome(put)).toEqual({ value: undefined });
  });

  it('on a rendezvous queue waits for a getter, and resolves when one takes its item', async () => {
    const queue = new Queue<string>(0);
    const check = exactState(queue);
    const put = outcome(queue.putAsync('a'));
    check(0, 1, 0);
    expect(queue.getNowait()).toBe('a');
    check(0, 0, 0);
    expect(await put).toEqual({ value: undefined });
  });

  it('waiting putAsync and put() calls are accepted in the order they came', async () => {
    const queue = new Queue<number>(0);
    const first = outcome(queue.putAsync(1));
    const second = record(queue.put(2));
    const third = outcome(queue.putAsync(3));
    expect([queue.getNowait(), queue.getNowait(), queue.getNowait()]).toEqual([1, 2, 3]);
    expect(second.completed).toBe(true);
    expect([await first, await third]).toEqual([{ value: undefined }, { value: undefined }]);
  });

  it('rejects with QueueClosedError on a closed queue and enqueues nothing', async () => {
    const queue = new Queue<string>(1);
    queue.close();
    const put = outcome(queue.putAsync('a'));
    exactState(queue)(0, 0, 0, true);
    const result = await put;
    expect('reason' in result && result.reason).toBeInstanceOf(QueueClosedError);
  });

  it('a waiting putAsync rejects with QueueClosedError when the queue closes; its item is never enqueued', async () => {
    const queue = new Queue<string>(1);
    const check = exactState(queue);
    queue.putNowait('a');
    const put = outcome(queue.putAsync('b'));
    queue.close();
    check(1, 0, 0, true);
    const result = await put;
    expect('reason' in result && result.reason).toBeInstanceOf(QueueClosedError);
    expect(queue.getNowait()).toBe('a');
    expect(() => queue.getNowait()).toThrow(EndOfStreamError);
  });

  describe('abort', () => {
    it('while waiting: rejects with signal.reason, leaves the line at once, its item never delivered, no listener left', async () => {
      const queue = new Queue<string>(1);
      const check = exactState(queue);
      queue.putNowait('a');
      const controller = new AbortController();
      const put = outcome(queue.putAsync('b', { signal: controller.signal }));
      check(1, 1, 0);
      expect(listeners(controller.signal)).toBe(1);
      const reason = new Error('stop');
      controller.abort(reason);
      check(1, 0, 0);
      expect(listeners(controller.signal)).toBe(0);
      expect(await put).toEqual({ reason });
      expect(queue.getNowait()).toBe('a');
      expect(() => queue.getNowait()).toThrow(WouldBlockError);
    });

    it('an already aborted signal: rejects with its reason and enqueues nothing, even with room', async () => {
      const queue = new Queue<string>(1);
      const signal = AbortSignal.abort('already');
      const put = outcome(queue.putAsync('a', { signal }));
      exactState(queue)(0, 0, 0);
      expect(await put).toEqual({ reason: 'already' });
    });

    it('an already aborted signal wins over a closed queue: its reason, not QueueClosedError', async () => {
      const queue = new Queue<string>(1);
      queue.close();
      expect(await outcome(queue.putAsync('a', { signal: AbortSignal.abort('already') }))).toEqual({ reason: 'already' });
    });

    it('abort, then the get that would have made room: rejected; the get takes only the buffered item', async () => {
      const queue = new Queue<string>(1);
      const check = exactState(queue);
      queue.putNowait('a');
      const controller = new AbortController();
      const put = outcome(queue.putAsync('b', { signal: controller.signal }));
      controller.abort('late');
      expect(queue.getNowait()).toBe('a');
      check(0, 0, 0);
      expect(await put).toEqual({ reason: 'late' });
      expect(() => queue.getNowait()).toThrow(WouldBlockError);
    });

    it('the get that makes room, then abort: resolved; the abort changes nothing and leaves no listener', async () => {
      const queue = new Queue<string>(1);
      const check = exactState(queue);
      queue.putNowait('a');
      const controller = new AbortController();
      const put = outcome(queue.putAsync('b', { signal: controller.signal }));
      expect(queue.getNowait()).toBe('a');
      expect(listeners(controller.signal)).toBe(0);
      controller.abort('late');
      check(1, 0, 0);
      expect(await put).toEqual({ value: undefined });
      expect(queue.getNowait()).toBe('b');
    });

    it('accepted but not yet told (inside a delivery), then aborted: rejected, and the item is withdrawn', async () => {
      const queue = new Queue<string>(1);
      const check = exactState(queue);
      queue.putNowait('a');
      const controller = new AbortController();
      const put = outcome(queue.putAsync('b', { signal: controller.signal }));
      inDelivery(() => {
        expect(queue.getNowait()).toBe('a'); // accepts 'b'; telling it is queued behind this delivery
        check(1, 0, 0);
        controller.abort('late');
        check(0, 0, 0);
      });
      expect(await put).toEqual({ reason: 'late' });
      expect(() => queue.getNowait()).toThrow(WouldBlockError);
      expect(listeners(controller.signal)).toBe(0);
    });

    it('accepted and promised to a getter in the same delivery, then aborted: the getter waits on, and takes the next item', async () => {
      const queue = new Queue<string>(0);
      const check = exactState(queue);
      const controller = new AbortController();
      const put = outcome(queue.putAsync('x', { signal: controller.signal }));
      let get: ReturnType<typeof record<string>> | undefined;
      inDelivery(() => {
        get = record(queue.get()); // accepts 'x' and is promised it; both notifications queued
        check(0, 0, 0);
        controller.abort('late');
        check(0, 0, 1);
      });
      check(0, 0, 1);
      expect(get!.values).toEqual([]);
      queue.putNowait('y');
      expect(get!.values).toEqual(['y']);
      expect(await put).toEqual({ reason: 'late' });
    });

    it('refused by close() and aborted before being told, in one delivery: exactly one outcome, the abort', async () => {
      const queue = new Queue<string>(0);
      const controller = new AbortController();
      const put = outcome(queue.putAsync('x', { signal: controller.signal }));
      inDelivery(() => {
        queue.close();
        controller.abort('gone');
      });
      expect(await put).toEqual({ reason: 'gone' });
      expect(listeners(controller.signal)).toBe(0);
    });

    it('aborted, then close() in one delivery: the abort; close() then refuses nobody', async () => {
      const queue = new Queue<string>(0);
      const check = exactState(queue);
      const controller = new AbortController();
      const put = outcome(queue.putAsync('x', { signal: controller.signal }));
      inDelivery(() => {
        controller.abort('gone');
        check(0, 0, 0);
        queue.close();
      });
      expect(await put).toEqual({ reason: 'gone' });
    });

    it('close() outside a delivery tells the put at once: QueueClosedError, and a later abort changes nothing', async () => {
      const queue = new Queue<string>(0);
      const controller = new AbortController();
      const put = outcome(queue.putAsync('x', { signal: controller.signal }));
      queue.close();
      expect(listeners(controller.signal)).toBe(0);
      controller.abort('late');
      const result = await put;
      expect('reason' in result && result.reason).toBeInstanceOf(QueueClosedError);
    });

    it('PITFALLS 12: 10^5 waiting putAsync calls sharing one long-lived signal: one listener, none once all are accepted', async () => {
      const n = scale(100_000);
      const queue = new Queue<number>(0);
      const { signal } = new AbortController();
      const puts: Promise<void>[] = [];
      for (let i = 0; i < n; i++) puts.push(queue.putAsync(i, { signal }));
      expect(listeners(signal)).toBe(1);
      let sum = 0;
      for (let i = 0; i < n - 1; i++) sum += queue.getNowait();
      expect(listeners(signal)).toBe(1);
      sum += queue.getNowait();
      expect(listeners(signal)).toBe(0);
      await Promise.all(puts);
      expect(sum).toBe((n * (n - 1)) / 2);
      // Accepted at once: never listens at all.
      for (let i = 0; i < n; i++) {
        const get = queue.getAsync();
        await queue.putAsync(i, { signal });
        await get;
      }
      expect(listeners(signal)).toBe(0);
    }, 60_000);

    it('PITFALLS 12: 10^4 waiting putAsync calls aborted together leave no listener and no waiter', async () => {
      const queue = new Queue<number>(0);
      const check = exactState(queue);
      const controller = new AbortController();
      const puts = Array.from({ length: 10_000 }, (_, i) => outcome(queue.putAsync(i, { signal: controller.signal })));
      check(0, 10_000, 0);
      controller.abort('bye');
      check(0, 0, 0);
      expect(listeners(controller.signal)).toBe(0);
      expect(new Set((await Promise.all(puts)).map((r) => ('reason' in r ? r.reason : 'accepted')))).toEqual(new Set(['bye']));
    });
  });
});

describe('Queue.getAsync', () => {
  it('resolves with a buffered item; the item leaves, and a waiting putter is accepted, before the call returns', async () => {
    const queue = new Queue<string>(1);
    const check = exactState(queue);
    queue.putNowait('a');
    const put = record(queue.put('b'));
    const got = queue.getAsync();
    check(1, 0, 0);
    expect(put.completed).toBe(true);
    expect(await got).toBe('a');
  });

  it("takes a waiting putter's item on a rendezvous queue; the put completes at once", async () => {
    const queue = new Queue<string>(0);
    const put = record(queue.put('a'));
    const got = queue.getAsync();
    expect(put.completed).toBe(true);
    expect(await got).toBe('a');
  });

  it('waits on an empty queue, then resolves with the next item put', async () => {
    const queue = new Queue<string>(1);
    const check = exactState(queue);
    const got = queue.getAsync();
    check(0, 0, 1);
    queue.putNowait('a');
    check(0, 0, 0);
    expect(await got).toBe('a');
  });

  it('waiting getAsync calls and get() subscriptions are served in the order they came', async () => {
    const queue = new Queue<number>(Infinity);
    const first = queue.getAsync();
    const second = record(queue.get());
    const third = queue.getAsync();
    queue.putNowait(1);
    queue.putNowait(2);
    queue.putNowait(3);
    expect(second.values).toEqual([2]);
    expect([await first, await third]).toEqual([1, 3]);
  });

  it('drains a closed queue, then rejects with EndOfStreamError', async () => {
    const queue = new Queue<string>(2);
    queue.putNowait('a');
    queue.close();
    expect(await queue.getAsync()).toBe('a');
    const result = await outcome(queue.getAsync());
    expect('reason' in result && result.reason).toBeInstanceOf(EndOfStreamError);
  });

  it('a waiting getAsync rejects with EndOfStreamError when the queue closes', async () => {
    const queue = new Queue<string>(2);
    const check = exactState(queue);
    const got = outcome(queue.getAsync());
    queue.close();
    check(0, 0, 0, true);
    const result = await got;
    expect('reason' in result && result.reason).toBeInstanceOf(EndOfStreamError);
  });

  describe('abort', () => {
    it('while waiting: rejects with signal.reason, leaves the line at once; a later item stays buffered', async () => {
      const queue = new Queue<string>(1);
      const check = exactState(queue);
      const controller = new AbortController();
      const got = outcome(queue.getAsync({ signal: controller.signal }));
      check(0, 0, 1);
      controller.abort('stop');
      check(0, 0, 0);
      expect(listeners(controller.signal)).toBe(0);
      queue.putNowait('a');
      check(1, 0, 0);
      expect(await got).toEqual({ reason: 'stop' });
    });

    it('an already aborted signal: rejects with its reason and takes nothing, even with an item buffered', async () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      expect(await outcome(queue.getAsync({ signal: AbortSignal.abort('already') }))).toEqual({ reason: 'already' });
      expect(queue.size).toBe(1);
    });

    it('abort, then the put that would have served it: rejected; the item stays buffered', async () => {
      const queue = new Queue<string>(1);
      const check = exactState(queue);
      const controller = new AbortController();
      const got = outcome(queue.getAsync({ signal: controller.signal }));
      controller.abort('late');
      queue.putNowait('a');
      check(1, 0, 0);
      expect(await got).toEqual({ reason: 'late' });
    });

    it('the put that serves it, then abort: resolved with the item; the abort changes nothing', async () => {
      const queue = new Queue<string>(1);
      const check = exactState(queue);
      const controller = new AbortController();
      const got = outcome(queue.getAsync({ signal: controller.signal }));
      queue.putNowait('a');
      expect(listeners(controller.signal)).toBe(0);
      controller.abort('late');
      check(0, 0, 0);
      expect(await got).toEqual({ value: 'a' });
    });

    it('handed an item inside a delivery, aborted before it is delivered: rejected; one promised item goes back to the head', async () => {
      const queue = new Queue<string>(Infinity);
      const check = exactState(queue);
      const controller = new AbortController();
      const got = outcome(queue.getAsync({ signal: controller.signal }));
      const behind = record(queue.get());
      inDelivery(() => {
        queue.putNowait('a'); // promised to `got`
        queue.putNowait('b'); // promised to `behind`
        check(0, 0, 0);
        controller.abort('late');
        // One promise fewer: the newest promised item is free again; `behind` takes the oldest.
        check(1, 0, 0);
      });
      expect(behind.values).toEqual(['a']);
      expect(queue.getNowait()).toBe('b');
      expect(await got).toEqual({ reason: 'late' });
    });

    it('aborted by the completion of the put whose item is being handed to it: rejected; the item goes to the next getter', async () => {
      const queue = new Queue<string>(0);
      const controller = new AbortController();
      const stopFirstPut = new Subject<void>();
      queue.get().subscribe(() => {
        // 'p1' is promised to `second`, then withdrawn: `second` waits again, its delivery still queued.
        queue.put('p1').pipe(takeUntil(stopFirstPut)).subscribe();
        stopFirstPut.next();
        // 'p2' is promised to `second` at that earlier place in line, ahead of the put's own completion.
        queue.put('p2').subscribe({ complete: () => controller.abort('by p2') });
      });
      const second = outcome(queue.getAsync({ signal: controller.signal }));
      const third = record(queue.get());
      queue.putNowait('a');
      expect(third).toMatchObject({ values: ['p2'], completed: true });
      exactState(queue)(0, 0, 0);
      expect(await second).toEqual({ reason: 'by p2' });
    });

    it('aborted in the delivery where close() ended it: exactly one outcome, the abort', async () => {
      const queue = new Queue<string>(0);
      const controller = new AbortController();
      const got = outcome(queue.getAsync({ signal: controller.signal }));
      inDelivery(() => {
        queue.close(); // ends it; the end is queued behind this delivery
        controller.abort('gone');
      });
      expect(await got).toEqual({ reason: 'gone' });
    });

    it('close() outside a delivery ends it at once: EndOfStreamError, and a later abort changes nothing', async () => {
      const queue = new Queue<string>(0);
      const controller = new AbortController();
      const got = outcome(queue.getAsync({ signal: controller.signal }));
      queue.close();
      expect(listeners(controller.signal)).toBe(0);
      controller.abort('late');
      const result = await got;
      expect('reason' in result && result.reason).toBeInstanceOf(EndOfStreamError);
    });

    it('a put withdrawn while its item is promised to a waiting getAsync: the getAsync waits on, then takes the next item', async () => {
      const queue = new Queue<string>(0);
      const check = exactState(queue);
      const got = queue.getAsync();
      inDelivery(() => {
        const put = queue.put('a').subscribe(); // promised to `got`
        put.unsubscribe();
        check(0, 0, 1);
      });
      queue.putNowait('b');
      expect(await got).toBe('b');
    });

    it('PITFALLS 12: 10^5 waiting getAsync calls sharing one long-lived signal: one listener, none once all are served', async () => {
      const n = scale(100_000);
      const queue = new Queue<number>(Infinity);
      const { signal } = new AbortController();
      const gets: Promise<number>[] = [];
      for (let i = 0; i < n; i++) gets.push(queue.getAsync({ signal }));
      expect(listeners(signal)).toBe(1);
      for (let i = 0; i < n - 1; i++) queue.putNowait(i);
      expect(listeners(signal)).toBe(1);
      queue.putNowait(n - 1);
      expect(listeners(signal)).toBe(0);
      const got = await Promise.all(gets);
      expect(got.every((item, i) => item === i)).toBe(true);
    }, 60_000);
  });
});

describe('Queue as an AsyncIterable', () => {
  it('for await takes every item in order and ends once the queue is closed and drained', async () => {
    const queue = new Queue<number>(2);
    const producer = (async () => {
      for (let i = 0; i < 6; i++) await queue.putAsync(i);
      queue.close();
    })();
    const seen: number[] = [];
    for await (const item of queue) seen.push(item);
    await producer;
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    exactState(queue)(0, 0, 0, true);
  });

  it('a buffered item is taken at the next() call, without waiting in line', async () => {
    const queue = new Queue<string>(3);
    const check = exactState(queue);
    queue.putNowait('a');
    queue.putNowait('b');
    const iterator = queue[Symbol.asyncIterator]();
    const first = iterator.next();
    check(1, 0, 0);
    expect(await first).toEqual({ value: 'a', done: false });
  });

  it('next() on an empty queue waits in line (waitingGetters), and resolves with the next item put', async () => {
    const queue = new Queue<string>(1);
    const check = exactState(queue);
    const iterator = queue[Symbol.asyncIterator]();
    const next = iterator.next();
    check(0, 0, 1);
    queue.putNowait('a');
    check(0, 0, 0);
    expect(await next).toEqual({ value: 'a', done: false });
  });

  it('a waiting next() is served in line with get() and getAsync(), first come first served', async () => {
    const queue = new Queue<number>(Infinity);
    const iterator = queue[Symbol.asyncIterator]();
    const get = record(queue.get());
    const next = iterator.next();
    const got = queue.getAsync();
    for (let i = 1; i <= 3; i++) queue.putNowait(i);
    expect(get.values).toEqual([1]);
    expect([await next, await got]).toEqual([{ value: 2, done: false }, 3]);
  });

  it('break leaves the items after it in the queue', async () => {
    const queue = new Queue<number>(Infinity);
    for (let i = 1; i <= 4; i++) queue.putNowait(i);
    const seen: number[] = [];
    for await (const item of queue) {
      seen.push(item);
      if (item === 2) break;
    }
    expect(seen).toEqual([1, 2]);
    exactState(queue)(2, 0, 0);
  });

  it('several loops share the items, each to exactly one', async () => {
    const queue = new Queue<number>(1);
    const loop = async (): Promise<number[]> => {
      const seen: number[] = [];
      for await (const item of queue) seen.push(item);
      return seen;
    };
    const loops = [loop(), loop(), loop()];
    for (let i = 0; i < 30; i++) await queue.putAsync(i);
    queue.close();
    const seen = await Promise.all(loops);
    expect(seen.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    // Each loop waits in line again after every item: the items go round.
    expect(seen.map((items) => items.length)).toEqual([10, 10, 10]);
    for (const items of seen) expect(items).toEqual([...items].sort((a, b) => a - b));
  });

  it('two waiting iterators are served in turn', async () => {
    const queue = new Queue<number>(0);
    const a = queue[Symbol.asyncIterator]();
    const b = queue[Symbol.asyncIterator]();
    const fromA = a.next();
    const fromB = b.next();
    queue.putNowait(1);
    queue.putNowait(2);
    expect([await fromA, await fromB]).toEqual([
      { value: 1, done: false },
      { value: 2, done: false },
    ]);
  });

  it("overlapping next() calls on one iterator are answered in turn, as a generator's are", async () => {
    const queue = new Queue<number>(Infinity);
    const iterator = queue[Symbol.asyncIterator]();
    const first = iterator.next();
    const second = iterator.next();
    const third = iterator.next();
    queue.putNowait(1);
    await settle();
    queue.putNowait(2);
    queue.close();
    expect([await first, await second, await third]).toEqual([{ value: 1, done: false }, { value: 2, done: false }, DONE]);
  });

  it('close() ends a waiting next() with done; later next() calls are done too', async () => {
    const queue = new Queue<number>(1);
    const iterator = queue[Symbol.asyncIterator]();
    const next = iterator.next();
    queue.close();
    exactState(queue)(0, 0, 0, true);
    expect(await next).toEqual(DONE);
    expect(await iterator.next()).toEqual(DONE);
  });

  it('the iterator is itself async-iterable', () => {
    const iterator = new Queue<number>(1)[Symbol.asyncIterator]();
    expect(iterator[Symbol.asyncIterator]()).toBe(iterator);
  });

  describe('return() and throw() withdraw the waiting next()', () => {
    it('return() while next() waits: that next() is done, the get leaves the line at once; a later item stays in the queue', async () => {
      const queue = new Queue<string>(1);
      const check = exactState(queue);
      const iterator = queue[Symbol.asyncIterator]();
      const next = iterator.next();
      check(0, 0, 1);
      const returned = iterator.return!();
      check(0, 0, 0);
      queue.putNowait('a');
      check(1, 0, 0);
      expect([await next, await returned]).toEqual([DONE, DONE]);
      expect(await iterator.next()).toEqual(DONE);
      check(1, 0, 0);
    });

    it('throw(error) while next() waits: that next() is done, throw() rejects with the error, nothing is taken', async () => {
      const queue = new Queue<string>(1);
      const check = exactState(queue);
      const iterator = queue[Symbol.asyncIterator]();
      const next = iterator.next();
      const failure = new Error('stop');
      const thrown = outcome(iterator.throw!(failure));
      check(0, 0, 0);
      queue.putNowait('a');
      expect([await next, await thrown]).toEqual([DONE, { reason: failure }]);
      expect(queue.getNowait()).toBe('a');
    });

    it('return() after the waiting next() was handed an item, before its delivery: one promised item goes back to the head', async () => {
      const queue = new Queue<string>(Infinity);
      const check = exactState(queue);
      const iterator = queue[Symbol.asyncIterator]();
      const next = iterator.next();
      const behind = record(queue.get());
      inDelivery(() => {
        queue.putNowait('a'); // promised to the iterator
        queue.putNowait('b'); // promised to `behind`
        void iterator.return!();
        check(1, 0, 0);
      });
      expect(behind.values).toEqual(['a']);
      expect(queue.getNowait()).toBe('b');
      expect(await next).toEqual(DONE);
    });

    it('return() called by the completion of the put whose item is being handed to it: the item goes to the next getter', async () => {
      const queue = new Queue<string>(0);
      const iterator = queue[Symbol.asyncIterator]();
      const stopFirstPut = new Subject<void>();
      queue.get().subscribe(() => {
        queue.put('p1').pipe(takeUntil(stopFirstPut)).subscribe();
        stopFirstPut.next();
        queue.put('p2').subscribe({ complete: () => void iterator.return!() });
      });
      const next = iterator.next();
      const third = record(queue.get());
      queue.putNowait('a');
      expect(third).toMatchObject({ values: ['p2'], completed: true });
      exactState(queue)(0, 0, 0);
      expect(await next).toEqual(DONE);
    });

    it('return() in the delivery where close() ended the waiting next(): one outcome, done', async () => {
      const queue = new Queue<string>(0);
      const iterator = queue[Symbol.asyncIterator]();
      const next = iterator.next();
      inDelivery(() => {
        queue.close();
        void iterator.return!();
      });
      expect(await next).toEqual(DONE);
      expect(await iterator.next()).toEqual(DONE);
    });

    it('a put, then return() in the same tick: the waiting next() already has the item; return() takes nothing more', async () => {
      const queue = new Queue<string>(2);
      const check = exactState(queue);
      const iterator = queue[Symbol.asyncIterator]();
      const next = iterator.next();
      queue.putNowait('a');
      const returned = iterator.return!();
      queue.putNowait('b');
      check(1, 0, 0);
      expect([await next, await returned]).toEqual([{ value: 'a', done: false }, DONE]);
    });

    it('return(), then a put in the same tick: the item stays in the queue', async () => {
      const queue = new Queue<string>(2);
      const check = exactState(queue);
      const iterator = queue[Symbol.asyncIterator]();
      const next = iterator.next();
      const returned = iterator.return!();
      queue.putNowait('a');
      check(1, 0, 0);
      expect([await next, await returned]).toEqual([DONE, DONE]);
    });

    it('close(), then return() in the same tick: the waiting next() is done once', async () => {
      const queue = new Queue<string>(2);
      const iterator = queue[Symbol.asyncIterator]();
      const next = iterator.next();
      queue.close();
      const returned = iterator.return!();
      exactState(queue)(0, 0, 0, true);
      expect([await next, await returned]).toEqual([DONE, DONE]);
    });

    it('return() with no next() waiting takes nothing and ends the iterator', async () => {
      const queue = new Queue<string>(2);
      queue.putNowait('a');
      const iterator = queue[Symbol.asyncIterator]();
      expect(await iterator.return!()).toEqual(DONE);
      expect(await iterator.next()).toEqual(DONE);
      expect(queue.size).toBe(1);
    });
  });
});
