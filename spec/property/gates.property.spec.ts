import fc from 'fast-check';
import { params } from './params';
import { Observable, Subject, of, type Subscription } from 'rxjs';
import { BorrowerError, CapacityLimiter, Lock, Semaphore, type GateState, type Permit } from 'rxjs-concurrency';

/*
 * Model-based: a reference gate written the obvious way (an array of waiters, a counter) runs side by
 * side with the real Semaphore / Lock / CapacityLimiter over random schedules of acquire, run,
 * tryAcquire, acquireOnBehalfOf, unsubscribe (while waiting or holding), completion and error of the
 * work, permit release (twice, too), cancel-everything, and capacity changes (Semaphore.release,
 * CapacityLimiter.totalTokens). After every step: every counter and the last state$ value are exact,
 * the grants happened in exactly the model's order (strict FIFO, head-of-line blocking), permits in
 * use never exceed the capacity (except holders kept after totalTokens was lowered), and every work
 * runs (is subscribed) exactly while its permit is held, so nothing runs after its owner left. At
 * the end everything is unsubscribed: every permit is back, nothing waits, nothing runs.
 */

type Kind = 'semaphore' | 'lock' | 'limiter';
type Mode = 'acquire' | 'run' | 'sync' | 'try' | 'borrow';
type Status = 'waiting' | 'held' | 'done' | 'refused';

interface ModelOp {
  readonly id: number;
  readonly mode: Mode;
  readonly weight: number;
  readonly borrower: number;
  status: Status;
  granted: boolean;
}

interface Model {
  readonly kind: Kind;
  readonly maxValue: number;
  capacity: number;
  held: number;
  waiters: ModelOp[];
  ops: ModelOp[];
  grants: number[];
  pending: ModelOp[];
  draining: boolean;
}

interface RealOp {
  readonly id: number;
  subscription?: Subscription;
  permit?: Permit;
  work?: Subject<number>;
  signal?: AbortSignal;
  /** Times the work was subscribed, and how many of those subscriptions are still open. */
  started: number;
  running: number;
  events: unknown[];
}

type AnyGate = Semaphore | Lock | CapacityLimiter;

interface Real {
  readonly gate: AnyGate;
  readonly ops: RealOp[];
  readonly grants: number[];
  readonly states: GateState[];
  readonly stateSubscription: Subscription;
  readonly borrowers: object[];
}

// ---- the model -----------------------------------------------------------------------------------

/** Grants every head that fits, then delivers the grants in order, like the real trampoline. */
function modelDispatch(m: Model): void {
  for (let head = m.waiters[0]; head !== undefined && head.weight <= m.capacity - m.held; head = m.waiters[0]) {
    m.waiters.shift();
    grant(m, head);
  }
  drain(m);
}

function grant(m: Model, op: ModelOp): void {
  m.held += op.weight;
  expect(m.held).toBeLessThanOrEqual(m.capacity);
  op.status = 'held';
  op.granted = true;
  m.pending.push(op);
}

/** Delivers queued grants; a synchronous work ends at delivery, which may grant (and queue) more. */
function drain(m: Model): void {
  if (m.draining) return;
  m.draining = true;
  for (let op = m.pending.shift(); op !== undefined; op = m.pending.shift()) {
    m.grants.push(op.id);
    if (op.mode === 'sync') modelEnd(m, op);
  }
  m.draining = false;
}

/** The op's subscription or permit ends: withdrawn if waiting, its permits back if held. */
function modelEnd(m: Model, op: ModelOp): void {
  if (op.status === 'held') {
    m.held -= op.weight;
  } else if (op.status === 'waiting') {
    m.waiters.splice(m.waiters.indexOf(op), 1);
  } else {
    return;
  }
  op.status = 'done';
  modelDispatch(m);
}

function modelEnter(m: Model, op: ModelOp): void {
  m.ops.push(op);
  if (op.mode === 'borrow' && m.ops.some((o) => o !== op && o.mode === 'borrow' && o.borrower === op.borrower && (o.status === 'waiting' || o.status === 'held'))) {
    op.status = 'refused';
    return;
  }
  if (m.waiters.length === 0 && op.weight <= m.capacity - m.held) {
    grant(m, op);
    drain(m);
  } else if (op.mode === 'try') {
    op.status = 'refused';
  } else {
    m.waiters.push(op);
  }
}

