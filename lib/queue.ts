import { Observable, type Subscriber } from 'rxjs';
import { EndOfStreamError, QueueClosedError, WouldBlockError } from './errors';
import { Fifo } from './internal/fifo';
import { captureAsync, currentScope, resume, type AsyncSnapshot, type Scope } from './internal/context';
import { StateFeed } from './internal/stateFeed';
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

const WAITING = 0;
/** Accepted, its completion not yet delivered: it can still withdraw its item. */
const PENDING = 1;
const DONE = 2;
const WITHDRAWN = 3;
const REFUSED = 4;

/**
 * One `put()` subscription: waits in line with its item, then is told accepted or refused. Once
 * accepted it stands for its item in the buffer until its completion is delivered, so that an
 * unsubscribe before then can still withdraw the item.
 */
class Putter<T> extends WaitNode implements Runnable {
  state: typeof WAITING | typeof PENDING | typeof DONE | typeof WITHDRAWN | typeof REFUSED = WAITING;
  /** Where it stands for its item while accepted. */
  entries: Entries<T> | null = null;
  /** The scope of a put that had to wait, which its completion runs in; null: it did not wait. */
  scope: Scope | null = null;
  /** Likewise its async context. */
  snapshot: AsyncSnapshot | null = null;

  constructor(
    readonly item: T,
    private readonly subscriber: Subscriber<void>,
  ) {
    super();
  }

  run(): void {
    if (this.state === PENDING) this.complete();
    else if (this.state === REFUSED && !this.subscriber.closed) this.resume(() => this.subscriber.error(new QueueClosedError()));
  }

  /** From here on the item belongs to the queue. */
  complete(): void {
    this.state = DONE;
    this.resume(() => this.subscriber.complete());
  }

  private resume(notify: () => void): void {
    if (this.scope === null) notify();
    else resume(this.scope, this.snapshot, notify);
  }
}

/** The item of an entry; a put not yet told it was accepted is told now, before anyone sees its item. */
function release<T>(entry: T | Putter<T>): T {
  if (!(entry instanceof Putter)) return entry;
  if (entry.state === PENDING) entry.complete();
  return entry.item as T;
}

/**
 * Items in order, each a plain value or the put that brought it. A withdrawn put stays where it
 * is, uncounted, until it reaches an end: taking it out of the middle would not be O(1).
 */
class Entries<T> {
  private readonly fifo = new Fifo<T | Putter<T>>();
  private withdrawn = 0;

  get length(): number {
    return this.fifo.length - this.withdrawn;
  }

  push(entry: T | Putter<T>): void {
    this.fifo.push(this.adopt(entry));
  }

  pushFront(entry: T | Putter<T>): void {
    this.fifo.pushFront(this.adopt(entry));
  }

  /** Removes the oldest entry; the caller checks `length > 0` first. */
  take(): T | Putter<T> {
    if (this.withdrawn === 0) return this.fifo.take();
    for (;;) {
      const entry = this.fifo.take();
      if (!(entry instanceof Putter && entry.state === WITHDRAWN)) return entry;
      this.withdrawn--;
    }
  }

  /** Removes the newest entry; the caller checks `length > 0` first. */
  takeBack(): T | Putter<T> {
    if (this.withdrawn === 0) return this.fifo.popBack();
    for (;;) {
      const entry = this.fifo.popBack();
      if (!(entry instanceof Putter && entry.state === WITHDRAWN)) return entry;
      this.withdrawn--;
    }
  }

  /** `putter`, accepted into these entries and not yet told, takes its item back. */
  withdraw(putter: Putter<T>): void {
    putter.state = WITHDRAWN;
    this.withdrawn++;
  }

  private adopt(entry: T | Putter<T>): T | Putter<T> {
    if (entry instanceof Putter) entry.entries = this;
    return entry;
  }
}

const IDLE = 0;
const HANDED = 1;
const ENDING = 2;

/** One `get()` subscription, or a `consume()` one that goes back in line after every item. */
class Getter<T> extends WaitNode implements Runnable {
  state: typeof IDLE | typeof HANDED | typeof ENDING = IDLE;
  /** Its notification is on the trampoline: a getter handed back and handed again keeps that place. */
  scheduled = false;
  /** The scope of a getter that had to wait, which its deliveries run in; null: it did not wait. */
  scope: Scope | null = null;
  /** Likewise its async context. */
  snapshot: AsyncSnapshot | null = null;

