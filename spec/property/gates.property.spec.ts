import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { params } from './params';
import { TrampolineModel } from '../setup/trampoline-model';
import { Observable, Subject, of, take, type Subscription } from 'rxjs';
import { BorrowerError, CapacityLimiter, Lock, Semaphore, type GateState, type Permit } from 'rxjs-concurrency';

/*
 * Model-based: a reference gate written the obvious way (an array of waiters, a counter) runs side by
 * side with the real Semaphore / Lock / CapacityLimiter over random schedules of acquire, run,
 * tryAcquire, acquireOnBehalfOf, acquireAsync (no signal, a live AbortSignal, an aborted one),
 * abort of a signal, unsubscribe (while waiting or holding), completion and error of the work,
 * permit release (twice, too), cancel-everything, capacity changes (Semaphore.release,
 * CapacityLimiter.totalTokens), and re-entrant grants: an acquire() or run() whose grant callback
 * (the `next` of its subscription) ends ANOTHER operation, waiting or holding (unsubscribes it,
 * releases its permit, or aborts its signal), and/or ends itself: cancellation landing in the middle
 * of a hand-off, while other grants are accounted for but not yet delivered (PITFALLS 1, 2; the
 * numbers here are the sections of docs/pitfalls.md).
 *
 * After every step, synchronously: every counter and the last state$ value are exact (PITFALLS 3,
 * 17), the grants were delivered in exactly the model's order (strict FIFO among the waiters that
 * stayed, head-of-line blocking), a waiter cancelled before its grant was delivered never saw it,
 * and every work runs (is subscribed) exactly while its permit is held. Then, once the microtasks
 * ran: every acquireAsync promise settled exactly as the model says — granted ones resolved with a
 * permit that is held until released, aborted waiters rejected with their signal's reason and hold
 * nothing (PITFALLS 11). Throughout, at every state$ emission (so also in the middle of hand-offs),
 * the state equals the gate's counters of that instant, never repeats, and no grant takes the
 * permits in use past the capacity; those are recorded as violations (an `expect` thrown inside
 * an RxJS subscriber would never reach fast-check) and asserted empty after every step. At the end
 * everything is ended: every permit is back, nothing waits, nothing runs, every promise settled.
 */

type Kind = 'semaphore' | 'lock' | 'limiter';
type Mode = 'acquire' | 'run' | 'sync' | 'try' | 'borrow' | 'async';
type Status = 'waiting' | 'held' | 'done' | 'refused';
type Outcome = 'pending' | 'resolved' | 'rejected';

/**
 * What a re-entrant acquire()/run() does in its grant callback: ends other live ops, one per
 * target, and ends itself `before` them (unsubscribes) or `after` them (`take(1)`: the subscription
 * completes as the callback returns). A target is picked among the ops live at that moment, by
 * preference (`undelivered`) among those granted whose grant is not delivered yet: cancellation
 * landing in the middle of a hand-off. Ending itself first hands its permit on inside the callback,
 * so the op it ends next may be the one it just granted. The model, which runs each step first,
 * makes the picks and writes them in `script`; the real callback ends the ops written there.
 */
interface Reenter {
  readonly targets: readonly { readonly pick: number; readonly undelivered: boolean }[];
  readonly self: 'no' | 'before' | 'after';
}

interface ModelOp {
  readonly id: number;
  readonly mode: Mode;
  readonly weight: number;
  readonly borrower: number;
  readonly reenter: Reenter | undefined;
  /** acquireAsync: index of the AbortController whose signal it passed. */
  readonly ctrl: number | undefined;
  status: Status;
  /** The grant was delivered (emitted, work started, promise resolved); never for a cancelled waiter. */
  granted: boolean;
  /** acquireAsync with a signal, waiting or granted but not yet delivered: an abort rejects it. */
  inWatch: boolean;
  outcome: Outcome;
  /** acquireAsync: the test has seen the permit (the promise resolved before the last check). */
  visible: boolean;
}

interface Model {
  readonly kind: Kind;
  readonly maxValue: number;
  capacity: number;
  held: number;
  waiters: ModelOp[];
  ops: ModelOp[];
  grants: number[];
  readonly trampoline: TrampolineModel<ModelOp>;
  /** The op whose subscribe call is on the stack: a grant callback cannot reach it yet. */
  entering: number;
  /** Per AbortController: aborted yet. */
  aborted: boolean[];
  /** Two signal slots: the controller each currently uses (a fresh one after every abort). */
  slots: number[];
  /** acquireAsync ops in the order their promises were resolved. */
  resolved: number[];
  /** Per re-entrant op: the ops its grant callback ends (shared with the real side). */
  readonly script: Map<number, number[]>;
}

