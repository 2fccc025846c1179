import fc from 'fast-check';
import type { Subscription } from 'rxjs';
import { EndOfStreamError, Queue, QueueClosedError, WouldBlockError, type QueueState } from 'rxjs-concurrency';
import { inDelivery } from '../setup/in-delivery';
import { settle } from '../setup/promises';

/*
 * Model-based: a reference queue written the obvious way (plain arrays, everything synchronous) runs
 * side by side with the real one over thousands of schedules of put, get, consume, the nowait
 * variants, putAsync, getAsync, two async iterators (next() and return()), cancellation of a put or
 * get (an unsubscribe, or an abort of an async call's own signal), and close. After every step the
 * counters, state$, every delivery (which getter got which item, in which order) and the outcome of
 * every put and get must match the model. Items are numbered in the order they are offered, so
 * "in order" is "increasing".
 *
 * The promise faces decide synchronously and tell a microtask later: the model decides them as it
 * does the Observable faces, the counters are compared at once, and their outcomes once the
 * promises have settled (after every top-level command). Where they differ:
 * - putAsync with room, getAsync and next() with an item free take it at once, as the nowait calls
 *   do (resolved then, so a later abort changes nothing); otherwise they wait in line as put and
 *   get do, withdrawn by an abort exactly as by an unsubscribe.
 * - An iterator's next() ends with done (closed and drained, or return() while it waits); once
 *   ended, every next() is done at once.
 *
 * Some steps are a batch of 1–4 of those commands run inside a delivery (an event's waiter, run by
 * the package's trampoline), where hand-offs are queued rather than immediate. The model follows
 * what the Queue's documentation promises there:
 * - A getter handed an item holds its promise until its delivery runs, after the batch: the
 *   getters and items lines may then both be non-empty, the first `matched` getters each promised
 *   the item at the same place. `size` and `waitingGetters` count only the rest.
 * - A getter cancelled before its delivery takes nothing: it just leaves the getters line (the
 *   items promised move up to the getters behind it). A put unsubscribed before its completion
 *   arrived withdraws its item, wherever it is in the line, promised or not.
 * - getNowait takes the oldest item not promised to a getter (or a waiting putter's, at maxSize 0).
 * - Completions, QueueClosedError of refused puts and the ends of getters ended by a close are
 *   told after the batch (cancelled before then, they are never told); a put whose item getNowait
 *   takes is told at once, before the item reaches anyone. A put or get made on a closed queue
 *   errors at once.
 * - "Closed and drained" counts the promised items: while a getter holds a promise, its item can
 *   still come back, so the getters behind it wait, and a get() made then waits.
 * After the batch every queued delivery runs, in the getters' order: the model then settles as at
 * top level. The model is checked after every command of the batch and again after the batch.
 */

type PutOutcome = 'pending' | 'accepted' | 'closed' | 'withdrawn';
type GetEnd = 'pending' | 'completed' | 'end-of-stream' | 'cancelled' | 'done';
type NowaitOutcome = 'ok' | 'would-block' | 'closed' | 'end-of-stream';

/** A get(), a consume(), a getAsync() or an async iterator's next(). */
type GetKind = 'get' | 'consume' | 'async' | 'next';

interface ModelGetter {
  id: number;
  kind: GetKind;
  /** Which iterator, for a next(). */
  iterator?: number;
}

interface ModelIterator {
  /** The next() waiting in line, or whose end is not told yet. */
  pending: number | null;
  finished: boolean;
}

interface Model {
  readonly maxSize: number;
  /** Items accepted and not yet delivered, oldest first; inside a delivery, the first `matched` are promised. */
  items: number[];
  putters: { id: number; item: number }[];
  /** Getters not yet served, in line; inside a delivery, the first `matched` hold a promise. */
  getters: ModelGetter[];
  closed: boolean;
  nextId: number;
  puts: Map<number, PutOutcome>;
  gets: Map<number, GetEnd>;
  delivered: [getter: number, item: number][];
  nowait: NowaitOutcome[];
  putIds: number[];
  getIds: number[];
  /** putAsync and getAsync calls and next() calls: their outcomes are compared once promises settled. */
  asyncIds: Set<number>;
  /** What each getAsync and next() resolved with. */
  asyncGot: Map<number, number>;
  iterators: ModelIterator[];
  /** Inside a delivery: hand-offs, put completions and ends are queued, not yet delivered. */
  deferred: boolean;
  /** Decided inside a delivery, the notification queued: the put's completion or QueueClosedError. */
  untoldPuts: Map<number, 'accepted' | 'closed'>;
  /** Getters ended inside a delivery, the notification queued. */
  untoldGets: Map<number, GetEnd>;
}

