import fc from 'fast-check';
import type { Subscription } from 'rxjs';
import { EndOfStreamError, Queue, QueueClosedError, WouldBlockError, type QueueState } from 'rxjs-concurrency';

/*
 * Model-based: a reference queue written the obvious way (plain arrays, everything synchronous) runs
 * side by side with the real one over thousands of schedules of put, get, consume, the nowait
 * variants, cancellation of a put or get, and close. After every step the counters, state$, every
 * delivery (which getter got which item, in which order) and the outcome of every put and get must
 * match the model. Items are numbered in the order they are offered, so "in order" is "increasing".
 */

type PutOutcome = 'pending' | 'accepted' | 'closed' | 'withdrawn';
type GetEnd = 'pending' | 'completed' | 'end-of-stream' | 'cancelled';
type NowaitOutcome = 'ok' | 'would-block' | 'closed' | 'end-of-stream';

interface Model {
  readonly maxSize: number;
  items: number[];
  putters: { id: number; item: number }[];
  getters: { id: number; repeat: boolean }[];
  closed: boolean;
  nextId: number;
  puts: Map<number, PutOutcome>;
  gets: Map<number, GetEnd>;
  delivered: [getter: number, item: number][];
  nowait: NowaitOutcome[];
  putIds: number[];
  getIds: number[];
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
}

// ---- the reference model -------------------------------------------------------------------------

function modelSettle(m: Model): void {
  for (;;) {
    if (m.items.length > 0 && m.getters.length > 0) {
      const getter = m.getters.shift()!;
      const item = m.items.shift()!;
      m.delivered.push([getter.id, item]);
      if (!getter.repeat) m.gets.set(getter.id, 'completed');
      else modelServe(m, getter);
    } else if (m.putters.length > 0 && m.items.length < m.maxSize + m.getters.length) {
      const putter = m.putters.shift()!;
      m.items.push(putter.item);
      m.puts.set(putter.id, 'accepted');
    } else {
      return;
    }
  }
}

function modelEnd(m: Model, getter: { id: number; repeat: boolean }): void {
  m.gets.set(getter.id, getter.repeat ? 'completed' : 'end-of-stream');
}

function modelServe(m: Model, getter: { id: number; repeat: boolean }): void {
  if (m.closed && m.items.length === 0) modelEnd(m, getter);
  else m.getters.push(getter);
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

function compare(m: Model, r: Real): void {
  const expected = {
    state: { size: m.items.length, waitingPutters: m.putters.length, waitingGetters: m.getters.length, closed: m.closed },
    counters: { size: m.items.length, closed: m.closed },
    delivered: m.delivered,
    puts: [...m.puts],
    gets: [...m.gets],
    nowait: m.nowait,
  };
  const actual = {
    state: r.state(),
    counters: { size: r.queue.size, closed: r.queue.closed },
    delivered: r.delivered,
    puts: [...r.puts],
    gets: [...r.gets],
    nowait: r.nowait,
  };
  // Thousands of runs: compare cheaply, and let expect() draw the diff only on a mismatch.
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

// ---- commands ------------------------------------------------------------------------------------

class PutCommand implements fc.Command<Model, Real> {
  check = (): boolean => true;
  run(m: Model, r: Real): void {
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
    compare(m, r);
  }
  toString = (): string => 'put';
}

class GetCommand implements fc.Command<Model, Real> {
  constructor(readonly repeat: boolean) {}
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const id = m.nextId++;
    m.getIds.push(id);
    m.gets.set(id, 'pending');
    modelServe(m, { id, repeat: this.repeat });
    modelSettle(m);
    realGet(r, id, this.repeat);
    compare(m, r);
  }
  toString = (): string => (this.repeat ? 'consume' : 'get');
}

class PutNowaitCommand implements fc.Command<Model, Real> {
  check = (): boolean => true;
  run(m: Model, r: Real): void {
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
    compare(m, r);
  }
  toString = (): string => 'putNowait';
}

class GetNowaitCommand implements fc.Command<Model, Real> {
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    const getter = m.nextId++;
    if (m.items.length === 0 && m.putters.length > 0) {
      const putter = m.putters.shift()!;
      m.items.push(putter.item);
      m.puts.set(putter.id, 'accepted');
    }
    if (m.items.length > 0) {
      m.nowait.push('ok');
      m.delivered.push([getter, m.items.shift()!]);
      modelSettle(m);
    } else {
      m.nowait.push(m.closed ? 'end-of-stream' : 'would-block');
    }
    r.nowait.push(nowait(() => r.delivered.push([getter, r.queue.getNowait()])));
    compare(m, r);
  }
  toString = (): string => 'getNowait';
}