interface RealOp {
  readonly id: number;
  readonly async: boolean;
  readonly ctrl: number | undefined;
  subscription?: Subscription;
  permit?: Permit;
  work?: Subject<number>;
  signal?: AbortSignal;
  /** Times the work was subscribed, and how many of those subscriptions are still open. */
  started: number;
  running: number;
  events: unknown[];
  outcome: Outcome;
  reason?: unknown;
}

type AnyGate = Semaphore | Lock | CapacityLimiter;

interface Real {
  readonly gate: AnyGate;
  readonly ops: RealOp[];
  readonly grants: number[];
  readonly states: GateState[];
  stateSubscription: Subscription;
  readonly borrowers: object[];
  readonly controllers: AbortController[];
  readonly slots: number[];
  readonly resolved: number[];
  /** Invariants broken inside callbacks (state$, grant callbacks): asserted empty after every step. */
  readonly violations: string[];
  /** The capacity the gate was given (set before the call that changes it, which may emit state$). */
  capacity: number;
  entering: number;
  readonly script: ReadonlyMap<number, readonly number[]>;
}

const isLive = (op: ModelOp): boolean => op.status === 'waiting' || op.status === 'held';

// ---- the model -----------------------------------------------------------------------------------

/**
 * Grants every head that fits. A grant is accounted for at once; its delivery is queued, like the
 * real trampoline, except for acquireAsync() without a signal, whose promise is resolved at once.
 */
function modelDispatch(m: Model): void {
  for (let head = m.waiters[0]; head !== undefined && head.weight <= m.capacity - m.held; head = m.waiters[0]) {
    m.waiters.shift();
    grant(m, head);
    if (head.mode === 'async' && head.ctrl === undefined) deliver(m, head);
    else m.trampoline.enqueue(head);
  }
  m.trampoline.drain();
}

function grant(m: Model, op: ModelOp): void {
  m.held += op.weight;
  if (m.held > m.capacity) throw new Error(`model: ${m.held} permits held, capacity ${m.capacity}`);
  op.status = 'held';
}

/** A queued grant reaches its op, unless the op ended meanwhile; a delivery may queue more. */
function deliverQueued(m: Model, op: ModelOp): void {
  if (op.status === 'held') deliver(m, op);
}