const liveOps = (m: Model, modes: readonly Mode[], statuses: readonly Status[]): ModelOp[] =>
  m.ops.filter((op) => modes.includes(op.mode) && statuses.includes(op.status));

// ---- the real gate -------------------------------------------------------------------------------

function realEnter(r: Real, id: number, mode: Mode, weight: number, borrower: number): void {
  const op: RealOp = { id, started: 0, running: 0, events: [] };
  r.ops.push(op);
  const gate = r.gate;
  const observer = {
    next: (value: unknown) => {
      if (mode !== 'run' && mode !== 'sync') r.grants.push(id);
      op.events.push(['next', value]);
    },
    error: (error: unknown) => op.events.push(['error', error]),
    complete: () => op.events.push(['complete']),
  };
  switch (mode) {
    case 'try': {
      const permit = gate instanceof Semaphore ? gate.tryAcquire(weight) : gate.tryAcquire();
      if (permit !== undefined) {
        op.permit = permit;
        r.grants.push(id);
      }
      return;
    }
    case 'acquire':
      op.subscription = (gate instanceof Semaphore ? gate.acquire(weight) : gate.acquire()).subscribe(observer);
      return;
    case 'borrow':
      op.subscription = (gate as CapacityLimiter).acquireOnBehalfOf(r.borrowers[borrower]!).subscribe(observer);
      return;
    case 'sync':
    case 'run': {
      const work = (op.work = new Subject<number>());
      const task = (signal: AbortSignal): Observable<number> =>
        new Observable<number>((subscriber) => {
          r.grants.push(id);
          op.signal = signal;
          op.started++;
          op.running++;
          const inner = mode === 'sync' ? of(id).subscribe(subscriber) : work.subscribe(subscriber);
          return () => {
            op.running--;
            inner.unsubscribe();
          };
        });
      op.subscription = (gate instanceof Semaphore ? gate.run(task, weight) : gate.run(task)).subscribe(observer);
      return;
    }
  }
}

function state(m: Model): GateState {
  const available = Math.max(0, m.capacity - m.held);
  return { total: m.held + available, available, waiting: m.waiters.length };
}

function expectSame(m: Model, r: Real): void {
  const expected = state(m);
  const gate = r.gate;
  if (gate instanceof Semaphore) {
    expect([gate.value, gate.waiting]).toEqual([expected.available, expected.waiting]);
  } else if (gate instanceof Lock) {
    expect([gate.locked, gate.waiting]).toEqual([m.held > 0, expected.waiting]);
  } else {
    expect([gate.totalTokens, gate.borrowedTokens, gate.availableTokens, gate.waiting]).toEqual([m.capacity, m.held, expected.available, expected.waiting]);
  }
  expect(r.states[r.states.length - 1]).toEqual(expected);
  expect(r.grants).toEqual(m.grants);
  for (const mo of m.ops) {
    const ro = r.ops[mo.id]!;
    const holding = mo.status === 'held';
    switch (mo.mode) {
      case 'try':
        expect(ro.permit === undefined).toBe(mo.status === 'refused');
        break;
      case 'acquire':
      case 'borrow':
        expect(ro.events).toEqual(mo.status === 'refused' ? [['error', expect.any(BorrowerError)]] : mo.granted ? [['next', undefined]] : []);
        break;
      case 'sync':
        expect([ro.started, ro.running, ro.events]).toEqual(mo.granted ? [1, 0, [['next', mo.id], ['complete']]] : [0, 0, []]);
        break;
      case 'run':
        // The work runs exactly while the permit is held: never before, never after its owner left.
        expect([ro.started, ro.running]).toEqual([mo.granted ? 1 : 0, holding ? 1 : 0]);
        break;
    }
  }
}

// ---- commands ------------------------------------------------------------------------------------

type Env = { model: Model; real: Real };

class Enter implements fc.Command<Model, Real> {
  constructor(readonly mode: Mode, readonly weight: number, readonly borrower: number) {}
  check(m: Readonly<Model>): boolean {
    return (this.mode !== 'borrow' || m.kind === 'limiter') && this.weight <= m.maxValue;
  }
  run(m: Model, r: Real): void {
    const id = m.ops.length;
    realEnter(r, id, this.mode, this.weight, this.borrower);
    modelEnter(m, { id, mode: this.mode, weight: this.weight, borrower: this.borrower, status: 'waiting', granted: false });
    expectSame(m, r);
  }
  toString(): string {
    return `enter(${this.mode}, ${this.weight}, b${this.borrower})`;
  }
}

