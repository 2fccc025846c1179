import { Observable, type Subscriber } from 'rxjs';
import { EndOfStreamError, QueueClosedError, WouldBlockError } from './errors';
import { unwatchAbort, watchAbort, type AbortWaiter } from './internal/abortWatch';
import { Fifo } from './internal/fifo';
import { captureAsync, currentScope, resume, type AsyncSnapshot, type Scope } from './internal/context';
import { StateFeed } from './internal/stateFeed';
import { WaitList, WaitNode } from './internal/waitList';
import { drain, enqueue, type Runnable } from './internal/trampoline';
import { checkCount, checkSignalOption } from './internal/validate';

/** A snapshot of a `Queue`. */
export interface QueueState {
  /** Items buffered and not yet promised to a getter. */
  readonly size: number;
  /** `put()` subscriptions and `putAsync()` calls waiting for room (or, at `maxSize` 0, for a getter). */
  readonly waitingPutters: number;
  /** `get()` and `consume()` subscriptions, `getAsync()` calls and async iterators' `next()` waiting for an item. */
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

/** A waiter that settles a promise: `getAsync()`, `putAsync()`, an async iterator's `next()`. */
interface Settles<V> {
  resolve: ((value: V) => void) | null;
  reject: ((reason: unknown) => void) | null;
}

// `new Promise` runs its executor synchronously, so the waiter it arms is handed over in this slot
// rather than captured by a closure: one allocation less per call that waits.
let arming: Settles<never> | null = null;
const arm = (resolve: (value: never) => void, reject: (reason: unknown) => void): void => {
  arming!.resolve = resolve;
  arming!.reject = reject;
  arming = null;
};

function promiseFor<V>(waiter: Settles<V>): Promise<V> {
  arming = waiter;
  return new Promise<V>(arm);
}

/** What `takeNow` returns when nothing can be taken. */
const NONE: unique symbol = Symbol('none');

/**
 * One put: waits in line with its item, then is told accepted or refused. Once accepted it stands
 * for its item in the buffer until it is told, so that a put cancelled before then can still
 * withdraw the item.
 */
abstract class Putter<T> extends WaitNode implements Runnable {
  state: typeof WAITING | typeof PENDING | typeof DONE | typeof WITHDRAWN | typeof REFUSED = WAITING;
  /** Where it stands for its item while accepted. */
  entries: Entries<T> | null = null;

  constructor(readonly item: T) {
    super();
  }

  run(): void {
    if (this.state === PENDING) this.complete();
    else if (this.state === REFUSED) this.refused();
  }

  /** From here on the item belongs to the queue. */
  complete(): void {
    this.state = DONE;
    this.accepted();
  }

  protected abstract accepted(): void;

  /** The queue closed while it waited; its item was never enqueued. */
  protected abstract refused(): void;
}

const endPut = (subscriber: Subscriber<void>, error: QueueClosedError | undefined): void => {
  if (error === undefined) subscriber.complete();
  else subscriber.error(error);
};

const deliver = <T>(getter: SubscriberGetter<T>): void => getter.queue.deliver(getter);

/** One `put()` subscription. */
class SubscriberPutter<T> extends Putter<T> {
  /** The scope of a put that had to wait, which its completion runs in; null: it did not wait. */
  scope: Scope | null = null;
  /** Likewise its async context. */
  snapshot: AsyncSnapshot | null = null;

  constructor(
    item: T,
    private readonly subscriber: Subscriber<void>,
  ) {
    super(item);
  }

  protected accepted(): void {
    this.resume(this.subscriber, undefined);
  }

  protected refused(): void {
    if (!this.subscriber.closed) this.resume(this.subscriber, new QueueClosedError());
  }

  /** Completes the put, or fails it with `error`, in the context it waited in. */
  private resume(subscriber: Subscriber<void>, error: QueueClosedError | undefined): void {
    if (this.scope === null) endPut(subscriber, error);
    else resume(this.scope, this.snapshot, endPut, subscriber, error);
  }
}

/**
 * A `putAsync()` that waits. An awaiting caller resumes in its own async context: nothing to capture.
 */
class AsyncPutter<T> extends Putter<T> implements Settles<void>, AbortWaiter {
  resolve: Settles<void>['resolve'] = null;
  reject: Settles<void>['reject'] = null;

  constructor(
    private readonly queue: Queue<T>,
    item: T,
    private readonly signal: AbortSignal | null,
  ) {
    super(item);
  }

  protected accepted(): void {
    this.unwatch();
    this.resolve!();
  }

  protected refused(): void {
    this.unwatch();
    this.reject!(new QueueClosedError());
  }

  aborted(reason: unknown): void {
    // Refused and not told yet, it is told later all the same: the promise keeps this first outcome.
    this.queue.withdraw(this);
    this.reject!(reason);
  }