interface Real {
  queue: Queue<number>;
  state: () => QueueState;
  subscriptions: Map<number, Subscription>;
  puts: Map<number, PutOutcome>;
  gets: Map<number, GetEnd>;
  delivered: [getter: number, item: number][];
  nowait: NowaitOutcome[];
  /** Items whose putNowait returned. */
  acceptedNowait: number[];
  /** The signal of each putAsync and getAsync call. */
  controllers: Map<number, AbortController>;
  asyncGot: Map<number, number>;
  iterators: AsyncIterator<number>[];
}

// ---- the reference model -------------------------------------------------------------------------

/** Getters holding the promise of an item (their delivery queued): only inside a delivery, else 0. */
function matched(m: Readonly<Model>): number {
  return Math.min(m.items.length, m.getters.length);
}

function tellPut(m: Model, id: number, outcome: 'accepted' | 'closed'): void {
  if (m.deferred) m.untoldPuts.set(id, outcome);
  else m.puts.set(id, outcome);
}

/** An item leaves the queue: a put not yet told it completed is told now, before anyone sees its item. */
function release(m: Model, item: number): void {
  if (m.untoldPuts.get(item) !== 'accepted') return;
  m.untoldPuts.delete(item);
  m.puts.set(item, 'accepted');
}

/** `queued`: ended by a close, a cancel or a withdrawal, rather than at its own subscribe. */
function modelEnd(m: Model, getter: ModelGetter, queued: boolean): void {
  const end: GetEnd = getter.kind === 'consume' ? 'completed' : getter.kind === 'next' ? 'done' : 'end-of-stream';
  if (getter.kind === 'next') m.iterators[getter.iterator!]!.finished = true;
  if (queued && m.deferred) {
    m.untoldGets.set(getter.id, end);
  } else {
    m.gets.set(getter.id, end);
    if (getter.kind === 'next') m.iterators[getter.iterator!]!.pending = null;
  }
}

/** `getter` receives `item`. */
function modelDeliver(m: Model, getter: ModelGetter, item: number): void {
  if (getter.kind === 'async' || getter.kind === 'next') {
    m.asyncGot.set(getter.id, item);
    if (getter.kind === 'next') m.iterators[getter.iterator!]!.pending = null;
  } else {
    m.delivered.push([getter.id, item]);
  }
  if (getter.kind !== 'consume') m.gets.set(getter.id, 'completed');
  else modelServe(m, getter);
}

/** The oldest item no getter holds the promise of (a waiting putter's, at maxSize 0), taken now; undefined when none. */
function modelTakeNow(m: Model): number | undefined {
  const at = matched(m);
  if (m.items.length === at && m.putters.length > 0) {
    // A putter waits with nothing free only at maxSize 0: its item passes straight over.
    const putter = m.putters.shift()!;
    m.items.push(putter.item);
    m.puts.set(putter.id, 'accepted');
  }
  if (m.items.length === at) return undefined;
  const item = m.items.splice(at, 1)[0]!;
  release(m, item);
  modelSettle(m);
  return item;
}

function modelSettle(m: Model): void {
  for (;;) {
    if (!m.deferred && m.items.length > 0 && m.getters.length > 0) {
      const getter = m.getters.shift()!;
      const item = m.items.shift()!;
      release(m, item);
      modelDeliver(m, getter, item);
    } else if (m.putters.length > 0 && m.items.length < m.maxSize + m.getters.length) {
      // Promised items and the getters holding them cancel out: the room is the same counted either way.
      const putter = m.putters.shift()!;
      m.items.push(putter.item);
      tellPut(m, putter.id, 'accepted');
    } else {
      break;
    }
  }
  // Closed and drained, promised items included: nothing will come any more.
  if (m.closed && m.items.length === 0) for (const getter of m.getters.splice(0)) modelEnd(m, getter, true);
}

function modelServe(m: Model, getter: ModelGetter): void {
  if (m.closed && m.items.length === 0) modelEnd(m, getter, false);
  else m.getters.push(getter);
}

/** The end of a batch run inside a delivery: what it queued is told, then the deliveries run. */
function modelDrain(m: Model): void {
  m.deferred = false;
  for (const [id, outcome] of m.untoldPuts) m.puts.set(id, outcome);
  for (const [id, end] of m.untoldGets) m.gets.set(id, end);
  for (const iterator of m.iterators) if (iterator.pending !== null && m.untoldGets.has(iterator.pending)) iterator.pending = null;
  m.untoldPuts.clear();
  m.untoldGets.clear();
  modelSettle(m);
}

