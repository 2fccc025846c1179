import { Subject, tap, type Observable } from 'rxjs';
import { Queue, boundedMap, boundedMapFrom } from 'rxjs-concurrency';
import { settle } from './setup/promises';
import { exactState } from './setup/queue-state';
import { record } from './setup/record';

/*
 * Issue 13: a Queue between two stages must bound what waits between them. The demo's
 * `queue.consume().pipe(boundedMap(store, 6))` did not: consume() pushes every item at once, and
 * boundedMap buffers what it cannot start yet, so with the store stage slowed 142 batches waited
 * in boundedMap's buffer while Queue(8) held none and the producer never waited. Pulling with
 * `boundedMapFrom(queue, store, limit)` takes an item only when a slot frees.
 *
 * The store stage is slowed by hand: each task runs until the test finishes it; only microtasks
 * pass between steps, never a timer.
 */

const MAX_SIZE = 4;
const LIMIT = 3;
const ITEMS = 40;

/** The slowed stage: a task per item that ends when the test calls `finish(item)`. */
class SlowStage {
  readonly running = new Map<number, Subject<number>>();
  readonly stored: number[] = [];

  readonly store = (item: number): Observable<number> => {
    const task = new Subject<number>();
    this.running.set(item, task);
    return task;
  };

  finish(item: number): void {
    const task = this.running.get(item)!;
    this.running.delete(item);
    task.next(item);
    task.complete();
  }
}

/** Puts 0, 1, … ITEMS - 1 with putAsync, one at a time, then closes the queue; counts the puts accepted. */
function produce(queue: Queue<number>): { readonly accepted: () => number; readonly done: Promise<void> } {
  let accepted = 0;
  const done = (async () => {
    for (let i = 0; i < ITEMS; i++) {
      await queue.putAsync(i);
      accepted++;
    }
    queue.close();
  })();
  return { accepted: () => accepted, done };
}

describe('Queue as a pull source: boundedMapFrom(queue, store, limit)', () => {
  it('with the store stage slowed, items taken and not yet stored never exceed the limit; the producer is held back at maxSize + limit', async () => {
    const queue = new Queue<number>(MAX_SIZE);
    const check = exactState(queue);
    const stage = new SlowStage();
    let taken = 0;
    const output = record(boundedMapFrom(queue, (item: number) => (taken++, stage.store(item)), LIMIT, { ordered: false }));
    const producer = produce(queue);
    let peakBacklog = 0;
    for (let step = 0; ; step++) {
      await settle();
      const stored = output.values.length;
      const backlog = taken - stored;
      peakBacklog = Math.max(peakBacklog, backlog);
      expect(backlog).toBe(stage.running.size);
      const pending = ITEMS - stored;
      if (pending > MAX_SIZE + LIMIT) {
        // Saturated: every slot busy, the queue full, the producer parked on its next put.
        expect([backlog, producer.accepted() - stored]).toEqual([LIMIT, MAX_SIZE + LIMIT]);
        check(MAX_SIZE, 1, 0);
      } else {
        // The tail: everything was put; the queue empties as slots free.
        const running = Math.min(LIMIT, pending);
        expect([backlog, producer.accepted()]).toEqual([running, ITEMS]);
        check(pending - running, 0, 0, true);
      }
      if (pending === 0) break;
      // Finish the oldest task on even steps and the newest on odd ones.
      const keys = [...stage.running.keys()];
      stage.finish(step % 2 === 0 ? keys[0]! : keys[keys.length - 1]!);
    }
    await producer.done;
    expect(output.completed).toBe(true);
    expect([...output.values].sort((a, b) => a - b)).toEqual(Array.from({ length: ITEMS }, (_, i) => i));
    expect(peakBacklog).toBe(LIMIT);
  });

  it("the pattern it replaces, consume().pipe(boundedMap(store, limit)), bounds nothing: the queue is drained into boundedMap's buffer", async () => {
    const queue = new Queue<number>(MAX_SIZE);
    const stage = new SlowStage();
    let taken = 0;
    const output = record(
      queue.consume().pipe(
        tap(() => taken++),
        boundedMap((item: number) => stage.store(item), LIMIT, { ordered: false }),
      ),
    );
    const producer = produce(queue);
    await producer.done;
    // Nothing stored yet, and every item already left the queue: the producer never waited.
    expect([output.values.length, stage.running.size, taken, producer.accepted()]).toEqual([0, LIMIT, ITEMS, ITEMS]);
    exactState(queue)(0, 0, 0, true);
    output.subscription.unsubscribe();
  });

  it('unsubscribing while it waits for an item withdraws the get: the next item put stays in the queue', async () => {
    const queue = new Queue<number>(MAX_SIZE);
    const check = exactState(queue);
    const stage = new SlowStage();
    const output = record(boundedMapFrom(queue, stage.store, LIMIT));
    await settle();
    check(0, 0, 1);
    output.subscription.unsubscribe();
    await settle();
    check(0, 0, 0);
    queue.putNowait(1);
    check(1, 0, 0);
    expect(queue.getNowait()).toBe(1);
  });
});