/** The grant reaches its op: an emission, the start of the work, or a resolved promise. */
function deliver(m: Model, op: ModelOp): void {
  op.granted = true;
  if (op.mode === 'async') {
    op.inWatch = false;
    op.outcome = 'resolved';
    m.resolved.push(op.id);
    return;
  }
  m.grants.push(op.id);
  if (op.mode === 'sync') {
    modelEnd(m, op);
    return;
  }
  if (op.reenter !== undefined) {
    // An op granted in its own subscribe call cannot unsubscribe itself before that call returns.
    const selfFirst = op.reenter.self === 'before' && op.id !== m.entering;
    if (selfFirst) modelEnd(m, op);
    const chosen: number[] = [];
    m.script.set(op.id, chosen);
    for (const { pick, undelivered } of op.reenter.targets) {
      const live = m.ops.filter((o) => o !== op && o.id !== m.entering && isLive(o));
      const handingOff = live.filter((o) => o.status === 'held' && !o.granted);
      const pool = undelivered && handingOff.length > 0 ? handingOff : live;
      const target = pool[pick % Math.max(1, pool.length)];
      if (target === undefined) continue;
      chosen.push(target.id);
      modelEndOp(m, target);
    }
    if (op.reenter.self !== 'no' && !selfFirst) modelEnd(m, op);
  }
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

/**
 * What the test does to end any op (mirrors `realEndOp`): unsubscribe it, release its permit, or,
 * for an acquireAsync whose permit it has not seen yet, abort its signal (if it has one).
 */
function modelEndOp(m: Model, op: ModelOp): void {
  if (op.mode !== 'async' || op.visible) modelEnd(m, op);
  else if (op.ctrl !== undefined) modelAbort(m, op.ctrl);
}

/** Aborting a signal rejects every acquireAsync waiting on it (or granted, undelivered) in one batch. */
function modelAbort(m: Model, ctrl: number): void {
  if (m.aborted[ctrl]) return;
  m.aborted[ctrl] = true;
  m.trampoline.batch(() => {
    for (const op of m.ops) {
      if (op.ctrl === ctrl && op.inWatch) {
        op.inWatch = false;
        op.outcome = 'rejected';
        modelEnd(m, op);
      }
    }
  });
  renew(m.slots, ctrl, () => m.aborted.push(false) - 1);
}

/** A slot whose controller was aborted gets a fresh one. */
function renew(slots: number[], ctrl: number, fresh: () => number): void {
  const slot = slots.indexOf(ctrl);
  if (slot >= 0) slots[slot] = fresh();
}

function modelEnter(m: Model, op: ModelOp): void {
  m.ops.push(op);
  if (op.mode === 'borrow' && m.ops.some((o) => o !== op && o.mode === 'borrow' && o.borrower === op.borrower && isLive(o))) {
    op.status = 'refused';
    return;
  }
  if (op.ctrl !== undefined && m.aborted[op.ctrl]) {
    op.status = 'refused';
    op.outcome = 'rejected';
    return;
  }
  if (m.waiters.length === 0 && op.weight <= m.capacity - m.held) {
    // A free permit is granted and delivered synchronously, in the call.
    grant(m, op);
    m.entering = op.id;
    deliver(m, op);
    m.entering = -1;
  } else if (op.mode === 'try') {
    op.status = 'refused';
  } else {
    m.waiters.push(op);
    op.inWatch = op.ctrl !== undefined;
  }
}

const liveOps = (m: Model, modes: readonly Mode[], statuses: readonly Status[]): ModelOp[] =>
  m.ops.filter((op) => modes.includes(op.mode) && statuses.includes(op.status));

// ---- the real gate -------------------------------------------------------------------------------

const violation = (r: Real, what: string): void => {
  r.violations.push(what);
};

/** Aborts controller `ctrl` (if not yet), then gives its slot a fresh one. */
function realAbort(r: Real, ctrl: number, reason: unknown): void {
  const controller = r.controllers[ctrl]!;
  if (controller.signal.aborted) return;
  if (reason === undefined) controller.abort();
  else controller.abort(reason);
  renew(r.slots, ctrl, () => r.controllers.push(new AbortController()) - 1);
}

/** Ends op `id` the way `modelEndOp` says; usable from inside a grant callback. */
function realEndOp(r: Real, id: number): void {
  const op = r.ops[id];
  if (op === undefined || id === r.entering) return;
  if (op.permit !== undefined) op.permit.release();
  else if (op.subscription !== undefined) op.subscription.unsubscribe();
  else if (op.ctrl !== undefined) realAbort(r, op.ctrl, new Error(`abort ${op.ctrl} from a grant callback`));
}

function realEnter(
  r: Real,
  id: number,
  mode: Mode,
  weight: number,
  borrower: number,
  reenter: Reenter | undefined,
  ctrl: number | undefined,
  explicitUndefined: boolean,
): void {
  const op: RealOp = { id, async: mode === 'async', ctrl, started: 0, running: 0, events: [], outcome: 'pending' };
  r.ops.push(op);
  const gate = r.gate;
  /** The grant callback of a re-entrant op: end itself (`before`), then the targets. */
  let unsubscribeWhenSubscribed = false;
  const reenterNow = (): void => {
    if (reenter === undefined) return;
    try {
      if (reenter.self === 'before') {
        if (op.subscription !== undefined) op.subscription.unsubscribe();
        else unsubscribeWhenSubscribed = true; // granted in its own subscribe call: no handle yet
      }
      for (const target of r.script.get(id) ?? []) realEndOp(r, target);
    } catch (error) {
      violation(r, `op ${id}: ending ${String(r.script.get(id))} from the grant callback threw ${String(error)}`);
    }
  };
  const observer = {
    next: (value: unknown) => {
      if (mode !== 'run' && mode !== 'sync') r.grants.push(id);
      op.events.push(['next', value]);
      reenterNow();
    },
    error: (error: unknown) => op.events.push(['error', error]),
    complete: () => op.events.push(['complete']),
  };
  const once = <T>(source: Observable<T>): Observable<T> => (reenter?.self === 'after' ? source.pipe(take(1)) : source);
  r.entering = id;
  try {
    switch (mode) {
      case 'try': {
        const permit = gate instanceof Semaphore ? gate.tryAcquire(weight) : gate.tryAcquire();
        if (permit !== undefined) {
          op.permit = permit;
          r.grants.push(id);
        }
        return;
      }
      case 'async': {
        const signal = ctrl === undefined ? undefined : r.controllers[ctrl]!.signal;
        const promise =
          signal !== undefined
            ? gate.acquireAsync({ signal })
            : explicitUndefined
              ? gate.acquireAsync({ signal: undefined })
              : gate.acquireAsync();
        promise.then(
          (permit) => {
            op.outcome = 'resolved';
            op.permit = permit;
            r.resolved.push(id);
          },
          (reason: unknown) => {
            op.outcome = 'rejected';
            op.reason = reason;
          },
        );
        return;
      }
      case 'acquire':
        op.subscription = once(gate instanceof Semaphore ? gate.acquire(weight) : gate.acquire()).subscribe(observer);
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the observer when the grant came inside subscribe()
        if (unsubscribeWhenSubscribed) op.subscription.unsubscribe();
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
            let inner: Subscription | undefined;
            if (mode === 'sync') {
              inner = of(id).subscribe(subscriber);
            } else {
              // A re-entrant run emits at once: its grant callback runs as the work starts.
              if (reenter !== undefined) subscriber.next(id);
              if (!subscriber.closed) inner = work.subscribe(subscriber);
            }
            return () => {
              op.running--;
              inner?.unsubscribe();
            };
          });
        op.subscription = once(gate instanceof Semaphore ? gate.run(task, weight) : gate.run(task)).subscribe(observer);
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the observer when the grant came inside subscribe()
        if (unsubscribeWhenSubscribed) op.subscription.unsubscribe();
        return;
      }
    }
  } finally {
    r.entering = -1;
  }
}

