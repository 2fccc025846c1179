import { Observable, Subject, type Subscriber } from 'rxjs';
import { EndOfStreamError, QueueClosedError, WouldBlockError } from './errors';
import { Fifo } from './internal/fifo';
import { stateStream } from './internal/stateStream';
import { WaitList, WaitNode } from './internal/waitList';
import { drain, enqueue, type Runnable } from './internal/trampoline';
import { checkCount } from './internal/validate';

/** A snapshot of a `Queue`. */
export interface QueueState {
  /** Items buffered and not yet promised to a getter. */
  readonly size: number;
  /** `put()` subscriptions waiting for room (or, at `maxSize` 0, for a getter). */
  readonly waitingPutters: number;
  /** `get()` and `consume()` subscriptions waiting for an item. */
  readonly waitingGetters: number;
  /** `close()` was called. */
  readonly closed: boolean;
}

const ACCEPTED = 1;
const REFUSED = 2;

/** One `put()` subscription: waits in line with its item, then is told accepted or refused. */
class Putter<T> extends WaitNode implements Runnable {
  outcome: 0 | typeof ACCEPTED | typeof REFUSED = 0;

  constructor(
    readonly item: T,
    private readonly subscriber: Subscriber<void>,
  ) {
    super();
  }

  run(): void {
    if (this.subscriber.closed) return;
    if (this.outcome === ACCEPTED) this.subscriber.complete();
    else this.subscriber.error(new QueueClosedError());
  }
}

const IDLE = 0;
const HANDED = 1;
const ENDING = 2;

/** One `get()` subscription, or a `consume()` one that goes back in line after every item. */
class Getter<T> extends WaitNode implements Runnable {
  state: typeof IDLE | typeof HANDED | typeof ENDING = IDLE;

  constructor(
    private readonly queue: Queue<T>,
    readonly subscriber: Subscriber<T>,
    readonly repeat: boolean,
  ) {
    super();
  }

  run(): void {
    this.queue.deliver(this);
  }

  /** No item will ever come: `get()` errors, `consume()` completes. */
  end(): void {
    this.state = IDLE;
    if (this.repeat) this.subscriber.complete();
    else this.subscriber.error(new EndOfStreamError());
  }
}

/**
 * A typed FIFO channel with backpressure between producers and consumers, after AnyIO's memory
 * object streams. `put()` completes once the item is accepted, so a producer that waits for it
 * never runs more than `maxSize` items ahead of its consumers. Items, waiting putters and waiting
 * getters are each served first in, first out; every operation is O(1), and synchronous hand-offs
 * run on a trampoline, so a million of them never deepen the stack.
 *
 * Unsubscribing is withdrawing: a `put()` unsubscribed before it was accepted never enqueues its
 * item, and a `get()` unsubscribed before it received one takes nothing. An item leaves the queue
 * only when it is delivered, so no item is ever lost or delivered twice. Acceptance is final: a
 * put unsubscribed after its item was accepted (in the same frame, before its completion arrived)
 * leaves the item queued.
 *
 * RxJS cannot slow a push source down: the backpressure reaches whatever waits for `put()` (an
 * `await` loop, `boundedMapFrom` reading an iterable); a `concatMap` over a hot source holds the
 * values the queue refused in its own buffer.
 *
 * @example
 * ```ts
 * const jobs = new Queue<Job>(10);
 * // Producer: the next job is read only once the previous one was accepted.
 * (async () => {
 *   for await (const job of readJobs()) await lastValueFrom(jobs.put(job), { defaultValue: undefined });
 *   jobs.close();
 * })();
 * // Two workers share the jobs: each job goes to exactly one of them.
 * jobs.consume().subscribe((job) => runSync(job));
 * jobs.consume().subscribe((job) => runSync(job));
 * ```
 */
export class Queue<T> {
  /** How many items the queue buffers: 0 for a rendezvous (a put waits for a get), `Infinity` for no limit. */
  readonly maxSize: number;
  private readonly items = new Fifo<T>();
  /**
   * How many items at the head of `items` are promised to getters whose delivery is queued on the
   * trampoline. Promising a count rather than a particular item is what makes a getter cancelled
   * before its delivery harmless: every delivery takes the head, whoever takes it.
   */
  private reserved = 0;
  private readonly putters = new WaitList<Putter<T>>();
  private readonly getters = new WaitList<Getter<T>>();
  private isClosed = false;
  private changes: Subject<void> | null = null;

  /** @param maxSize - items buffered: an integer ≥ 0 (0: rendezvous) or `Infinity` (unbounded) */
  constructor(maxSize: number) {
    this.maxSize = checkCount('Queue', 'maxSize', maxSize, 0, true);
  }