class CancelCommand implements fc.Command<Model, Real> {
  constructor(
    readonly kind: 'put' | 'get',
    readonly index: number,
  ) {}
  check = (m: Readonly<Model>): boolean => (this.kind === 'put' ? m.putIds : m.getIds).length > 0;
  run(m: Model, r: Real): void {
    const ids = this.kind === 'put' ? m.putIds : m.getIds;
    const id = ids[this.index % ids.length]!;
    if (this.kind === 'put') {
      const at = m.putters.findIndex((p) => p.id === id);
      if (at >= 0) {
        m.putters.splice(at, 1);
        m.puts.set(id, 'withdrawn');
      }
    } else {
      const at = m.getters.findIndex((g) => g.id === id);
      if (at >= 0) {
        m.getters.splice(at, 1);
        m.gets.set(id, 'cancelled');
      }
    }
    const outcomes: Map<number, string> = this.kind === 'put' ? r.puts : r.gets;
    r.subscriptions.get(id)!.unsubscribe();
    if (outcomes.get(id) === 'pending') outcomes.set(id, this.kind === 'put' ? 'withdrawn' : 'cancelled');
    compare(m, r);
  }
  toString = (): string => `cancel ${this.kind} #${this.index}`;
}

class CloseCommand implements fc.Command<Model, Real> {
  check = (): boolean => true;
  run(m: Model, r: Real): void {
    if (!m.closed) {
      m.closed = true;
      for (const putter of m.putters.splice(0)) m.puts.set(putter.id, 'closed');
      for (const getter of m.getters.splice(0)) modelEnd(m, getter);
    }
    r.queue.close();
    compare(m, r);
  }
  toString = (): string => 'close';
}

const commands = fc.commands(
  [
    fc.constant(new PutCommand()),
    fc.constant(new PutCommand()),
    fc.constant(new GetCommand(false)),
    fc.constant(new GetCommand(false)),
    fc.constant(new GetCommand(true)),
    fc.constant(new PutNowaitCommand()),
    fc.constant(new GetNowaitCommand()),
    fc.tuple(fc.constantFrom<'put' | 'get'>('put', 'get'), fc.nat(50)).map(([kind, index]) => new CancelCommand(kind, index)),
    fc.tuple(fc.constantFrom<'put' | 'get'>('put', 'get'), fc.nat(50)).map(([kind, index]) => new CancelCommand(kind, index)),
    fc.constant(new CloseCommand()),
  ],
  { maxCommands: 60 },
);

const maxSizes = fc.constantFrom(0, 1, 2, 3, Infinity);

/** Closes the queue, drains what is left, and checks conservation on the real system alone. */
function checkConservation(r: Real): void {
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
  const removed = [...r.delivered.map(([, item]) => item), ...drained];
  const accepted = [...r.puts].filter(([, outcome]) => outcome === 'accepted').map(([id]) => id);
  // Items are numbered as offered and accepted first come, first served: acceptance order is
  // increasing order. Every accepted item is removed exactly once, in that order.
  expect(removed).toEqual([...accepted, ...r.acceptedNowait].sort((a, b) => a - b));
  // Nothing withdrawn or refused ever appears.
  for (const [id, outcome] of r.puts) if (outcome !== 'accepted') expect(removed).not.toContain(id);
  expect(r.state()).toEqual({ size: 0, waitingPutters: 0, waitingGetters: 0, closed: true });
}

describe('Queue (property, model-based)', () => {
  it('matches the reference model after every step; every accepted item is delivered exactly once, in order', () => {
    fc.assert(
      fc.property(maxSizes, commands, (maxSize, cmds) => {
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
        };
        fc.modelRun(() => ({ model, real }), cmds);
        checkConservation(real);
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
type Reaction = { kind: 'none' } | { kind: 'cancel'; index: number } | { kind: 'put' } | { kind: 'putNowait' } | { kind: 'get' } | { kind: 'getNowait' } | { kind: 'close' };

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
  op: fc.constantFrom<'put' | 'putNowait' | 'get' | 'consume' | 'getNowait' | 'cancel' | 'close'>('put', 'putNowait', 'get', 'consume', 'getNowait', 'cancel', 'close'),
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
          expect(now).toEqual({ size: queue.size, waitingPutters: now.waitingPutters, waitingGetters: now.waitingGetters, closed: queue.closed });
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
