import { concatMap, range, Subject, takeUntil, takeWhile } from 'rxjs';
import { EndOfStreamError, Queue, QueueClosedError, WouldBlockError, type QueueState } from 'rxjs-concurrency';
import { inDelivery } from './setup/in-delivery';
import { record } from './setup/record';
import { counters, exactState, lastState } from './setup/queue-state';
import { thrown } from './setup/thrown';
import { MILLION } from './property/params';
import { scale } from './setup/scale';

describe('Queue', () => {
  describe('constructor', () => {
    it('takes 0, a positive integer or Infinity as maxSize', () => {
      expect(new Queue(0).maxSize).toBe(0);
      expect(new Queue(3).maxSize).toBe(3);
      expect(new Queue(Infinity).maxSize).toBe(Infinity);
    });

    it.each([
      [-1, 'Queue: maxSize must be an integer >= 0 or Infinity, received -1'],
      [NaN, 'Queue: maxSize must be an integer >= 0 or Infinity, received NaN'],
      [1.5, 'Queue: maxSize must be an integer >= 0 or Infinity, received 1.5'],
      [-Infinity, 'Queue: maxSize must be an integer >= 0 or Infinity, received -Infinity'],
    ])('throws RangeError for maxSize %p', (maxSize, message) => {
      expect(() => new Queue(maxSize)).toThrow(RangeError);
      expect(() => new Queue(maxSize)).toThrow(message);
    });

    it.each([
      [undefined, 'Queue: maxSize must be an integer >= 0 or Infinity, received undefined'],
      ['3', 'Queue: maxSize must be an integer >= 0 or Infinity, received "3"'],
      [null, 'Queue: maxSize must be an integer >= 0 or Infinity, received null'],
    ])('throws TypeError for maxSize %p', (maxSize, message) => {
      const make = (): Queue<number> => new (Queue as new (maxSize?: unknown) => Queue<number>)(maxSize);
      expect(make).toThrow(TypeError);
      expect(make).toThrow(message);
    });

    it('throws TypeError when maxSize is missing', () => {
      const make = (): Queue<number> => new (Queue as new () => Queue<number>)();
      expect(make).toThrow(new TypeError('Queue: maxSize must be an integer >= 0 or Infinity, received undefined'));
    });
  });

  describe('putNowait / getNowait', () => {
    it('buffers up to maxSize in FIFO order, then throws WouldBlockError', () => {
      const queue = new Queue<number>(2);
      queue.putNowait(1);
      queue.putNowait(2);
      expect(queue.size).toBe(2);
      expect(() => queue.putNowait(3)).toThrow(WouldBlockError);
      expect(() => queue.putNowait(3)).toThrow('Queue.putNowait: the queue is full');
      expect(queue.size).toBe(2);
      expect(queue.getNowait()).toBe(1);
      expect(queue.getNowait()).toBe(2);
      expect(() => queue.getNowait()).toThrow(WouldBlockError);
      expect(() => queue.getNowait()).toThrow('Queue.getNowait: the queue is empty');
      expect(queue.size).toBe(0);
    });

    it('never blocks an unbounded queue', () => {
      const queue = new Queue<number>(Infinity);
      for (let i = 0; i < 10_000; i++) queue.putNowait(i);
      expect(queue.size).toBe(10_000);
      for (let i = 0; i < 10_000; i++) expect(queue.getNowait()).toBe(i);
    });

    it('keeps FIFO order across the ring growing and wrapping around', () => {
      const queue = new Queue<number>(Infinity);
      const out: number[] = [];
      let next = 0;
      // Interleave puts and gets so the head moves around the ring while it grows.
      for (let round = 1; round <= 40; round++) {
        for (let i = 0; i < round; i++) queue.putNowait(next++);
        for (let i = 0; i < round / 2; i++) out.push(queue.getNowait());
      }
      while (queue.size > 0) out.push(queue.getNowait());
      expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    });

    it('delivers undefined and null items like any other', () => {
      const queue = new Queue<undefined | null>(2);
      queue.putNowait(undefined);
      queue.putNowait(null);
      expect(queue.size).toBe(2);
      expect(queue.getNowait()).toBeUndefined();
      expect(queue.getNowait()).toBeNull();
    });

    it('hands putNowait straight to a waiting getter, even on a rendezvous queue, without buffering', () => {
      const queue = new Queue<string>(0);
      const getter = record(queue.get());
      const state = lastState(queue);
      queue.putNowait('a');
      expect(getter).toMatchObject({ values: ['a'], completed: true });
      expect(state()).toEqual({ size: 0, waitingPutters: 0, waitingGetters: 0, closed: false });
      expect(() => queue.putNowait('b')).toThrow(WouldBlockError);
    });

    it('takes getNowait from a waiting putter on a rendezvous queue; the put completes at once', () => {
      const queue = new Queue<string>(0);
      const putter = record(queue.put('a'));
      expect(putter.completed).toBe(false);
      expect(queue.getNowait()).toBe('a');
      expect(putter.completed).toBe(true);
      expect(counters(queue)).toEqual({ size: 0, waitingPutters: 0, waitingGetters: 0, closed: false });
    });

    it('accepts the first waiting put when getNowait makes room', () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const b = record(queue.put('b'));
      const c = record(queue.put('c'));
      expect(queue.getNowait()).toBe('a');
      expect([b.completed, c.completed]).toEqual([true, false]);
      expect(counters(queue)).toEqual({ size: 1, waitingPutters: 1, waitingGetters: 0, closed: false });
    });
  });

  describe('put / get', () => {
    it('put completes at once when there is room; get emits at once when there is an item', () => {
      const queue = new Queue<number>(1);
      const put = record(queue.put(1));
      expect(put).toMatchObject({ values: [], completed: true });
      const get = record(queue.get());
      expect(get).toMatchObject({ values: [1], completed: true });
    });

    it('a put handed to a waiting getter never touches the buffer', () => {
      const queue = new Queue<number>(1);
      const get = record(queue.get());
      const sizes: number[] = [];
      queue.state$.subscribe((state) => sizes.push(state.size));
      queue.put(7).subscribe();
      expect(get.values).toEqual([7]);
      expect(sizes).toEqual([0, 0]);
    });

    it('serves waiting getters first in, first out', () => {
      const queue = new Queue<number>(0);
      const getters = [record(queue.get()), record(queue.get()), record(queue.get())];
      queue.putNowait(1);
      queue.putNowait(2);
      queue.putNowait(3);
      expect(getters.map((g) => g.values)).toEqual([[1], [2], [3]]);
    });

    it('accepts waiting putters first in, first out', () => {
      const queue = new Queue<number>(0);
      const putters = [record(queue.put(1)), record(queue.put(2)), record(queue.put(3))];
      expect(queue.getNowait()).toBe(1);
      expect(putters.map((p) => p.completed)).toEqual([true, false, false]);
      expect(record(queue.get()).values).toEqual([2]);
      expect(putters.map((p) => p.completed)).toEqual([true, true, false]);
    });

    it('a put unsubscribed while waiting withdraws its item (PITFALLS 3)', () => {
      const queue = new Queue<number>(1);
      queue.putNowait(1);
      const state = lastState(queue);
      const withdrawn = record(queue.put(2));
      const kept = record(queue.put(3));
      expect(state()).toEqual({ size: 1, waitingPutters: 2, waitingGetters: 0, closed: false });
      withdrawn.subscription.unsubscribe();
      expect(state()).toEqual({ size: 1, waitingPutters: 1, waitingGetters: 0, closed: false });
      expect(queue.getNowait()).toBe(1);
      expect(queue.getNowait()).toBe(3);
      expect([withdrawn.completed, kept.completed]).toEqual([false, true]);
    });

    it('a get unsubscribed while waiting takes nothing (PITFALLS 3)', () => {
      const queue = new Queue<number>(1);
      const state = lastState(queue);
      const cancelled = record(queue.get());
      const served = record(queue.get());
      cancelled.subscription.unsubscribe();
      expect(state()).toEqual({ size: 0, waitingPutters: 0, waitingGetters: 1, closed: false });
      queue.putNowait(1);
      queue.putNowait(2);
      expect([cancelled.values, served.values]).toEqual([[], [1]]);
      expect(queue.getNowait()).toBe(2);
    });

    it('a getter cancelled after it was handed an item, before receiving it, gives it to the next getter (PITFALLS 2)', () => {
      const queue = new Queue<string>(0);
      const stop = new Subject<void>();
      const inside: QueueState[] = [];
      const first = queue.get().subscribe(() => {
        // 'b' is handed to second; its delivery is queued behind this one when second is cancelled.
        queue.putNowait('b');
        inside.push(counters(queue));
        stop.next();
        inside.push(counters(queue));
      });
      const second = record(queue.get().pipe(takeUntil(stop)));
      const third = record(queue.get());
      queue.putNowait('a');
      expect(first.closed).toBe(true);
      expect(second).toMatchObject({ values: [], completed: true });
      expect(third).toMatchObject({ values: ['b'], completed: true });
      expect(inside).toEqual([
        { size: 0, waitingPutters: 0, waitingGetters: 1, closed: false },
        { size: 0, waitingPutters: 0, waitingGetters: 0, closed: false },
      ]);
      expect(counters(queue)).toEqual({ size: 0, waitingPutters: 0, waitingGetters: 0, closed: false });
    });

    it('keeps an item given back by a cancelled getter, even above maxSize on a rendezvous queue, for the next get', () => {
      const queue = new Queue<string>(0);
      const stop = new Subject<void>();
      let sizeInside = -1;
      queue.get().subscribe(() => {
        queue.putNowait('c'); // handed to `late`, whose delivery is queued behind this one
        stop.next(); // `late` is cancelled before it receives 'c'
        sizeInside = queue.size;
      });
      const late = record(queue.get().pipe(takeUntil(stop)));
      queue.putNowait('b');
      expect(late).toMatchObject({ values: [], completed: true });
      // The accepted item is kept, not lost: one above maxSize 0 until a getter takes it.
      expect(sizeInside).toBe(1);
      expect(queue.size).toBe(1);
      expect(() => queue.putNowait('d')).toThrow(WouldBlockError);
      expect(record(queue.get()).values).toEqual(['c']);
      expect(queue.size).toBe(0);
    });

    it('a put unsubscribed after its item was accepted, before its completion arrived, withdraws the item', () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const put = record(queue.put('b'));
      const inside: QueueState[] = [];
      queue.get().subscribe(() => {
        // 'b' was accepted when 'a' left; its completion is queued behind this delivery.
        inside.push(counters(queue));
        put.subscription.unsubscribe();
        inside.push(counters(queue));
      });
      expect(put.completed).toBe(false);
      expect(put.subscription.closed).toBe(true);
      expect(inside).toEqual([
        { size: 1, waitingPutters: 0, waitingGetters: 0, closed: false },
        { size: 0, waitingPutters: 0, waitingGetters: 0, closed: false },
      ]);
      expect(() => queue.getNowait()).toThrow(WouldBlockError);
      expect(queue.size).toBe(0);
    });

    it('a put withdrawn after its item was handed to a getter, before either was notified: the getter goes back to the head of the line', () => {
      const queue = new Queue<string>(0);
      const stop = new Subject<void>();
      let put: ReturnType<typeof record<void>> | undefined;
      const inside: QueueState[] = [];
      queue.get().subscribe(() => {
        // 'b' is accepted and handed to `second` at once; both notifications are queued behind this one.
        put = record(queue.put('b').pipe(takeUntil(stop)));
        inside.push(counters(queue));
        stop.next();
        inside.push(counters(queue));
      });
      const second = record(queue.get());
      const third = record(queue.get());
      queue.putNowait('a');
      expect(put).toMatchObject({ completed: true, values: [] }); // takeUntil's own completion, not the put's
      expect(inside).toEqual([
        { size: 0, waitingPutters: 0, waitingGetters: 1, closed: false },
        { size: 0, waitingPutters: 0, waitingGetters: 2, closed: false },
      ]);
      expect([second.values, third.values]).toEqual([[], []]);
      queue.putNowait('c');
      queue.putNowait('d');
      expect([second.values, third.values]).toEqual([['c'], ['d']]);
    });

    it('a put withdrawn after its item was handed to a getter: the getter takes the next buffered item instead', () => {
      const queue = new Queue<string>(Infinity);
      const stop = new Subject<void>();
      let put: ReturnType<typeof record<void>> | undefined;
      queue.get().subscribe(() => {
        put = record(queue.put('b').pipe(takeUntil(stop))); // handed to `second`
        queue.putNowait('c');
        stop.next();
        expect(queue.size).toBe(0);
      });
      const second = record(queue.get());
      queue.putNowait('a');
      expect(put!.values).toEqual([]);
      expect(second.values).toEqual(['c']);
      expect(queue.size).toBe(0);
      expect(() => queue.getNowait()).toThrow(WouldBlockError);
    });

    it('a put whose item is taken before its completion arrived completes then, and can no longer withdraw it', () => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const put = record(queue.put('b'));
      const got: string[] = [];
      queue.get().subscribe(() => {
        expect(put.completed).toBe(false);
        got.push(queue.getNowait());
        // Delivered, so completed: the put saw its item accepted before anyone could take it.
        expect(put.completed).toBe(true);
        put.subscription.unsubscribe();
      });
      expect(got).toEqual(['b']);
      expect(put.completed).toBe(true);
      expect(queue.size).toBe(0);
    });

    it('a put withdrawn after close, its item handed to a getter: the getter ends with EndOfStreamError', () => {
      const queue = new Queue<string>(0);
      const stop = new Subject<void>();
      let put: ReturnType<typeof record<void>> | undefined;
      queue.get().subscribe(() => {
        put = record(queue.put('b').pipe(takeUntil(stop))); // handed to `second`
        queue.close();
        stop.next();
      });
      const second = record(queue.get());
      queue.putNowait('a');
      expect(put!.values).toEqual([]);
      expect(second.values).toEqual([]);
      expect(second.error).toBeInstanceOf(EndOfStreamError);
      expect(counters(queue)).toEqual({ size: 0, waitingPutters: 0, waitingGetters: 0, closed: true });
    });

    it('a getter cancelled after its promised item was withdrawn and replaced: the newest promised item goes back, skipping the withdrawn one', () => {
      const queue = new Queue<string>(Infinity);
      const stopPut = new Subject<void>();
      const stopSecond = new Subject<void>();
      queue.get().subscribe(() => {
        queue.putNowait('x'); // handed to `second`
        queue.put('p').pipe(takeUntil(stopPut)).subscribe(); // handed to `third`
        stopPut.next(); // 'p' withdrawn: `third` waits again
        stopSecond.next(); // 'x' goes back, to `third`
      });
      const second = record(queue.get().pipe(takeUntil(stopSecond)));
      const third = record(queue.get());
      queue.putNowait('a');
      expect(second).toMatchObject({ values: [], completed: true });
      expect(third).toMatchObject({ values: ['x'], completed: true });
      expect(counters(queue)).toEqual({ size: 0, waitingPutters: 0, waitingGetters: 0, closed: false });
    });

    it('a getter cancelled by the completion of the put whose item it is being given: the item goes to the next getter', () => {
      const queue = new Queue<string>(0);
      const stopFirstPut = new Subject<void>();
      const stopSecond = new Subject<void>();
      let put: ReturnType<typeof record<void>> | undefined;
      queue.get().subscribe(() => {
        // 'p1' is handed to `second`, then withdrawn: `second` waits again, its delivery still queued.
        queue.put('p1').pipe(takeUntil(stopFirstPut)).subscribe();
        stopFirstPut.next();
        // 'p2' is handed to `second` at that earlier place in line, ahead of the put's own completion.
        put = record(queue.put('p2'));
        put.subscription.add(() => stopSecond.next());
      });
      const second = record(queue.get().pipe(takeUntil(stopSecond)));
      const third = record(queue.get());
      queue.putNowait('a');
      expect(put!.completed).toBe(true);
      expect(second).toMatchObject({ values: [], completed: true });
      expect(third).toMatchObject({ values: ['p2'], completed: true });
      expect(counters(queue)).toEqual({ size: 0, waitingPutters: 0, waitingGetters: 0, closed: false });
    });

    it('a get cancelled by a notification that runs before its first delivery, while still subscribing, takes nothing', () => {
      const queue = new Queue<string>(0);
      const stop = new Subject<void>();
      // The put's completion runs first, inside the get's subscription, and cancels the get.
      const put = record(queue.put('a'));
      put.subscription.add(() => stop.next());
      const get = record(queue.get().pipe(takeUntil(stop)));
      expect(put.completed).toBe(true);
      expect(get).toMatchObject({ values: [], completed: true });
      // The item is kept, not lost.
      expect(queue.getNowait()).toBe('a');
    });

    it('getNowait while a delivery is queued leaves the promised item to the waiting getter: FIFO among getters', () => {
      const queue = new Queue<string>(Infinity);
      const delivered: string[] = [];
      queue.get().subscribe((x) => {
        delivered.push(`g1:${x}`);
        queue.putNowait('b'); // handed to g2, delivery queued
        queue.putNowait('c');
        delivered.push(`nowait:${queue.getNowait()}`);
      });
      queue.get().subscribe((x) => delivered.push(`g2:${x}`));
      queue.putNowait('a');
      expect(delivered).toEqual(['g1:a', 'nowait:c', 'g2:b']);
      expect(queue.size).toBe(0);
    });

    it('getNowait throws WouldBlockError when every buffered item is promised to a waiting getter', () => {
      const queue = new Queue<string>(Infinity);
      const outcomes: unknown[] = [];
      queue.get().subscribe(() => {
        queue.putNowait('b'); // handed to g2, delivery queued
        try {
          outcomes.push(queue.getNowait());
        } catch (error) {
          outcomes.push(error);
        }
      });
      const second = record(queue.get());
      queue.putNowait('a');
      expect(outcomes).toEqual([new WouldBlockError('Queue.getNowait: the queue is empty')]);
      expect(outcomes[0]).toBeInstanceOf(WouldBlockError);
      expect(second.values).toEqual(['b']);
    });
  });

  describe('consume', () => {
    it('emits every item as it arrives and completes once closed and drained', () => {
      const queue = new Queue<number>(2);
      queue.putNowait(1);
      const consumer = record(queue.consume());
      expect(consumer.values).toEqual([1]);
      queue.putNowait(2);
      queue.putNowait(3);
      expect(consumer.values).toEqual([1, 2, 3]);
      expect(consumer.completed).toBe(false);
      queue.close();
      expect(consumer.completed).toBe(true);
    });

    it('drains buffered items before completing when subscribed after close', () => {
      const queue = new Queue<number>(3);
      queue.putNowait(1);
      queue.putNowait(2);
      queue.close();
      expect(record(queue.consume())).toMatchObject({ values: [1, 2], completed: true });
    });

    it('several consumers share the items, each to exactly one, in turn', () => {
      const queue = new Queue<number>(Infinity);
      const a = record(queue.consume());
      const b = record(queue.consume());
      for (let i = 1; i <= 6; i++) queue.putNowait(i);
      expect([a.values, b.values]).toEqual([
        [1, 3, 5],
        [2, 4, 6],
      ]);
    });

    it('a consumer unsubscribed from its own callback takes nothing more', () => {
      const queue = new Queue<number>(Infinity);
      for (let i = 1; i <= 4; i++) queue.putNowait(i);
      const seen: number[] = [];
      queue
        .consume()
        .pipe(takeWhile((x) => x < 2, true))
        .subscribe((x) => seen.push(x));
      expect(seen).toEqual([1, 2]);
      expect(queue.size).toBe(2);
      expect(counters(queue).waitingGetters).toBe(0);
    });
  });

  describe('close', () => {
    it('refuses new puts with QueueClosedError, synchronously', () => {
      const queue = new Queue<number>(1);
      queue.close();
      expect(() => queue.putNowait(1)).toThrow(QueueClosedError);
      expect(record(queue.put(1)).error).toBeInstanceOf(QueueClosedError);
      expect(queue.size).toBe(0);
    });

    it('errors waiting puts with QueueClosedError; their items are never enqueued; buffered items still drain', () => {
      const queue = new Queue<number>(1);
      queue.putNowait(1);
      const waiting = [record(queue.put(2)), record(queue.put(3))];
      queue.close();
      expect(waiting.map((p) => p.error)).toEqual([new QueueClosedError(), new QueueClosedError()]);
      expect(waiting.every((p) => p.error instanceof QueueClosedError)).toBe(true);
      expect(counters(queue)).toEqual({ size: 1, waitingPutters: 0, waitingGetters: 0, closed: true });
      expect(record(queue.get()).values).toEqual([1]);
      expect(record(queue.get()).error).toBeInstanceOf(EndOfStreamError);
    });

    it('errors waiting gets with EndOfStreamError and completes waiting consumers', () => {
      const queue = new Queue<number>(1);
      const get = record(queue.get());
      const consumer = record(queue.consume());
      queue.close();
      expect(get.error).toBeInstanceOf(EndOfStreamError);
      expect((get.error as Error).message).toBe('the queue is closed and empty');
      expect(consumer.completed).toBe(true);
      expect(counters(queue)).toEqual({ size: 0, waitingPutters: 0, waitingGetters: 0, closed: true });
    });

    it('getNowait on a closed, drained queue throws EndOfStreamError; before that it drains', () => {
      const queue = new Queue<number>(2);
      queue.putNowait(1);
      queue.close();
      expect(queue.getNowait()).toBe(1);
      expect(() => queue.getNowait()).toThrow(EndOfStreamError);
    });

    it('is idempotent', () => {
      const queue = new Queue<number>(1);
      const states: QueueState[] = [];
      queue.state$.subscribe((s) => states.push(s));
      queue.close();
      queue.close();
      expect(queue.closed).toBe(true);
      expect(states).toEqual([
        { size: 0, waitingPutters: 0, waitingGetters: 0, closed: false },
        { size: 0, waitingPutters: 0, waitingGetters: 0, closed: true },
      ]);
    });
  });

  describe('counters and state$ (PITFALLS 17)', () => {
    it('are exact synchronously after every call', () => {
      const queue = new Queue<number>(1);
      const check = exactState(queue);
      check(0, 0, 0);
      const g = queue.get().subscribe();
      check(0, 0, 1);
      g.unsubscribe();
      check(0, 0, 0);
      queue.putNowait(1);
      check(1, 0, 0);
      const p = queue.put(2).subscribe();
      check(1, 1, 0);
      queue.put(3).subscribe();
      check(1, 2, 0);
      p.unsubscribe();
      check(1, 1, 0);
      queue.get().subscribe();
      check(1, 0, 0);
      queue.close();
      check(1, 0, 0, true);
      queue.getNowait();
      check(0, 0, 0, true);
    });

    it('state$ emits the current state on subscribe, then every change, never twice the same', () => {
      const queue = new Queue<number>(0);
      const states: QueueState[] = [];
      queue.state$.subscribe((s) => states.push(s));
      const c = queue.consume().subscribe();
      queue.putNowait(1); // straight through the waiting consumer: no visible change
      c.unsubscribe();
      expect(states).toEqual([
        { size: 0, waitingPutters: 0, waitingGetters: 0, closed: false },
        { size: 0, waitingPutters: 0, waitingGetters: 1, closed: false },
        { size: 0, waitingPutters: 0, waitingGetters: 0, closed: false },
      ]);
    });

    it('state$ never reaches a subscriber out of order when another subscriber changes the queue from its callback', () => {
      const queue = new Queue<number>(Infinity);
      const first: number[] = [];
      const second: number[] = [];
      queue.state$.subscribe((s) => {
        first.push(s.size);
        if (s.size === 1) queue.putNowait(2);
      });
      queue.state$.subscribe((s) => second.push(s.size));
      queue.putNowait(1);
      expect(first).toEqual([0, 1, 2]);
      expect(second).toEqual([0, 2]);
    });

    it('state$ is cold and stops on unsubscribe', () => {
      const queue = new Queue<number>(1);
      const states: number[] = [];
      const subscription = queue.state$.subscribe((s) => states.push(s.size));
      subscription.unsubscribe();
      queue.putNowait(1);
      expect(states).toEqual([0]);
      expect(record(queue.state$).values).toEqual([{ size: 1, waitingPutters: 0, waitingGetters: 0, closed: false }]);
    });
  });

  describe('scale (PITFALLS 8, 9)', () => {
    it('moves 10^6 items through put (concatMap) and consume synchronously without overflowing the stack', () => {
      const queue = new Queue<number>(0);
      let count = 0;
      let sum = 0;
      let completed = false;
      queue.consume().subscribe({
        next: (x) => {
          count++;
          sum += x;
        },
        complete: () => (completed = true),
      });
      let produced = false;
      range(0, MILLION)
        .pipe(concatMap((x) => queue.put(x)))
        .subscribe({ complete: () => (produced = true) });
      queue.close();
      expect(produced).toBe(true);
      expect(completed).toBe(true);
      expect(count).toBe(MILLION);
      expect(sum).toBe(((MILLION - 1) * MILLION) / 2);
    });

    it('drains 10^6 buffered items into a consumer synchronously without overflowing the stack', () => {
      const queue = new Queue<number>(Infinity);
      for (let i = 0; i < MILLION; i++) queue.putNowait(i);
      let count = 0;
      let inOrder = true;
      queue.consume().subscribe((x) => {
        if (x !== count) inOrder = false;
        count++;
      });
      expect(count).toBe(MILLION);
      expect(inOrder).toBe(true);
      expect(queue.size).toBe(0);
    });

    it('10^5 waiting putters freed one get at a time, each get accepting the next putter', () => {
      const n = scale(100_000);
      const queue = new Queue<number>(0);
      const completed: number[] = [];
      for (let i = 0; i < n; i++) queue.put(i).subscribe({ complete: () => completed.push(i) });
      let count = 0;
      queue.consume().subscribe((x) => {
        if (x === count) count++;
      });
      expect(count).toBe(n);
      expect(completed.length).toBe(n);
    });

    it('cancels 5 * 10^4 getters from the middle of 10^5 in O(1) each; the rest are served in order', () => {
      const queue = new Queue<number>(Infinity);
      const got: number[] = [];
      const n = scale(100_000);
      const subscriptions = Array.from({ length: n }, (_, i) => queue.get().subscribe(() => got.push(i)));
      for (let i = 1; i < n; i += 2) subscriptions[i]!.unsubscribe();
      expect(counters(queue).waitingGetters).toBe(n / 2);
      for (let i = 0; i < n / 2; i++) queue.putNowait(i);
      expect(got.length).toBe(n / 2);
      expect(got.every((getter, k) => getter === 2 * k)).toBe(true);
    });
  });
});