// ---- the real system, observed -------------------------------------------------------------------

function realGet(r: Real, id: number, repeat: boolean): void {
  r.gets.set(id, 'pending');
  const source = repeat ? r.queue.consume() : r.queue.get();
  r.subscriptions.set(
    id,
    source.subscribe({
      next: (item) => r.delivered.push([id, item]),
      error: (error: unknown) => r.gets.set(id, error instanceof EndOfStreamError ? 'end-of-stream' : 'pending'),
      complete: () => r.gets.set(id, 'completed'),
    }),
  );
}

function nowait(fn: () => void): NowaitOutcome {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof WouldBlockError) return 'would-block';
    if (error instanceof QueueClosedError) return 'closed';
    if (error instanceof EndOfStreamError) return 'end-of-stream';
    throw error;
  }
}

/** A map's entries without the ids of async calls, whose outcomes arrive a microtask later. */
function syncEntries<V>(map: ReadonlyMap<number, V>, asyncIds: ReadonlySet<number>): [number, V][] {
  return [...map].filter(([id]) => !asyncIds.has(id));
}

/**
 * Everything observable now: at once after a call, the counters and the Observable faces; once the
 * promises have settled (`settled`), the async calls' outcomes too.
 */
function compare(m: Model, r: Real, settled: boolean): void {
  const promised = matched(m);
  if (!m.deferred && promised > 0) throw new Error('model: an item and a getter both wait outside a delivery');
  const asyncIds: ReadonlySet<number> = settled ? new Set() : m.asyncIds;
  const expected = {
    state: {
      size: m.items.length - promised,
      waitingPutters: m.putters.length,
      waitingGetters: m.getters.length - promised,
      closed: m.closed,
    },
    counters: { size: m.items.length - promised, closed: m.closed },
    delivered: m.delivered,
    puts: syncEntries(m.puts, asyncIds),
    gets: syncEntries(m.gets, asyncIds),
    asyncGot: settled ? [...m.asyncGot].sort(([a], [b]) => a - b) : [],
    nowait: m.nowait,
  };
  const actual = {
    state: r.state(),
    counters: { size: r.queue.size, closed: r.queue.closed },
    delivered: r.delivered,
    puts: syncEntries(r.puts, asyncIds),
    gets: syncEntries(r.gets, asyncIds),
    asyncGot: settled ? [...r.asyncGot].sort(([a], [b]) => a - b) : [],
    nowait: r.nowait,
  };
  // Thousands of runs: compare cheaply, and let expect() draw the diff only on a mismatch.
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

// ---- commands ------------------------------------------------------------------------------------

/**
 * A command: `apply` runs it on both sides, `run` then compares them, and again once the promises
 * have settled (a batch compares after each of its commands, synchronously).
 */
abstract class Step implements fc.AsyncCommand<Model, Real> {
  check(_m: Readonly<Model>): boolean {
    return true;
  }
  abstract apply(m: Model, r: Real): void;
  async run(m: Model, r: Real): Promise<void> {
    this.apply(m, r);
    compare(m, r, false);
    await settle(3);
    compare(m, r, true);
  }
  abstract toString(): string;
}

class PutCommand extends Step {
  apply(m: Model, r: Real): void {
    const id = m.nextId++;
    m.putIds.push(id);
    if (m.closed) {
      m.puts.set(id, 'closed');
    } else {
      m.puts.set(id, 'pending');
      m.putters.push({ id, item: id });
      modelSettle(m);
    }
    r.puts.set(id, 'pending');
    r.subscriptions.set(
      id,
      r.queue.put(id).subscribe({
        error: (error: unknown) => r.puts.set(id, error instanceof QueueClosedError ? 'closed' : 'pending'),
        complete: () => r.puts.set(id, 'accepted'),
      }),
    );
  }
  toString(): string {
    return 'put';
  }
}

class GetCommand extends Step {
  constructor(readonly repeat: boolean) {
    super();
  }
  apply(m: Model, r: Real): void {
    const id = m.nextId++;
    m.getIds.push(id);
    m.gets.set(id, 'pending');
    modelServe(m, { id, kind: this.repeat ? 'consume' : 'get' });
    modelSettle(m);
    realGet(r, id, this.repeat);
  }
  toString(): string {
    return this.repeat ? 'consume' : 'get';
  }
}

class PutNowaitCommand extends Step {
  apply(m: Model, r: Real): void {
    const item = m.nextId++;
    if (m.closed) {
      m.nowait.push('closed');
    } else if (m.items.length < m.maxSize + m.getters.length) {
      m.nowait.push('ok');
      m.items.push(item);
      modelSettle(m);
    } else {
      m.nowait.push('would-block');
    }
    r.nowait.push(
      nowait(() => {
        r.queue.putNowait(item);
        r.acceptedNowait.push(item);
      }),
    );
  }
  toString(): string {
    return 'putNowait';
  }
}

class GetNowaitCommand extends Step {
  apply(m: Model, r: Real): void {
    const getter = m.nextId++;
    const item = modelTakeNow(m);
    if (item !== undefined) {
      m.nowait.push('ok');
      m.delivered.push([getter, item]);
    } else {
      // Promised items are not drained: a getter cancelled before its delivery gives its item back.
      m.nowait.push(m.closed && m.items.length === 0 ? 'end-of-stream' : 'would-block');
    }
    r.nowait.push(nowait(() => r.delivered.push([getter, r.queue.getNowait()])));
  }
  toString(): string {
    return 'getNowait';
  }
}

/** The reason every test abort uses: a rejection with it is a withdrawal. */
const ABORTED = 'aborted';

class PutAsyncCommand extends Step {
  apply(m: Model, r: Real): void {
    const id = m.nextId++;
    m.putIds.push(id);
    m.asyncIds.add(id);
    if (m.closed) {
      m.puts.set(id, 'closed');
    } else if (m.items.length < m.maxSize + m.getters.length) {
      // Room: accepted at once, as putNowait is.
      m.items.push(id);
      m.puts.set(id, 'accepted');
      modelSettle(m);
    } else {
      m.puts.set(id, 'pending');
      m.putters.push({ id, item: id });
    }
    const controller = new AbortController();
    r.controllers.set(id, controller);
    r.puts.set(id, 'pending');
    r.queue.putAsync(id, { signal: controller.signal }).then(
      () => r.puts.set(id, 'accepted'),
      (error: unknown) => r.puts.set(id, error === ABORTED ? 'withdrawn' : error instanceof QueueClosedError ? 'closed' : 'pending'),
    );
  }
  toString(): string {
    return 'putAsync';
  }
}

/** Waits in line for `getter` unless an item can be taken now, or the queue is drained; true when it waits. */
function modelGetAsync(m: Model, getter: ModelGetter): boolean {
  const item = modelTakeNow(m);
  if (item !== undefined) {
    modelDeliver(m, getter, item);
    return false;
  }
  if (m.closed && m.items.length === 0) {
    modelEnd(m, getter, false);
    return false;
  }
  m.getters.push(getter);
  return true;
}

class GetAsyncCommand extends Step {
  apply(m: Model, r: Real): void {
    const id = m.nextId++;
    m.getIds.push(id);
    m.asyncIds.add(id);
    m.gets.set(id, 'pending');
    modelGetAsync(m, { id, kind: 'async' });
    const controller = new AbortController();
    r.controllers.set(id, controller);
    r.gets.set(id, 'pending');
    r.queue.getAsync({ signal: controller.signal }).then(
      (item) => {
        r.gets.set(id, 'completed');
        r.asyncGot.set(id, item);
      },
      (error: unknown) => r.gets.set(id, error === ABORTED ? 'cancelled' : error instanceof EndOfStreamError ? 'end-of-stream' : 'pending'),
    );
  }
  toString(): string {
    return 'getAsync';
  }
}

function recordNext(r: Real, id: number, next: Promise<IteratorResult<number>>): void {
  r.gets.set(id, 'pending');
  void next.then((result) => {
    if (result.done) {
      r.gets.set(id, 'done');
    } else {
      r.gets.set(id, 'completed');
      r.asyncGot.set(id, result.value);
    }
  });
}

/** `next()` on one of two iterators; never while that iterator's previous next() waits. */
class NextCommand extends Step {
  constructor(readonly iterator: number) {
    super();
  }
  override check(m: Readonly<Model>): boolean {
    return m.iterators[this.iterator]!.pending === null;
  }
  apply(m: Model, r: Real): void {
    const id = m.nextId++;
    m.asyncIds.add(id);
    const iterator = m.iterators[this.iterator]!;
    m.gets.set(id, 'pending');
    if (iterator.finished) m.gets.set(id, 'done');
    else if (modelGetAsync(m, { id, kind: 'next', iterator: this.iterator })) iterator.pending = id;
    recordNext(r, id, r.iterators[this.iterator]!.next());
  }
  toString(): string {
    return `next #${this.iterator}`;
  }
}

/** `return()` on one of two iterators: a next() waiting takes nothing and is done; so is every later one. */
class ReturnCommand extends Step {
  constructor(readonly iterator: number) {
    super();
  }
  apply(m: Model, r: Real): void {
    const iterator = m.iterators[this.iterator]!;
    iterator.finished = true;
    const id = iterator.pending;
    if (id !== null) {
      iterator.pending = null;
      const at = m.getters.findIndex((g) => g.id === id);
      if (at >= 0) {
        m.getters.splice(at, 1);
        modelSettle(m);
      } else {
        m.untoldGets.delete(id);
      }
      m.gets.set(id, 'done');
    }
    void r.iterators[this.iterator]!.return!();
  }
  toString(): string {
    return `return #${this.iterator}`;
  }
}

class CancelCommand extends Step {
  /**
   * `live`: among the puts or gets still pending, counted from the oldest: inside a delivery, the
   * getters holding a promise are the first in line, and accepted puts not told yet are older than
   * those that wait.
   */
  constructor(
    readonly kind: 'put' | 'get',
    readonly index: number,
    readonly live = false,
  ) {
    super();
  }
  private pick(m: Readonly<Model>): number | undefined {
    const ids = this.kind === 'put' ? m.putIds : m.getIds;
    if (!this.live) return ids[this.index % ids.length];
    const outcomes: ReadonlyMap<number, string> = this.kind === 'put' ? m.puts : m.gets;
    const pending = ids.filter((id) => outcomes.get(id) === 'pending');
    return pending[this.index % Math.max(pending.length, 1)];
  }
  override check(m: Readonly<Model>): boolean {
    return this.pick(m) !== undefined;
  }
  apply(m: Model, r: Real): void {
    const id = this.pick(m)!;
    if (this.kind === 'put') {
      const at = m.putters.findIndex((p) => p.id === id);
      const untold = m.untoldPuts.get(id);
      if (at >= 0) {
        m.putters.splice(at, 1);
        m.puts.set(id, 'withdrawn');
      } else if (untold !== undefined) {
        // Accepted (its item promised or not) or refused, and not told yet: it takes its item back.
        m.untoldPuts.delete(id);
        m.puts.set(id, 'withdrawn');
        if (untold === 'accepted') {
          m.items.splice(m.items.indexOf(id), 1);
          modelSettle(m);
        }
      }
    } else {
      const at = m.getters.findIndex((g) => g.id === id);
      if (at >= 0) {
        // Waiting, or holding a promise: either way it takes nothing.
        m.getters.splice(at, 1);
        m.gets.set(id, 'cancelled');
        modelSettle(m);
      } else if (m.untoldGets.delete(id)) {
        m.gets.set(id, 'cancelled');
      }
    }
    const controller = r.controllers.get(id);
    if (controller !== undefined) {
      // An async call: its promise tells the outcome, the abort reason for a withdrawal.
      controller.abort(ABORTED);
      return;
    }
    const outcomes: Map<number, string> = this.kind === 'put' ? r.puts : r.gets;
    r.subscriptions.get(id)!.unsubscribe();
    if (outcomes.get(id) === 'pending') outcomes.set(id, this.kind === 'put' ? 'withdrawn' : 'cancelled');
  }
  toString(): string {
    return `cancel ${this.live ? 'live ' : ''}${this.kind} #${this.index}`;
  }
}

class CloseCommand extends Step {
  apply(m: Model, r: Real): void {
    if (!m.closed) {
      m.closed = true;
      for (const putter of m.putters.splice(0)) tellPut(m, putter.id, 'closed');
      modelSettle(m);
    }
    r.queue.close();
  }
  toString(): string {
    return 'close';
  }
}

/** Runs its commands inside a delivery of the trampoline (an event's waiter), checking after each. */
class InDeliveryCommand extends Step {
  constructor(readonly steps: readonly Step[]) {
    super();
  }
  apply(m: Model, r: Real): void {
    inDelivery(() => {
      m.deferred = true;
      for (const step of this.steps) {
        if (!step.check(m)) continue;
        step.apply(m, r);
        compare(m, r, false);
      }
    });
    modelDrain(m);
  }
  toString(): string {
    return `inDelivery(${this.steps.join(', ')})`;
  }
}

const cancels = (live: boolean, index: fc.Arbitrary<number>): fc.Arbitrary<Step> =>
  fc.tuple(fc.constantFrom<'put' | 'get'>('put', 'get'), index).map(([kind, i]) => new CancelCommand(kind, i, live));

/** What a batch inside a delivery is made of. */
const iterators = fc.constantFrom(0, 1);

const inDeliverySteps: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant<Step>(new PutNowaitCommand()), weight: 4 },
  { arbitrary: fc.constant<Step>(new PutCommand()), weight: 2 },
  { arbitrary: fc.constant<Step>(new PutAsyncCommand()), weight: 1 },
  { arbitrary: fc.constant<Step>(new GetCommand(false)), weight: 2 },
  { arbitrary: fc.constant<Step>(new GetCommand(true)), weight: 1 },
  { arbitrary: fc.constant<Step>(new GetAsyncCommand()), weight: 1 },
  { arbitrary: iterators.map<Step>((i) => new NextCommand(i)), weight: 1 },
  { arbitrary: iterators.map<Step>((i) => new ReturnCommand(i)), weight: 1 },
  { arbitrary: fc.constant<Step>(new GetNowaitCommand()), weight: 2 },
  { arbitrary: cancels(true, fc.nat(2)), weight: 5 },
  { arbitrary: fc.constant<Step>(new CloseCommand()), weight: 1 },
);