/** Unsubscribes a waiting or holding acquire/run/borrow. */
class Unsubscribe implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check(m: Readonly<Model>): boolean {
    return liveOps(m as Model, ['acquire', 'run', 'borrow'], ['waiting', 'held']).length > 0;
  }
  run(m: Model, r: Real): void {
    const ops = liveOps(m, ['acquire', 'run', 'borrow'], ['waiting', 'held']);
    const op = ops[this.pick % ops.length]!;
    const wasHeld = op.status === 'held';
    r.ops[op.id]!.subscription!.unsubscribe();
    modelEnd(m, op);
    if (op.mode === 'run' && wasHeld) expect(r.ops[op.id]!.signal!.aborted).toBe(true);
    expectSame(m, r);
  }
  toString(): string {
    return `unsubscribe(${this.pick})`;
  }
}

/** The work of a holding `run` completes or errors: its permit comes back, the output ends alike. */
class EndWork implements fc.Command<Model, Real> {
  constructor(readonly pick: number, readonly fail: boolean) {}
  check(m: Readonly<Model>): boolean {
    return liveOps(m as Model, ['run'], ['held']).length > 0;
  }
  run(m: Model, r: Real): void {
    const ops = liveOps(m, ['run'], ['held']);
    const op = ops[this.pick % ops.length]!;
    const real = r.ops[op.id]!;
    const error = new Error(`work ${op.id}`);
    if (this.fail) real.work!.error(error);
    else real.work!.complete();
    modelEnd(m, op);
    expect(real.events).toEqual([this.fail ? ['error', error] : ['complete']]);
    // A failed work is aborted too (whatever it started on the side stops); a completed one is not.
    expect(real.signal!.aborted).toBe(this.fail);
    expectSame(m, r);
  }
  toString(): string {
    return `${this.fail ? 'error' : 'complete'}(${this.pick})`;
  }
}

/** Releases a tryAcquire permit, possibly twice: the second release is a no-op (PITFALLS 6). */
class ReleasePermit implements fc.Command<Model, Real> {
  constructor(readonly pick: number, readonly twice: boolean) {}
  check(m: Readonly<Model>): boolean {
    return liveOps(m as Model, ['try'], ['held']).length > 0;
  }
  run(m: Model, r: Real): void {
    const ops = liveOps(m, ['try'], ['held']);
    const op = ops[this.pick % ops.length]!;
    const permit = r.ops[op.id]!.permit!;
    permit.release();
    if (this.twice) permit[Symbol.dispose]();
    expect(permit.released).toBe(true);
    modelEnd(m, op);
    expectSame(m, r);
  }
  toString(): string {
    return `releasePermit(${this.pick}${this.twice ? ', twice' : ''})`;
  }
}

/** Ends every live acquisition in one go, in random order (PITFALLS 4): then new work is granted. */
class CancelAll implements fc.Command<Model, Real> {
  constructor(readonly reverse: boolean) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    const ops = m.ops.filter((op) => op.status === 'waiting' || op.status === 'held');
    if (this.reverse) ops.reverse();
    for (const op of ops) {
      const real = r.ops[op.id]!;
      if (real.permit !== undefined) real.permit.release();
      else real.subscription!.unsubscribe();
      modelEnd(m, op);
    }
    expect([m.held, m.waiters.length]).toEqual([0, 0]);
    expectSame(m, r);
  }
  toString(): string {
    return `cancelAll(${this.reverse ? 'reverse' : 'in order'})`;
  }
}

/** Semaphore.release(count): grows the capacity, throws past maxValue and changes nothing then. */
class SemaphoreRelease implements fc.Command<Model, Real> {
  constructor(readonly count: number) {}
  check(m: Readonly<Model>): boolean {
    return m.kind === 'semaphore';
  }
  run(m: Model, r: Real): void {
    const gate = r.gate as Semaphore;
    if (m.capacity + this.count > m.maxValue) {
      expect(() => gate.release(this.count)).toThrow(RangeError);
    } else {
      gate.release(this.count);
      m.capacity += this.count;
      modelDispatch(m);
    }
    expectSame(m, r);
  }
  toString(): string {
    return `semaphore.release(${this.count})`;
  }
}