describe('Queue: close() while a getter still holds the promise of an item', () => {
  it.each([
    [
      'get()',
      (q: Queue<number>) => q.get(),
      [
        ['second', 1],
        ['second', 'complete'],
      ],
    ],
    [
      'consume()',
      (q: Queue<number>) => q.consume(),
      [
        ['second', 1],
        ['second', 'complete'],
      ],
    ],
  ])('a handed getter cancelled after close() gives its item to the getter waiting behind it (%s)', (_name, second, expected) => {
    const queue = new Queue<number>(Infinity);
    const got: unknown[] = [];
    const first = queue.get().subscribe((v) => got.push(['first', v]));
    second(queue).subscribe({
      next: (v) => got.push(['second', v]),
      error: (e: Error) => got.push(['second', e.name]),
      complete: () => got.push(['second', 'complete']),
    });
    inDelivery(() => {
      queue.putNowait(1); // handed to `first`, its delivery queued
      queue.close();
      first.unsubscribe(); // gives 1 back
    });
    expect(got).toEqual(expected);
    expect(queue.size).toBe(0);
  });

  it('getNowait() would block, not end, while that promise stands: the item may still come back', () => {
    const queue = new Queue<number>(Infinity);
    const first = queue.get().subscribe();
    const outcomes: unknown[] = [];
    inDelivery(() => {
      queue.putNowait(1);
      queue.close();
      outcomes.push((thrown(() => queue.getNowait()) as Error).name);
      first.unsubscribe(); // gives 1 back
      outcomes.push(queue.getNowait());
      outcomes.push((thrown(() => queue.getNowait()) as Error).name);
    });
    expect(outcomes).toEqual(['WouldBlockError', 1, 'EndOfStreamError']);
  });

  it('when the handed getter takes its item, the one behind it ends at once after the delivery', () => {
    const queue = new Queue<number>(Infinity);
    const got: unknown[] = [];
    queue.get().subscribe((v) => got.push(['first', v]));
    queue.get().subscribe({ next: (v) => got.push(['second', v]), error: (e: Error) => got.push(['second', e.name]) });
    inDelivery(() => {
      queue.putNowait(1);
      queue.close();
    });
    expect(got).toEqual([
      ['first', 1],
      ['second', 'EndOfStreamError'],
    ]);
    expect([queue.size, queue.closed]).toEqual([0, true]);
  });
});

describe('Queue: a put withdrawn while its item is promised to a getter', () => {
  it('a getter that leaves after it gives the live item to the getter behind it, never the withdrawn one', () => {
    const queue = new Queue<string>(0);
    const got: string[] = [];
    inDelivery(() => {
      queue.put('a').subscribe();
      const b = queue.put('b').subscribe();
      const first = queue.get().subscribe((v) => got.push(`first ${v}`));
      queue.get().subscribe((v) => got.push(`second ${v}`));
      // 'b' is withdrawn while promised to the second getter, which goes back to the head of the
      // line; then the first getter leaves, and the promise of 'a' it held passes to the second.
      b.unsubscribe();
      first.unsubscribe();
    });
    expect(got).toEqual(['second a']);
    expect([queue.size, counters(queue).waitingGetters, counters(queue).waitingPutters]).toEqual([0, 0, 0]);
  });
});