const inDeliveryCommands = fc.array(inDeliverySteps, { minLength: 1, maxLength: 4 }).map((steps) => new InDeliveryCommand(steps));

const commands = fc.commands(
  [
    fc.oneof(
      { arbitrary: fc.constant<Step>(new PutCommand()), weight: 3 },
      { arbitrary: fc.constant<Step>(new PutAsyncCommand()), weight: 2 },
      { arbitrary: fc.constant<Step>(new GetCommand(false)), weight: 4 },
      { arbitrary: fc.constant<Step>(new GetCommand(true)), weight: 1 },
      { arbitrary: fc.constant<Step>(new GetAsyncCommand()), weight: 2 },
      { arbitrary: iterators.map<Step>((i) => new NextCommand(i)), weight: 2 },
      { arbitrary: iterators.map<Step>((i) => new ReturnCommand(i)), weight: 1 },
      { arbitrary: fc.constant<Step>(new PutNowaitCommand()), weight: 2 },
      { arbitrary: fc.constant<Step>(new GetNowaitCommand()), weight: 1 },
      { arbitrary: cancels(false, fc.nat(50)), weight: 3 },
      { arbitrary: fc.constant<Step>(new CloseCommand()), weight: 1 },
      { arbitrary: inDeliveryCommands, weight: 6 },
    ),
  ],
  // Medium: runs of up to 30 commands, so that batches meet getters in line and items promised.
  { maxCommands: 30, size: 'medium' },
);