  /**
   * Items buffered and not yet promised to a getter. Never above `maxSize`, except for items
   * given back by a getter cancelled just before its delivery: they are kept, not dropped.
   */
  get size(): number {
    return this.items.length - this.reserved;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Completes once `item` is accepted: at once if a getter waits or there is room, else when a get
   * makes room. Unsubscribing before that withdraws the item. Errors with `QueueClosedError` if the
   * queue is closed, or closes while the put waits (the item is then never enqueued).
   */
  put(item: T): Observable<void> {
    return new Observable<void>((subscriber) => {
      if (this.isClosed) {
        subscriber.error(new QueueClosedError());
        return undefined;
      }
      const putter = new Putter(item, subscriber);
      this.putters.push(putter);
      this.flush();
      return () => {
        if (this.putters.remove(putter)) this.changed();
      };
    });
  }

  /**
   * Emits the oldest item and completes: at once if there is one, else when one is put.
   * Unsubscribing while it waits takes nothing. Errors with `EndOfStreamError` once the queue is
   * closed and drained.
   */
  get(): Observable<T> {
    return this.serving(false);
  }

  /**
   * Every item as it arrives, until the queue is closed and drained; then completes. Each
   * subscription is a sequence of gets: several consumers share the items, each going to exactly
   * one of them, in turn.
   *
   * An item is handed over once the previous one's `next` has returned, so synchronous work in the
   * subscriber holds the queue back; asynchronous work after it (`concatMap`) buffers downstream
   * instead: for a slow asynchronous consumer, loop on `get()` (see the README).
   */
  consume(): Observable<T> {
    return this.serving(true);
  }

  /** Accepts `item` now or throws: `WouldBlockError` if it would wait, `QueueClosedError` if closed. */
  putNowait(item: T): void {
    if (this.isClosed) throw new QueueClosedError();
    // Putters wait only on a full queue, so room here also means no putter is passed over.
    if (this.size >= this.maxSize + this.getters.size) throw new WouldBlockError('Queue.putNowait: the queue is full');
    this.items.push(item);
    this.flush();
  }

  /**
   * Takes the oldest item now (from a waiting putter on a rendezvous queue), or throws:
   * `WouldBlockError` if there is none, `EndOfStreamError` if the queue is closed and drained.
   */
  getNowait(): T {
    if (this.size === 0) {
      const putter = this.putters.peek();
      if (putter === null) {
        if (this.isClosed) throw new EndOfStreamError();
        throw new WouldBlockError('Queue.getNowait: the queue is empty');
      }
      this.accept(putter);
    }
    const item = this.items.take();
    this.flush();
    return item;
  }

  /**
   * Refuses further puts. Waiting puts error with `QueueClosedError`; buffered items still drain,
   * then gets error with `EndOfStreamError` and `consume()` completes. Idempotent.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (let putter = this.putters.popFront(); putter !== null; putter = this.putters.popFront()) {
      putter.outcome = REFUSED;
      enqueue(putter);
    }
    // Getters only wait on an empty queue: none of them will ever get an item.
    for (let getter = this.getters.popFront(); getter !== null; getter = this.getters.popFront()) {
      getter.state = ENDING;
      enqueue(getter);
    }
    drain();
    this.changed();
  }

  /** The current state on subscribe, then every change (never the same state twice in a row). */
  get state$(): Observable<QueueState> {
    return stateStream((this.changes ??= new Subject<void>()), () => this.snapshot());
  }


  /** Runs a getter's queued notification: the delivery of the head item, or the end. @internal */
  deliver(getter: Getter<T>): void {
    if (getter.state === ENDING) {
      getter.end();
      return;
    }
    // Idle: cancelled after it was handed an item, which it gave back then.
    if (getter.state !== HANDED) return;
    getter.state = IDLE;
    this.reserved--;
    getter.subscriber.next(this.items.take());
    if (!getter.repeat) getter.subscriber.complete();
    else if (!getter.subscriber.closed) this.serve(getter);
  }

  private serving(repeat: boolean): Observable<T> {
    return new Observable<T>((subscriber) => {
      const getter = new Getter(this, subscriber, repeat);
      this.serve(getter);
      return () => this.cancel(getter);
    });
  }

  private serve(getter: Getter<T>): void {
    if (this.isClosed && this.size === 0) {
      getter.end();
      return;
    }
    this.getters.push(getter);
    this.flush();
  }

  private cancel(getter: Getter<T>): void {
    const handed = getter.state === HANDED;
    getter.state = IDLE;
    if (this.getters.remove(getter)) {
      this.changed();
    } else if (handed) {
      // Its item is still at the head of the queue: it goes to the next getter instead.
      this.reserved--;
      this.flush();
    }
  }

  /**
   * Restores the invariants (getters wait only when nothing can be taken; putters only when there is
   * no room and no getter), queues the notifications, runs them, then reports the new state.
   */
  private flush(): void {
    for (;;) {
      const putter = this.putters.peek();
      if (this.size > 0 && this.getters.size > 0) {
        const getter = this.getters.popFront()!;
        getter.state = HANDED;
        this.reserved++;
        enqueue(getter);
      } else if (putter !== null && this.size < this.maxSize + this.getters.size) {
        // A waiting getter is room too: that is how a rendezvous put gets through.
        this.accept(putter);
      } else {
        break;
      }
    }
    drain();
    this.changed();
  }

  private accept(putter: Putter<T>): void {
    this.putters.remove(putter);
    this.items.push(putter.item);
    putter.outcome = ACCEPTED;
    enqueue(putter);
  }

  private snapshot(): QueueState {
    return { size: this.size, waitingPutters: this.putters.size, waitingGetters: this.getters.size, closed: this.isClosed };
  }

  private changed(): void {
    if (this.changes?.observed) this.changes.next();
  }
}