function state(m: Model): GateState {
  const available = Math.max(0, m.capacity - m.held);
  return { total: m.held + available, available, waiting: m.waiters.length };
}

/** Deep strict equality, with jest's diff when it fails (and cheap when it holds). */
function same(actual: unknown, expected: unknown): void {
  if (isDeepStrictEqual(actual, expected)) return;
  expect(actual).toStrictEqual(expected);
  throw new Error(`not deep-strictly equal: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
}

const event = (e: unknown): unknown =>
  Array.isArray(e) && e[0] === 'error' && e[1] instanceof BorrowerError ? ['error', 'BorrowerError'] : e;

/** Synchronously after a step: counters, last state$ value, grant order, every op; no violation. */
function expectSame(m: Model, r: Real): void {
  const expected = state(m);
  const gate = r.gate;
  let counters: [unknown[], unknown[]];
  if (gate instanceof Semaphore) {
    counters = [
      [gate.value, gate.waiting],
      [expected.available, expected.waiting],
    ];
  } else if (gate instanceof Lock) {
    counters = [
      [gate.locked, gate.waiting],
      [m.held > 0, expected.waiting],
    ];
  } else {
    counters = [
      [gate.totalTokens, gate.borrowedTokens, gate.availableTokens, gate.waiting],
      [m.capacity, m.held, expected.available, expected.waiting],
    ];
  }
  const actualOps: unknown[] = [];
  const expectedOps: unknown[] = [];
  for (const mo of m.ops) {
    const ro = r.ops[mo.id]!;
    const holding = mo.status === 'held';
    switch (mo.mode) {
      case 'try':
        actualOps.push([mo.id, ro.permit === undefined]);
        expectedOps.push([mo.id, mo.status === 'refused']);
        break;
      case 'acquire':
      case 'borrow':
        actualOps.push([mo.id, ro.events.map(event)]);
        expectedOps.push([
          mo.id,
          mo.status === 'refused'
            ? [['error', 'BorrowerError']]
            : mo.granted
              ? [['next', undefined], ...(mo.reenter?.self === 'after' ? [['complete']] : [])]
              : [],
        ]);
        break;
      case 'sync':
        actualOps.push([mo.id, ro.started, ro.running, ro.events]);
        expectedOps.push([mo.id, ...(mo.granted ? [1, 0, [['next', mo.id], ['complete']]] : [0, 0, []])]);
        break;
      case 'run':
        // The work runs exactly while the permit is held: never before, never after its owner left.
        actualOps.push([mo.id, ro.started, ro.running]);
        expectedOps.push([mo.id, mo.granted ? 1 : 0, holding ? 1 : 0]);
        break;
      case 'async':
        // Settled asynchronously: see expectSettled.
        break;
    }
  }
  same(
    { counters: counters[0], state: r.states[r.states.length - 1], grants: r.grants, ops: actualOps, violations: r.violations },
    { counters: counters[1], state: expected, grants: m.grants, ops: expectedOps, violations: [] },
  );
}

/**
 * Once the microtasks ran: every acquireAsync promise is settled exactly as the model says (pending
 * while it waits; resolved with a permit, released only if the test released it; or rejected with
 * its signal's reason), and promises of each kind were resolved in grant order. Then the test may
 * use the permits it has seen.
 */
function expectSettled(m: Model, r: Real): void {
  const actual: unknown[] = [];
  const expected: unknown[] = [];
  for (const mo of m.ops) {
    if (mo.mode !== 'async') continue;
    const ro = r.ops[mo.id]!;
    actual.push([
      mo.id,
      ro.outcome,
      ro.outcome === 'resolved'
        ? ro.permit!.released
        : ro.outcome === 'rejected'
          ? ro.reason === r.controllers[mo.ctrl!]?.signal.reason
          : null,
    ]);
    expected.push([mo.id, mo.outcome, mo.outcome === 'resolved' ? mo.status === 'done' : mo.outcome === 'rejected' ? true : null]);
    if (mo.outcome === 'resolved') mo.visible = true;
  }
  const byKind = (ids: number[], ops: readonly { ctrl: number | undefined }[]): [number[], number[]] => [
    ids.filter((id) => ops[id]!.ctrl === undefined),
    ids.filter((id) => ops[id]!.ctrl !== undefined),
  ];
  same(
    { async: actual, order: byKind(r.resolved, r.ops), violations: r.violations },
    { async: expected, order: byKind(m.resolved, m.ops), violations: [] },
  );
}

/** Lets every settled promise's reactions run. */
async function flush(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/await-thenable -- one microtask turn each
  for (let i = 0; i < 2; i++) await undefined;
}

// ---- commands ------------------------------------------------------------------------------------

interface Env {
  model: Model;
  real: Real;
}

/** A step: acts on the model, then on the real gate; checks synchronously, lets the promises settle, checks them. */
abstract class Step implements fc.AsyncCommand<Model, Real> {
  abstract check(m: Readonly<Model>): boolean;
  protected abstract act(m: Model, r: Real): void;
  async run(m: Model, r: Real): Promise<void> {
    this.act(m, r);
    expectSame(m, r);
    await flush();
    expectSettled(m, r);
  }
}

class Enter extends Step {
  constructor(
    readonly mode: Mode,
    readonly weight: number,
    readonly borrower: number,
    readonly reenter?: Reenter,
  ) {
    super();
  }
  override check(m: Readonly<Model>): boolean {
    return (this.mode !== 'borrow' || m.kind === 'limiter') && this.weight <= m.maxValue;
  }
  override act(m: Model, r: Real): void {
    const id = m.ops.length;
    modelEnter(m, {
      id,
      mode: this.mode,
      weight: this.weight,
      borrower: this.borrower,
      reenter: this.reenter,
      ctrl: undefined,
      status: 'waiting',
      granted: false,
      inWatch: false,
      outcome: 'pending',
      visible: false,
    });
    realEnter(r, id, this.mode, this.weight, this.borrower, this.reenter, undefined, false);
  }
  override toString(): string {
    const re =
      this.reenter === undefined
        ? ''
        : `, granted: ${[
            ...(this.reenter.self === 'before' ? ['end itself'] : []),
            ...this.reenter.targets.map((t) => `end live op ${t.pick}${t.undelivered ? ' (undelivered first)' : ''}`),
            ...(this.reenter.self === 'after' ? ['end itself'] : []),
          ].join(', ')}`;
    return `enter(${this.mode}, ${this.weight}, b${this.borrower}${re})`;
  }
}

/** acquireAsync(): without a signal, with the signal of slot 0 or 1, or with one already aborted. */
class EnterAsync extends Step {
  constructor(
    readonly signal: 'none' | 'undefined' | 'aborted' | 0 | 1,
    readonly errorReason: boolean,
  ) {
    super();
  }
  override check(): boolean {
    return true;
  }
  override act(m: Model, r: Real): void {
    const id = m.ops.length;
    let ctrl: number | undefined;
    if (this.signal === 'aborted') {
      const controller = new AbortController();
      if (this.errorReason) controller.abort(new Error(`pre-aborted ${id}`));
      else controller.abort();
      ctrl = r.controllers.push(controller) - 1;
      same(m.aborted.push(true) - 1, ctrl);
    } else if (typeof this.signal === 'number') {
      ctrl = r.slots[this.signal]!;
      same(m.slots[this.signal], ctrl);
    }
    modelEnter(m, {
      id,
      mode: 'async',
      weight: 1,
      borrower: 0,
      reenter: undefined,
      ctrl,
      status: 'waiting',
      granted: false,
      inWatch: false,
      outcome: 'pending',
      visible: false,
    });
    realEnter(r, id, 'async', 1, 0, undefined, ctrl, this.signal === 'undefined');
  }
  override toString(): string {
    return `acquireAsync(${this.signal === 'none' ? '' : this.signal === 'undefined' ? '{ signal: undefined }' : this.signal === 'aborted' ? `aborted signal${this.errorReason ? '' : ', default reason'}` : `signal ${this.signal}`})`;
  }
}

/** Aborts the signal of a slot (with an Error, or the default AbortError); the slot gets a fresh one. */
class Abort extends Step {
  constructor(
    readonly slot: number,
    readonly errorReason: boolean,
  ) {
    super();
  }
  override check(): boolean {
    return true;
  }
  override act(m: Model, r: Real): void {
    const ctrl = m.slots[this.slot]!;
    modelAbort(m, ctrl);
    realAbort(r, ctrl, this.errorReason ? new Error(`abort ${ctrl}`) : undefined);
    same(r.slots, m.slots);
  }
  override toString(): string {
    return `abort(signal ${this.slot}${this.errorReason ? '' : ', default reason'})`;
  }
}

/** Unsubscribes a waiting or holding acquire/run/borrow. */
class Unsubscribe extends Step {
  constructor(readonly pick: number) {
    super();
  }
  override check(m: Readonly<Model>): boolean {
    return liveOps(m, ['acquire', 'run', 'borrow'], ['waiting', 'held']).length > 0;
  }
  override act(m: Model, r: Real): void {
    const ops = liveOps(m, ['acquire', 'run', 'borrow'], ['waiting', 'held']);
    const op = ops[this.pick % ops.length]!;
    const wasHeld = op.status === 'held';
    modelEnd(m, op);
    r.ops[op.id]!.subscription!.unsubscribe();
    if (op.mode === 'run' && wasHeld) same(r.ops[op.id]!.signal!.aborted, true);
  }
  override toString(): string {
    return `unsubscribe(${this.pick})`;
  }
}

/** The work of a holding `run` completes or errors: its permit comes back, the output ends alike. */
class EndWork extends Step {
  constructor(
    readonly pick: number,
    readonly fail: boolean,
  ) {
    super();
  }
  override check(m: Readonly<Model>): boolean {
    return liveOps(m, ['run'], ['held']).length > 0;
  }
  override act(m: Model, r: Real): void {
    const ops = liveOps(m, ['run'], ['held']);
    const op = ops[this.pick % ops.length]!;
    const real = r.ops[op.id]!;
    const error = new Error(`work ${op.id}`);
    modelEnd(m, op);
    if (this.fail) real.work!.error(error);
    else real.work!.complete();
    same(real.events, [...(op.reenter !== undefined ? [['next', op.id]] : []), this.fail ? ['error', error] : ['complete']]);
    // A failed work is aborted too (whatever it started on the side stops); a completed one is not.
    same(real.signal!.aborted, this.fail);
  }
  override toString(): string {
    return `${this.fail ? 'error' : 'complete'}(${this.pick})`;
  }
}

/** Releases a tryAcquire or acquireAsync permit, possibly twice: the second release is a no-op (PITFALLS 6). */
class ReleasePermit extends Step {
  constructor(
    readonly pick: number,
    readonly twice: boolean,
  ) {
    super();
  }
  private ops(m: Model): ModelOp[] {
    return m.ops.filter((op) => op.status === 'held' && (op.mode === 'try' || (op.mode === 'async' && op.visible)));
  }
  override check(m: Readonly<Model>): boolean {
    return this.ops(m).length > 0;
  }
  override act(m: Model, r: Real): void {
    const ops = this.ops(m);
    const op = ops[this.pick % ops.length]!;
    const permit = r.ops[op.id]!.permit!;
    same(permit.released, false);
    modelEnd(m, op);
    permit.release();
    if (this.twice) permit[Symbol.dispose]();
    same(permit.released, true);
  }
  override toString(): string {
    return `releasePermit(${this.pick}${this.twice ? ', twice' : ''})`;
  }
}

/**
 * Ends every live acquisition in one go, in random order (PITFALLS 4): then new work is granted.
 * An acquireAsync the test cannot end yet stays: one without a signal still waiting, or one whose
 * permit it has not seen (its promise resolves after this step).
 */
class CancelAll extends Step {
  constructor(readonly reverse: boolean) {
    super();
  }
  override check(): boolean {
    return true;
  }
  override act(m: Model, r: Real): void {
    const ops = m.ops.filter(isLive);
    if (this.reverse) ops.reverse();
    for (const op of ops) {
      modelEndOp(m, op);
      realEndOp(r, op.id);
    }
    const left = m.ops.filter(isLive);
    same(
      left.filter((op) => op.mode !== 'async' || op.visible || (op.status === 'waiting' && op.ctrl !== undefined)),
      [],
    );
    same(m.held, left.filter((op) => op.status === 'held').length);
  }
  override toString(): string {
    return `cancelAll(${this.reverse ? 'reverse' : 'in order'})`;
  }
}

/** Semaphore.release(count): grows the capacity, throws past maxValue and changes nothing then. */
class SemaphoreRelease extends Step {
  constructor(readonly count: number) {
    super();
  }
  override check(m: Readonly<Model>): boolean {
    return m.kind === 'semaphore';
  }
  override act(m: Model, r: Real): void {
    const gate = r.gate as Semaphore;
    if (m.capacity + this.count > m.maxValue) {
      expect(() => gate.release(this.count)).toThrow(RangeError);
    } else {
      m.capacity += this.count;
      modelDispatch(m);
      r.capacity += this.count;
      gate.release(this.count);
    }
  }
  override toString(): string {
    return `semaphore.release(${this.count})`;
  }
}

/** CapacityLimiter.totalTokens = n: raising wakes waiters in order, lowering revokes nothing (PITFALLS 18). */
class SetTotal extends Step {
  constructor(readonly total: number) {
    super();
  }
  override check(m: Readonly<Model>): boolean {
    return m.kind === 'limiter';
  }
  override act(m: Model, r: Real): void {
    m.capacity = this.total;
    modelDispatch(m);
    r.capacity = this.total;
    (r.gate as CapacityLimiter).totalTokens = this.total;
  }
  override toString(): string {
    return `totalTokens = ${this.total}`;
  }
}

function commands(kind: Kind): fc.Arbitrary<Iterable<fc.AsyncCommand<Model, Real>>> {
  const pick = fc.nat(20);
  const weight = kind === 'semaphore' ? fc.integer({ min: 1, max: 3 }) : fc.constant(1);
  const mode = fc.constantFrom<Mode>(
    ...(kind === 'limiter' ? (['acquire', 'run', 'sync', 'try', 'borrow'] as const) : (['acquire', 'run', 'sync', 'try'] as const)),
  );
  const reenter = fc
    .record({
      targets: fc.array(fc.record({ pick: fc.nat(20), undelivered: fc.boolean() }), { maxLength: 2 }),
      self: fc.constantFrom<Reenter['self']>('no', 'before', 'after'),
    })
    .filter((re) => re.targets.length > 0 || re.self !== 'no');
  return fc.commands(
    [
      fc.tuple(mode, weight, fc.nat(2)).map(([mo, w, b]) => new Enter(mo, w, b)),
      fc.tuple(mode, weight, fc.nat(2)).map(([mo, w, b]) => new Enter(mo, w, b)),
      fc.tuple(fc.constantFrom<Mode>('acquire', 'run'), weight, reenter).map(([mo, w, re]) => new Enter(mo, w, 0, re)),
      fc
        .tuple(
          fc.constantFrom('none', 'undefined', 'aborted', 0, 1) as fc.Arbitrary<'none' | 'undefined' | 'aborted' | 0 | 1>,
          fc.boolean(),
        )
        .map(([s, e]) => new EnterAsync(s, e)),
      fc.tuple(fc.integer({ min: 0, max: 1 }), fc.boolean()).map(([s, e]) => new Abort(s, e)),
      pick.map((p) => new Unsubscribe(p)),
      fc.tuple(pick, fc.boolean()).map(([p, f]) => new EndWork(p, f)),
      fc.tuple(pick, fc.boolean()).map(([p, t]) => new ReleasePermit(p, t)),
      fc.boolean().map((rev) => new CancelAll(rev)),
      fc.integer({ min: 0, max: 2 }).map((c) => new SemaphoreRelease(c)),
      fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Infinity)).map((t) => new SetTotal(t)),
    ],
    // 'medium': schedules of up to 40 steps (by default most would be under 10).
    { maxCommands: 40, size: 'medium' },
  );
}

function setup(kind: Kind, capacity: number, maxValue: number): Env {
  const gate =
    kind === 'semaphore'
      ? new Semaphore(capacity, maxValue === Infinity ? undefined : { maxValue })
      : kind === 'lock'
        ? new Lock()
        : new CapacityLimiter(capacity);
  const model: Model = {
    kind,
    maxValue,
    capacity: kind === 'lock' ? 1 : capacity,
    held: 0,
    waiters: [],
    ops: [],
    grants: [],
    trampoline: new TrampolineModel<ModelOp>((op) => deliverQueued(model, op)),
    entering: -1,
    aborted: [false, false],
    slots: [0, 1],
    resolved: [],
    script: new Map(),
  };
  const real: Real = {
    gate,
    ops: [],
    grants: [],
    states: [],
    stateSubscription: undefined as unknown as Subscription,
    borrowers: [{}, {}, {}],
    controllers: [new AbortController(), new AbortController()],
    slots: [0, 1],
    resolved: [],
    violations: [],
    capacity: model.capacity,
    entering: -1,
    script: model.script,
  };
  real.stateSubscription = gate.state$.subscribe((s) => {
    const states = real.states;
    const last = states[states.length - 1];
    states.push(s);
    const at = `state$ #${states.length - 1} ${JSON.stringify(s)}`;
    // state$ never repeats a state.
    if (last !== undefined && isDeepStrictEqual(s, last)) violation(real, `${at} repeats the previous one`);
    // It is read at delivery: the gate's counters of this very instant (PITFALLS 17).
    const now =
      gate instanceof Semaphore
        ? [s.available, s.waiting, gate.value, gate.waiting]
        : gate instanceof Lock
          ? [s.total, s.available, s.waiting, 1, gate.locked ? 0 : 1, gate.waiting]
          : [s.total, s.available, s.waiting, gate.borrowedTokens + gate.availableTokens, gate.availableTokens, gate.waiting];
    const half = now.length / 2;
    if (!isDeepStrictEqual(now.slice(0, half), now.slice(half)))
      violation(real, `${at} differs from the counters then: ${JSON.stringify(now.slice(half))}`);
    if (s.available < 0 || s.waiting < 0 || s.total < s.available) violation(real, `${at} is malformed`);
    // Never more permits in use than the capacity, at any instant (a lowered totalTokens keeps its
    // holders, but no grant may happen past it).
    const inUse = s.total - s.available;
    const before = last === undefined ? 0 : last.total - last.available;
    if (inUse > real.capacity && (kind !== 'limiter' || inUse > before))
      violation(real, `${at}: ${inUse} permits in use, capacity ${real.capacity}`);
  });
  return { model, real };
}