const maxSizes = fc.constantFrom(0, 1, 2, 3, Infinity);

/**
 * Closes the queue, drains what is left, and checks conservation on the real system alone: every
 * put and get has an outcome (every promise settled), every accepted item was removed exactly once.
 */
async function checkConservation(r: Real): Promise<void> {
  r.queue.close();
  const drained: number[] = [];
  for (;;) {
    try {
      drained.push(r.queue.getNowait());
    } catch (error) {
      expect(error).toBeInstanceOf(EndOfStreamError);
      break;
    }
  }
  await settle(3);
  expect([...r.puts, ...r.gets].filter(([, outcome]) => outcome === 'pending')).toEqual([]);
  const removed = [...r.delivered.map(([, item]) => item), ...r.asyncGot.values(), ...drained];
  const accepted = [...r.puts].filter(([, outcome]) => outcome === 'accepted').map(([id]) => id);
  // Items are numbered as offered and accepted first come, first served: acceptance order is
  // increasing order. Every accepted item is removed exactly once.
  expect([...removed].sort((a, b) => a - b)).toEqual([...accepted, ...r.acceptedNowait].sort((a, b) => a - b));
  // get() and consume() receive them in that order. (Inside a delivery, getNowait may take a newer
  // item than one promised to a getter, and an older one once that getter is cancelled.)
  const toGetters = r.delivered.filter(([getter]) => r.gets.has(getter)).map(([, item]) => item);
  for (let i = 1; i < toGetters.length; i++) expect(toGetters[i]!).toBeGreaterThan(toGetters[i - 1]!);
  // Nothing withdrawn or refused ever appears.
  for (const [id, outcome] of r.puts) if (outcome !== 'accepted') expect(removed).not.toContain(id);
  expect(r.state()).toEqual({ size: 0, waitingPutters: 0, waitingGetters: 0, closed: true });
}