  constructor(
    private readonly queue: Queue<T>,
    readonly subscriber: Subscriber<T>,
    readonly repeat: boolean,
  ) {
    super();
  }

  run(): void {
    this.scheduled = false;
    if (this.scope === null) this.queue.deliver(this);
    else resume(this.scope, this.snapshot, () => this.queue.deliver(this));
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
 * Unsubscribing is withdrawing: a `put()` unsubscribed before its completion arrived takes its item
 * back (even if it was accepted in the same frame, or promised to a getter, which then waits on),
 * and a `get()` unsubscribed before it received an item takes nothing. A put is told it completed
 * before its item reaches anyone, so an item is delivered exactly when its put completed (or its
 * `putNowait` returned): no item is ever lost or delivered twice, whatever is cancelled when.
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
  /** Items no getter was promised yet, oldest first. */
  private readonly items = new Entries<T>();
  /**
   * Items promised to the `handed` getters, one each, whose deliveries are queued on the
   * trampoline. Promising a count rather than a particular item is what makes a getter cancelled
   * before its delivery harmless: every delivery takes the oldest, and the newest goes back.
   */
  private readonly promised = new Entries<T>();
  private readonly putters = new WaitList<Putter<T>>();
  private readonly getters = new WaitList<Getter<T>>();
  private readonly handed = new WaitList<Getter<T>>();
  private isClosed = false;
  private readonly feed = new StateFeed<QueueState>(() => ({
    size: this.size,
    waitingPutters: this.putters.size,
    waitingGetters: this.getters.size,
    closed: this.isClosed,
  }));

  /** @param maxSize - items buffered: an integer ≥ 0 (0: rendezvous) or `Infinity` (unbounded) */
  constructor(maxSize: number) {
    this.maxSize = checkCount('Queue', 'maxSize', maxSize, 0, true);
  }

  /**
   * Items buffered and not yet promised to a getter. Never above `maxSize`, except for items
   * given back by a getter cancelled just before its delivery: they are kept, not dropped.
   */
  get size(): number {
    return this.items.length;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Completes once `item` is accepted: at once if a getter waits or there is room, else when a get
   * makes room. Unsubscribing before the completion arrives withdraws the item. Errors with `QueueClosedError` if the
   * queue is closed, or closes while the put waits (the item is then never enqueued).
   */
  put(item: T): Observable<void> {
    return new Observable<void>((subscriber) => {
      if (this.isClosed) {
        subscriber.error(new QueueClosedError());
        return undefined;
      }
      const putter = new Putter(item, subscriber);
      // Added first: a notification run by this very subscribe may cancel the put.
      subscriber.add(() => this.withdraw(putter));
      this.putters.push(putter);
      this.flush();
      if (putter.state === WAITING && putter.queued) {
        putter.scope = currentScope();
        putter.snapshot = captureAsync();
      }
      return undefined;
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
   * Takes the oldest item not yet promised to a `get()` or `consume()` (from a waiting putter on a
   * rendezvous queue), or throws: `WouldBlockError` if there is none, `EndOfStreamError` if the
   * queue is closed and drained. Getters that wait are served first: inside a delivery, an item
   * already handed to the next getter is not taken from it.
   */
  getNowait(): T {
    let item: T;
    if (this.items.length > 0) {
      item = release(this.items.take());
    } else {
      // A putter waits on an empty queue only at maxSize 0 with no getter: its item passes straight over.
      const putter = this.putters.popFront();
      if (putter === null) {
        if (this.drained()) throw new EndOfStreamError();
        throw new WouldBlockError('Queue.getNowait: the queue is empty');
      }
      putter.complete();
      item = putter.item;
    }
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
      putter.state = REFUSED;
      enqueue(putter);
    }
    this.flush();
  }

  /** The current state on subscribe, then every change (never the same state twice in a row). */
  get state$(): Observable<QueueState> {
    return this.feed.state$;
  }


  /** Runs a getter's queued notification: the delivery of the head item, or the end. @internal */
  deliver(getter: Getter<T>): void {
    if (getter.state === ENDING) {
      getter.end();
      return;
    }
    // Idle: cancelled or handed back after it was handed an item, which it gave back then.
    if (getter.state !== HANDED) return;
    getter.state = IDLE;
    this.handed.remove(getter);
    const entry = this.promised.take();
    const item = release(entry);
    if (getter.subscriber.closed) {
      // Cancelled by the completion of that item's put: one promise fewer, as in `cancel`.
      this.promised.pushFront(entry);
      this.items.pushFront(this.promised.takeBack());
      this.flush();
      return;
    }
    getter.subscriber.next(item);
    if (!getter.repeat) getter.subscriber.complete();
    else if (!getter.subscriber.closed) this.serve(getter);
    // That was perhaps the last item a getter still held a promise of.
    if (this.endWaiting()) this.changed();
  }

  private serving(repeat: boolean): Observable<T> {
    return new Observable<T>((subscriber) => {
      const getter = new Getter(this, subscriber, repeat);
      // Added first: a notification run by this very subscribe may cancel the get.
      subscriber.add(() => this.cancel(getter));
      this.serve(getter);
      if (getter.queued) {
        getter.scope = currentScope();
        getter.snapshot = captureAsync();
      }
      return undefined;
    });
  }

  private serve(getter: Getter<T>): void {
    if (this.drained()) {
      getter.end();
      return;
    }
    this.getters.push(getter);
    this.flush();
  }

  private cancel(getter: Getter<T>): void {
    const handed = getter.state === HANDED;
    getter.state = IDLE;
    if (handed) {
      this.handed.remove(getter);
      // One promise fewer: the newest promised item goes back to the head of the queue.
      this.items.pushFront(this.promised.takeBack());
      this.flush();
    } else if (this.getters.remove(getter)) {
      this.changed();
    }
  }

  /** A put's teardown: a waiting put leaves the line; an accepted one not yet told takes its item back. */
  private withdraw(putter: Putter<T>): void {
    if (this.putters.remove(putter)) {
      this.changed();
      return;
    }
    if (putter.state !== PENDING) return;
    const entries = putter.entries!;
    entries.withdraw(putter);
    if (entries === this.promised) {
      // One item fewer for the handed getters: the oldest free item takes its place, or else the
      // last getter handed one goes back to the head of the line.
      if (this.items.length > 0) this.promised.push(this.items.take());
      else this.handBack(this.handed.peekBack()!);
    }
    this.flush();
  }

  private handBack(getter: Getter<T>): void {
    this.handed.remove(getter);
    getter.state = IDLE;
    this.getters.pushFront(getter);
  }

  /**
   * Closed, nothing buffered, and no getter still handed an item: one cancelled before its delivery
   * gives the item back, so until it is delivered the queue is not drained.
   */
  private drained(): boolean {
    return this.isClosed && this.items.length === 0 && this.handed.size === 0;
  }

  /** Once the queue is drained, ends the getters that wait: nothing will come. True when it ended any. */
  private endWaiting(): boolean {
    if (this.getters.size === 0 || !this.drained()) return false;
    for (let getter = this.getters.popFront(); getter !== null; getter = this.getters.popFront()) {
      getter.state = ENDING;
      this.schedule(getter);
    }
    return true;
  }

  /**
   * Restores the invariants (getters wait only when nothing can be taken; putters only when there is
   * no room and no getter), queues the notifications, runs them, then reports the new state.
   */
  private flush(): void {
    for (;;) {
      const putter = this.putters.peek();
      if (this.items.length > 0 && this.getters.size > 0) {
        const getter = this.getters.popFront()!;
        getter.state = HANDED;
        this.handed.push(getter);
        this.promised.push(this.items.take());
        this.schedule(getter);
      } else if (putter !== null && this.size < this.maxSize + this.getters.size) {
        // A waiting getter is room too: that is how a rendezvous put gets through.
        this.accept(putter);
      } else {
        break;
      }
    }
    this.endWaiting();
    drain();
    this.changed();
  }

  private accept(putter: Putter<T>): void {
    this.putters.remove(putter);
    putter.state = PENDING;
    this.items.push(putter);
    enqueue(putter);
  }

  private schedule(getter: Getter<T>): void {
    if (getter.scheduled) return;
    getter.scheduled = true;
    enqueue(getter);
  }

  private changed(): void {
    this.feed.changed();
  }
}