/**
 * After the schedule, everything still live is ended: every permit back, nothing waiting or running,
 * every acquireAsync settled. An acquireAsync without a signal cannot be withdrawn: it is granted
 * when the others leave (a Semaphore of 0 gets a permit for it), and its permit released next round.
 */
async function finish({ model, real }: Env): Promise<void> {
  for (let round = 0; model.ops.some(isLive); round++) {
    if (round >= 50) throw new Error('finish: still live after 50 rounds');
    if (model.capacity === 0 && model.held === 0 && model.waiters.length > 0) await new SemaphoreRelease(1).run(model, real);
    await new CancelAll(false).run(model, real);
  }
  same([model.held, model.waiters.length], [0, 0]);
  for (const op of real.ops) same(op.running, 0);
  for (const op of real.ops) if (op.async) same(op.outcome === 'rejected' || (op.outcome === 'resolved' && op.permit!.released), true);
  const gate = real.gate;
  if (gate instanceof Semaphore) same(gate.value, model.capacity);
  else if (gate instanceof Lock) same(gate.locked, false);
  else same(gate.borrowedTokens, 0);
  // A later acquire is still granted at once.
  const permit = gate.tryAcquire();
  if (model.capacity > 0) {
    same(permit === undefined, false);
    permit!.release();
  }
  real.stateSubscription.unsubscribe();
  same(real.violations, []);
}