describe('Queue (property, model-based)', () => {
  it('matches the reference model after every step; every accepted item is delivered exactly once, in order', async () => {
    await fc.assert(
      fc.asyncProperty(maxSizes, commands, async (maxSize, cmds) => {
        const queue = new Queue<number>(maxSize);
        let last: QueueState | undefined;
        const stateSubscription = queue.state$.subscribe((s) => (last = s));
        const model: Model = {
          maxSize,
          items: [],
          putters: [],
          getters: [],
          closed: false,
          nextId: 0,
          puts: new Map(),
          gets: new Map(),
          delivered: [],
          nowait: [],
          putIds: [],
          getIds: [],
          asyncIds: new Set(),
          asyncGot: new Map(),
          iterators: [
            { pending: null, finished: false },
            { pending: null, finished: false },
          ],
          deferred: false,
          untoldPuts: new Map(),
          untoldGets: new Map(),
        };
        const real: Real = {
          queue,
          state: () => last!,
          subscriptions: new Map(),
          puts: new Map(),
          gets: new Map(),
          delivered: [],
          nowait: [],
          acceptedNowait: [],
          controllers: new Map(),
          asyncGot: new Map(),
          iterators: [queue[Symbol.asyncIterator](), queue[Symbol.asyncIterator]()],
        };
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        await checkConservation(real);
        for (const subscription of real.subscriptions.values()) subscription.unsubscribe();
        stateSubscription.unsubscribe();
      }),
      { seed: 20_240_611, numRuns: 2000 },
    );
  });
});