  private unwatch(): void {
    if (this.signal !== null) unwatchAbort(this.signal, this);
  }
}

/** The item of an entry; a put not yet told it was accepted is told now, before anyone sees its item. */
function release<T>(entry: T | Putter<T>): T {
  if (!(entry instanceof Putter)) return entry;
  if (entry.state === PENDING) entry.complete();
  return entry.item;
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

/**
 * One waiting get: a `get()` or `consume()` subscription, a `getAsync()`, or an async iterator
 * (which, like `consume()`, goes back in line for every item).
 */
abstract class Getter<T> extends WaitNode implements Runnable {
  state: typeof IDLE | typeof HANDED | typeof ENDING = IDLE;
  /** Its notification is on the trampoline: a getter handed back and handed again keeps that place. */
  scheduled = false;

  constructor(readonly queue: Queue<T>) {
    super();
  }

  run(): void {
    this.scheduled = false;
    this.queue.deliver(this);
  }

  /** It left (unsubscribed, aborted, returned) while its item was being handed to it. */
  abstract get gone(): boolean;

  /** Takes its item; true when it wants the next one too. */
  abstract receive(item: T): boolean;

  /** No item will ever come. */
  end(): void {
    this.state = IDLE;
    this.ended();
  }

  protected abstract ended(): void;
}

/** A `get()` subscription, or a `consume()` one that goes back in line after every item. */
class SubscriberGetter<T> extends Getter<T> {
  /** The scope of a getter that had to wait, which its deliveries run in; null: it did not wait. */
  scope: Scope | null = null;
  /** Likewise its async context. */
  snapshot: AsyncSnapshot | null = null;

  constructor(
    queue: Queue<T>,
    private readonly subscriber: Subscriber<T>,
    private readonly repeat: boolean,
  ) {
    super(queue);
  }

  override run(): void {
    this.scheduled = false;
    if (this.scope === null) this.queue.deliver(this);
    else resume(this.scope, this.snapshot, deliver, this);
  }

  get gone(): boolean {
    return this.subscriber.closed;
  }

  receive(item: T): boolean {
    this.subscriber.next(item);
    if (this.repeat) return !this.subscriber.closed;
    this.subscriber.complete();
    return false;
  }

  protected ended(): void {
    if (this.repeat) this.subscriber.complete();
    else this.subscriber.error(new EndOfStreamError());
  }
}

/** A `getAsync()` that waits. An awaiting caller resumes in its own async context: nothing to capture. */
class AsyncGetter<T> extends Getter<T> implements Settles<T>, AbortWaiter {
  resolve: ((value: T) => void) | null = null;
  reject: ((reason: unknown) => void) | null = null;
  private left = false;

  constructor(
    queue: Queue<T>,
    private readonly signal: AbortSignal | null,
  ) {
    super(queue);
  }

  get gone(): boolean {
    return this.left;
  }

  receive(item: T): boolean {
    this.unwatch();
    this.resolve!(item);
    return false;
  }

  protected ended(): void {
    this.unwatch();
    this.reject!(new EndOfStreamError());
  }

  aborted(reason: unknown): void {
    this.left = true;
    this.queue.cancel(this);
    this.reject!(reason);
  }

  private unwatch(): void {
    if (this.signal !== null) unwatchAbort(this.signal, this);
  }
}

/**
 * `for await (const item of queue)`: one object for the whole loop, which waits in line as a getter
 * whenever a `next()` finds no item; a buffered item is returned without waiting.
 */
class QueueIterator<T> extends Getter<T> implements AsyncIterableIterator<T>, Settles<IteratorResult<T>> {
  resolve: ((value: IteratorResult<T>) => void) | null = null;
  reject: ((reason: unknown) => void) | null = null;
  /** The `next()` waiting for an item. */
  private pending: Promise<IteratorResult<T>> | null = null;
  private finished = false;

  get gone(): boolean {
    // Handed an item only while a `next()` waits, so finished since then means returned.
    return this.finished;
  }

  next(): Promise<IteratorResult<T>> {
    // Calls that overlap are answered in turn, as a generator's are.
    if (this.pending !== null) return this.pending.then(() => this.next());
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    const item = this.queue.takeNow();
    if (item !== NONE) return Promise.resolve({ value: item, done: false });
    const pending = (this.pending = promiseFor(this));
    this.queue.serve(this);
    return pending;
  }

  return(): Promise<IteratorResult<T>> {
    this.stop();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.stop();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  receive(item: T): boolean {
    this.settle({ value: item, done: false });
    return false;
  }

  protected ended(): void {
    this.finished = true;
    this.settle({ value: undefined, done: true });
  }

  /** No more `next()`: a waiting one takes nothing and ends the loop. */
  private stop(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.pending === null) return;
    this.queue.cancel(this);
    this.settle({ value: undefined, done: true });
  }

  private settle(result: IteratorResult<T>): void {
    const resolve = this.resolve!;
    this.resolve = this.reject = null;
    this.pending = null;
    resolve(result);
  }
}

/**
 * A typed FIFO channel with backpressure between producers and consumers, after AnyIO's memory
 * object streams. A put is done once its item is accepted, so a producer that waits for it never
 * runs more than `maxSize` items ahead of its consumers. Items, waiting putters and waiting getters
 * are each served first in, first out; every operation is O(1), and synchronous hand-offs run on a
 * trampoline, so a million of them never deepen the stack.
 *
 * Two faces on one line of waiters: Observables (`put`, `get`, `consume`), where unsubscribing is
 * withdrawing, and promises (`putAsync`, `getAsync`, `for await`), where an AbortSignal or leaving
 * the loop is. A put withdrawn before it was told its item was accepted takes the item back (even
 * if it was accepted in the same frame, or promised to a getter, which then waits on), and a get
 * withdrawn before it received an item takes nothing. A put is told it completed before its item
 * reaches anyone, so an item is delivered exactly when its put completed (or its `putNowait`
 * returned): no item is ever lost or delivered twice, whatever is cancelled when.
 *
 * RxJS cannot slow a push source down: the backpressure reaches whatever waits for the put (an
 * `await` loop, `boundedMapFrom` reading an iterable); a `concatMap` over a hot source holds the
 * values the queue refused in its own buffer. On the consuming side, `consume()` pushes every item
 * as soon as the previous `next` returned: a stage that works asynchronously should pull instead,
 * `boundedMapFrom(queue, work, n)` or `for await`.
 *
 * @example
 * ```ts
 * const jobs = new Queue<Job>(10);
 * // Producer: the next job is read only once the previous one was accepted; aborting the signal
 * // withdraws the job that waits for room.
 * (async () => {
 *   try {
 *     for await (const job of readJobs()) await jobs.putAsync(job, { signal });
 *   } finally {
 *     jobs.close();
 *   }
 * })();
 * // Workers: 4 jobs at a time; the next one is taken from the queue only when one is done, so a
 * // slow worker holds the producer back rather than piling jobs up.
 * boundedMapFrom(jobs, (job, _i, signal) => runJob(job, signal), 4).subscribe();
 * ```
 */
export class Queue<T> implements AsyncIterable<T> {
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
      const putter = new SubscriberPutter(item, subscriber);
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
   * `put()` for async/await code: resolves once `item` is accepted, at once if a getter waits or
   * there is room. Rejects with `QueueClosedError` if the queue is closed, or closes while the call
   * waits, and with `signal.reason` if `signal` aborts first: the item is then withdrawn, never
   * delivered. Many calls may share one long-lived signal: it carries one listener however many
   * wait, and none once they are done.
   *
   * @param options - `signal`: aborting it withdraws the waiting put
   * @throws TypeError at the call when `options` is not an object or `options.signal` not an AbortSignal
   *
   * @example
   * ```ts
   * // A producer that stops when its task group is cancelled, even while the queue is full.
   * taskGroup((tg) => {
   *   tg.startSoon(async (signal) => {
   *     for (const record of records) await queue.putAsync(record, { signal });
   *     queue.close();
   *   });
   * });
   * ```
   */
  putAsync(item: T, options?: { signal?: AbortSignal | undefined }): Promise<void> {
    const signal = checkSignalOption('Queue.putAsync', options);
    if (signal?.aborted) return Promise.reject(signal.reason as unknown);
    if (this.isClosed) return Promise.reject(new QueueClosedError());
    if (this.offer(item)) return Promise.resolve();
    const putter = new AsyncPutter(this, item, signal);
    const accepted = promiseFor(putter);
    if (signal !== null) watchAbort(signal, putter);
    this.putters.push(putter);
    this.changed();
    return accepted;
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
   * `get()` for async/await code: resolves with the oldest item, at once if there is one, else
   * when one is put. Rejects with `EndOfStreamError` once the queue is closed and drained, and
   * with `signal.reason` if `signal` aborts first: the call then takes nothing (an item already on
   * its way to it goes back to the head of the queue). Many calls may share one long-lived signal.
   *
   * @param options - `signal`: aborting it withdraws the waiting get
   * @throws TypeError at the call when `options` is not an object or `options.signal` not an AbortSignal
   *
   * @example
   * ```ts
   * // One reply, or give up after 5 s; an abort takes nothing from the queue.
   * const reply = await replies.getAsync({ signal: AbortSignal.timeout(5_000) });
   * ```
   */
  getAsync(options?: { signal?: AbortSignal | undefined }): Promise<T> {
    const signal = checkSignalOption('Queue.getAsync', options);
    if (signal?.aborted) return Promise.reject(signal.reason as unknown);
    const item = this.takeNow();
    if (item !== NONE) return Promise.resolve(item);
    if (this.drained()) return Promise.reject(new EndOfStreamError());
    const getter = new AsyncGetter(this, signal);
    const got = promiseFor(getter);
    if (signal !== null) watchAbort(signal, getter);
    this.getters.push(getter);
    this.changed();
    return got;
  }

  /**
   * Every item as it arrives, until the queue is closed and drained; then completes. Each
   * subscription is a sequence of gets: several consumers share the items, each going to exactly
   * one of them, in turn.
   *
   * An item is handed over once the previous one's `next` has returned, so synchronous work in the
   * subscriber holds the queue back; asynchronous work after it (`concatMap`, `boundedMap`)
   * buffers downstream instead, where nothing bounds it: for a slow asynchronous consumer, pull
   * with `boundedMapFrom(queue, work, n)` or `for await`.
   */
  consume(): Observable<T> {
    return this.serving(true);
  }

  /**
   * `for await (const item of queue)`: each iteration takes one item (a get), oldest first; the
   * loop ends once the queue is closed and drained. Leaving the loop (`break`, `return`, a throw:
   * the iterator's `return()` or `throw()`) withdraws a `next()` still waiting, so no item is lost:
   * one already on its way to it goes back to the head of the queue. Several loops share the
   * items, each going to exactly one of them. Each call makes a new iterator; a buffered item is
   * returned without waiting.
   *
   * This is what makes a queue a pull source: `boundedMapFrom(queue, work, n)` takes an item only
   * when one of its `n` slots is free, so items taken and not yet done never exceed `n`, and a
   * slow stage holds the producer back through the queue.
   *
   * @example
   * ```ts
   * for await (const job of jobs) {
   *   if (job.last) break; // the items behind it stay in the queue
   *   await handle(job);
   * }
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new QueueIterator(this);
  }

  /** Accepts `item` now or throws: `WouldBlockError` if it would wait, `QueueClosedError` if closed. */
  putNowait(item: T): void {
    if (this.isClosed) throw new QueueClosedError();
    if (!this.offer(item)) throw new WouldBlockError('Queue.putNowait: the queue is full');
  }

  /**
   * Takes the oldest item not yet promised to a `get()` or `consume()` (from a waiting putter on a
   * rendezvous queue), or throws: `WouldBlockError` if there is none, `EndOfStreamError` if the
   * queue is closed and drained. Getters that wait are served first: inside a delivery, an item
   * already handed to the next getter is not taken from it.
   */
  getNowait(): T {
    const item = this.takeNow();
    if (item !== NONE) return item;
    if (this.drained()) throw new EndOfStreamError();
    throw new WouldBlockError('Queue.getNowait: the queue is empty');
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
    if (getter.gone) {
      // Cancelled by the completion of that item's put: one promise fewer, as in `cancel`.
      this.promised.pushFront(entry);
      this.items.pushFront(this.promised.takeBack());
      this.flush();
      return;
    }
    if (getter.receive(item)) this.serve(getter);
    // That was perhaps the last item a getter still held a promise of.
    if (this.endWaiting()) this.changed();
  }

  /**
   * The oldest item nobody was promised (from a waiting putter on a rendezvous queue), taken now;
   * `NONE` when there is none. @internal
   */
  takeNow(): T | typeof NONE {
    let item: T;
    if (this.items.length > 0) {
      item = release(this.items.take());
    } else {
      // A putter waits on an empty queue only at maxSize 0 with no getter: its item passes straight over.
      const putter = this.putters.popFront();
      if (putter === null) return NONE;
      putter.complete();
      item = putter.item;
    }
    this.flush();
    return item;
  }

  /** Puts `getter` in line, or ends it at once if the queue is closed and drained. @internal */
  serve(getter: Getter<T>): void {
    if (this.drained()) {
      getter.end();
      return;
    }
    this.getters.push(getter);
    this.flush();
  }

  /** A get withdrawn: it leaves the line, or gives back the item it was handed. @internal */
  cancel(getter: Getter<T>): void {
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

  /** A put withdrawn: a waiting put leaves the line; an accepted one not yet told takes its item back. @internal */
  withdraw(putter: Putter<T>): void {
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

  private serving(repeat: boolean): Observable<T> {
    return new Observable<T>((subscriber) => {
      const getter = new SubscriberGetter(this, subscriber, repeat);
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

  /** Buffers `item` if there is room; putters wait only on a full queue, so none is passed over. */
  private offer(item: T): boolean {
    // A waiting getter is room too: that is how a rendezvous put gets through.
    if (this.size >= this.maxSize + this.getters.size) return false;
    this.items.push(item);
    this.flush();
    return true;
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