/** CapacityLimiter.totalTokens = n: raising wakes waiters in order, lowering revokes nothing (PITFALLS 18). */
class SetTotal implements fc.Command<Model, Real> {
  constructor(readonly total: number) {}
  check(m: Readonly<Model>): boolean {
    return m.kind === 'limiter';
  }
  run(m: Model, r: Real): void {
    (r.gate as CapacityLimiter).totalTokens = this.total;
    m.capacity = this.total;
    modelDispatch(m);
    expectSame(m, r);
  }
  toString(): string {
    return `totalTokens = ${this.total}`;
  }
}

function commands(kind: Kind): fc.Arbitrary<Iterable<fc.Command<Model, Real>>> {
  const pick = fc.nat(20);
  const weight = kind === 'semaphore' ? fc.integer({ min: 1, max: 3 }) : fc.constant(1);
  const mode = fc.constantFrom<Mode>(...(kind === 'limiter' ? (['acquire', 'run', 'sync', 'try', 'borrow'] as const) : (['acquire', 'run', 'sync', 'try'] as const)));
  return fc.commands(
    [
      fc.tuple(mode, weight, fc.nat(2)).map(([mo, w, b]) => new Enter(mo, w, b)),
      fc.tuple(mode, weight, fc.nat(2)).map(([mo, w, b]) => new Enter(mo, w, b)),
      pick.map((p) => new Unsubscribe(p)),
      fc.tuple(pick, fc.boolean()).map(([p, f]) => new EndWork(p, f)),
      fc.tuple(pick, fc.boolean()).map(([p, t]) => new ReleasePermit(p, t)),
      fc.boolean().map((rev) => new CancelAll(rev)),
      fc.integer({ min: 0, max: 2 }).map((c) => new SemaphoreRelease(c)),
      fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Infinity)).map((t) => new SetTotal(t)),
    ],
    { maxCommands: 40 },
  );
}

function setup(kind: Kind, capacity: number, maxValue: number): () => Env {
  return () => {
    const gate = kind === 'semaphore' ? new Semaphore(capacity, maxValue === Infinity ? undefined : { maxValue }) : kind === 'lock' ? new Lock() : new CapacityLimiter(capacity);
    const states: GateState[] = [];
    const stateSubscription = gate.state$.subscribe((s) => {
      // state$ never repeats a state.
      const last = states[states.length - 1];
      if (last !== undefined) expect(s).not.toEqual(last);
      states.push(s);
    });
    const model: Model = { kind, maxValue, capacity: kind === 'lock' ? 1 : capacity, held: 0, waiters: [], ops: [], grants: [], pending: [], draining: false };
    return { model, real: { gate, ops: [], grants: [], states, stateSubscription, borrowers: [{}, {}, {}] } };
  };
}

/** After the schedule, everything still live is ended: every permit back, nothing waiting or running. */
function finish({ model, real }: Env): void {
  new CancelAll(false).run(model, real);
  for (const op of real.ops) expect(op.running).toBe(0);
  const gate = real.gate;
  if (gate instanceof Semaphore) expect(gate.value).toBe(model.capacity);
  else if (gate instanceof Lock) expect(gate.locked).toBe(false);
  else expect(gate.borrowedTokens).toBe(0);
  // A later acquire is still granted at once.
  const permit = gate.tryAcquire();
  if (model.capacity > 0) {
    expect(permit).toBeDefined();
    permit!.release();
  }
  real.stateSubscription.unsubscribe();
}


describe('gates, model-based (fast-check commands): counters, state$, FIFO grants, no leaked permit, no orphan work', () => {
  it('Semaphore, weighted, with maxValue and release(count) (PITFALLS 1, 2, 3, 4, 6, 7, 17)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.boolean(), commands('semaphore'), (capacity, capped, cmds) => {
        const env = setup('semaphore', capacity, capped ? capacity + 2 || 1 : Infinity)();
        fc.modelRun(() => env, cmds);
        finish(env);
      }),
      params,
    );
  });

  it('Lock (PITFALLS 1, 2, 3, 4, 17)', () => {
    fc.assert(
      fc.property(commands('lock'), (cmds) => {
        const env = setup('lock', 1, Infinity)();
        fc.modelRun(() => env, cmds);
        finish(env);
      }),
      params,
    );
  });

  it('CapacityLimiter with totalTokens changes and borrowers (PITFALLS 4, 17, 18)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), commands('limiter'), (capacity, cmds) => {
        const env = setup('limiter', capacity, Infinity)();
        fc.modelRun(() => env, cmds);
        finish(env);
      }),
      params,
    );
  });
});