/*
 * The same-frame races: operations made from inside a delivery, while other deliveries are still
 * queued on the trampoline (a getter handed an item, then cancelled before receiving it; a put
 * accepted, then unsubscribed before its completion arrives; getNowait while a hand-off is queued).
 * No model here: conservation is checked on the real queue alone. A put's item is delivered if and
 * only if the put completed, and getNowait never takes an item from a get() that waited before it.
 */
type Reaction =
  | { kind: 'none' }
  | { kind: 'cancel'; index: number }
  | { kind: 'put' }
  | { kind: 'putNowait' }
  | { kind: 'get' }
  | { kind: 'getNowait' }
  | { kind: 'close' };

const reaction: fc.Arbitrary<Reaction> = fc.oneof(
  fc.constant<Reaction>({ kind: 'none' }),
  fc.nat(50).map<Reaction>((index) => ({ kind: 'cancel', index })),
  fc.nat(3).map<Reaction>((index) => ({ kind: 'cancel', index })),
  fc.constant<Reaction>({ kind: 'put' }),
  // Weighted: two puts then a getNowait inside one delivery is what races a getter waiting before.
  { arbitrary: fc.constant<Reaction>({ kind: 'putNowait' }), weight: 2 },
  fc.constant<Reaction>({ kind: 'get' }),
  { arbitrary: fc.constant<Reaction>({ kind: 'getNowait' }), weight: 2 },
  fc.constant<Reaction>({ kind: 'close' }),
);

/** A top-level step, and for a get, what it does from inside each of its first deliveries. */
const step = fc.record({
  op: fc.constantFrom<'put' | 'putNowait' | 'get' | 'consume' | 'getNowait' | 'cancel' | 'close'>(
    'put',
    'putNowait',
    'get',
    'consume',
    'getNowait',
    'cancel',
    'close',
  ),
  index: fc.nat(50),
  reactions: fc.array(fc.array(reaction, { maxLength: 4 }), { maxLength: 3 }),
});