async function runSchedule(env: Env, cmds: Iterable<fc.AsyncCommand<Model, Real>>): Promise<void> {
  try {
    await fc.asyncModelRun(() => env, cmds);
    await finish(env);
  } finally {
    env.real.stateSubscription.unsubscribe();
  }
}

describe('gates, model-based (fast-check commands): counters, state$, FIFO grants, no leaked permit, no orphan work', () => {
  it('Semaphore, weighted, with maxValue and release(count) (PITFALLS 1, 2, 3, 4, 6, 7, 11, 17)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 4 }), fc.boolean(), commands('semaphore'), (capacity, capped, cmds) =>
        runSchedule(setup('semaphore', capacity, capped ? capacity + 2 || 1 : Infinity), cmds),
      ),
      params,
    );
  });

  it('Lock (PITFALLS 1, 2, 3, 4, 11, 17)', async () => {
    await fc.assert(
      fc.asyncProperty(commands('lock'), (cmds) => runSchedule(setup('lock', 1, Infinity), cmds)),
      params,
    );
  });

  it('CapacityLimiter with totalTokens changes and borrowers (PITFALLS 1, 2, 3, 4, 11, 17, 18)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), commands('limiter'), (capacity, cmds) =>
        runSchedule(setup('limiter', capacity, Infinity), cmds),
      ),
      params,
    );
  });
});