describe('Queue (property, same-frame races)', () => {
  it('never loses, duplicates or reorders an item when puts and gets are made or cancelled from inside deliveries', () => {
    fc.assert(
      fc.property(maxSizes, fc.array(step, { maxLength: 40 }), (maxSize, steps) => {
        const queue = new Queue<number>(maxSize);
        let state: QueueState | undefined;
        const stateSubscription = queue.state$.subscribe((s) => (state = s));
        let nextItem = 0;
        /**
         * Getters waiting for their next item: each must receive one older
         * than any getNowait returned meanwhile, unless a put withdrew an item meanwhile (the one
         * promised to it, perhaps).
         */
        const outstanding = new Map<number, { below: number; withdrawals: number }>();
        let withdrawals = 0;
        let nextGet = 0;
        const overtaken: [received: number, takenByGetNowait: number][] = [];
        /** Every item taken off the queue, by a delivery or getNowait, in the order it happened. */
        const removed: number[] = [];
        /** The items get() and consume() received, in the order they did. */
        const delivered: number[] = [];
        const puts = new Map<number, 'pending' | 'completed' | 'refused' | 'withdrawn'>();
        const putHandles = new Map<Subscription, number>();
        const nowaitAccepted: number[] = [];
        const handles: Subscription[] = [];
        let pendingReactions: Reaction[][] = [];

        const tryNowait = (fn: () => void): void => {
          try {
            fn();
          } catch (error) {
            if (!(error instanceof WouldBlockError || error instanceof QueueClosedError || error instanceof EndOfStreamError)) throw error;
          }
        };
        const put = (): void => {
          const item = nextItem++;
          puts.set(item, 'pending');
          const handle = queue.put(item).subscribe({
            error: (error: unknown) => {
              expect(error).toBeInstanceOf(QueueClosedError);
              puts.set(item, 'refused');
            },
            complete: () => puts.set(item, 'completed'),
          });
          putHandles.set(handle, item);
          handles.push(handle);
        };
        const get = (repeat: boolean): void => {
          const reactions = pendingReactions;
          pendingReactions = [];
          let count = 0;
          const id = nextGet++;
          outstanding.set(id, { below: Infinity, withdrawals });
          handles.push(
            (repeat ? queue.consume() : queue.get()).subscribe({
              next: (item) => {
                removed.push(item);
                delivered.push(item);
                count++;
                if (!repeat) expect(count).toBe(1);
                const bound = outstanding.get(id)!;
                // Recorded, not thrown: an error thrown here would be reported asynchronously by RxJS.
                if (bound.withdrawals === withdrawals && item > bound.below) overtaken.push([item, bound.below]);
                outstanding.delete(id);
                for (const r of reactions[count - 1] ?? []) react(r);
                // A consumer waits again once its callback returns.
                if (repeat) outstanding.set(id, { below: Infinity, withdrawals });
              },
              error: (error: unknown) => expect(error).toBeInstanceOf(EndOfStreamError),
            }),
          );
        };
        function react(r: Reaction): void {
          if (r.kind === 'cancel' && handles.length > 0) {
            // Counted from the newest: recent puts and gets are the likeliest to be mid-hand-off.
            const handle = handles[handles.length - 1 - (r.index % handles.length)]!;
            const item = putHandles.get(handle);
            // A put not told it completed, waiting or already accepted, withdraws its item.
            if (item !== undefined && puts.get(item) === 'pending') {
              puts.set(item, 'withdrawn');
              withdrawals++;
            }
            handle.unsubscribe();
          } else if (r.kind === 'put') put();
          else if (r.kind === 'putNowait') {
            const item = nextItem++;
            tryNowait(() => {
              queue.putNowait(item);
              nowaitAccepted.push(item);
            });
          } else if (r.kind === 'get') get(false);
          else if (r.kind === 'getNowait')
            tryNowait(() => {
              const item = queue.getNowait();
              removed.push(item);
              for (const bound of outstanding.values()) bound.below = Math.min(bound.below, item);
            });
          else if (r.kind === 'close') queue.close();
        }

        for (const s of steps) {
          pendingReactions = s.reactions;
          if (s.op === 'put') put();
          else if (s.op === 'get') get(false);
          else if (s.op === 'consume') get(true);
          else if (s.op === 'cancel') react({ kind: 'cancel', index: s.index });
          else react({ kind: s.op });
          // Back at top level nothing is half-way: state$ is exact, and getters wait only on an
          // empty queue, putters only on a full one.
          const now = state!;
          expect(now).toEqual({
            size: queue.size,
            waitingPutters: now.waitingPutters,
            waitingGetters: now.waitingGetters,
            closed: queue.closed,
          });
          if (now.waitingGetters > 0) expect([now.size, now.waitingPutters]).toEqual([0, 0]);
          if (now.waitingPutters > 0) expect(now.size >= maxSize && now.waitingGetters === 0).toBe(true);
        }

        queue.close();
        for (;;) {
          try {
            removed.push(queue.getNowait());
          } catch (error) {
            expect(error).toBeInstanceOf(EndOfStreamError);
            break;
          }
        }
        expect(overtaken).toEqual([]);
        // Nothing twice; getters receive items in put order. (A getNowait may take a newer item than one
        // promised to a getter whose delivery is still queued: that item is not its to take.)
        const appeared = new Set(removed);
        expect(appeared.size).toBe(removed.length);
        for (let i = 1; i < delivered.length; i++) expect(delivered[i]!).toBeGreaterThan(delivered[i - 1]!);
        // Every put that completed and every putNowait that returned is there; no refused or withdrawn put is.
        for (const [item, outcome] of puts) {
          expect(outcome).not.toBe('pending');
          expect(appeared.has(item)).toBe(outcome === 'completed');
        }
        for (const item of nowaitAccepted) expect(appeared.has(item)).toBe(true);
        expect(state).toEqual({ size: 0, waitingPutters: 0, waitingGetters: 0, closed: true });
        for (const handle of handles) handle.unsubscribe();
        stateSubscription.unsubscribe();
      }),
      { seed: 4_242, numRuns: 2000 },
    );
  });
});
