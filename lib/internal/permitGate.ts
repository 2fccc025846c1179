import { Observable, type Subscriber, type Subscription } from 'rxjs';
import { unwatchAbort, watchAbort, type AbortWaiter } from './abortWatch';
import { captureAsync, currentScope, resume, type AsyncSnapshot, type Scope } from './context';
import { dispose } from './dispose';
import { fromTask } from './fromTask';
import { InnerSubscriber } from './innerSubscriber';
import { StateFeed } from './stateFeed';
import { batch, drain, enqueue, type Runnable } from './trampoline';
import type { AcquireOptions, DeferredTask, Gate, GateState, Permit } from './types';
import { checkCount, checkObject, checkSignal, fail } from './validate';
import { WaitList, WaitNode } from './waitList';

const WAITING = 0;
const HELD = 1;
const RELEASED = 2;

/**
 * One acquisition: first a waiter in the gate's list, then the permit it was granted. It keeps no
 * context: an `acquireAsync()` caller resumes in its own when it awaits, and a `tryAcquire()` never
 * waits. The subscriptions that do keep one extend `ContextTicket`.
 */
class Ticket extends WaitNode implements Runnable {
  state: typeof WAITING | typeof HELD | typeof RELEASED = WAITING;

  constructor(
    private readonly gate: PermitGate,
    readonly weight: number,
    public onGrant: ((ticket: Ticket) => void) | null,
  ) {
    super();
  }

  get released(): boolean {
    return this.state === RELEASED;
  }

  release(): void {
    this.gate.retire(this);
  }

  [dispose](): void {
    this.gate.retire(this);
  }

  /** It goes in line: a subscription keeps the context its grant will run in. */
  capture(): void {
    // Nothing to keep: see the class comment.
  }

  /** Delivers the grant, unless the ticket was released between the grant and now. */
  run(): void {
    const onGrant = this.onGrant;
    this.onGrant = null;
    if (this.state === HELD && onGrant !== null) onGrant(this);
  }
}

/**
 * An `acquireAsync()` without a signal: its grant is delivered by the gate itself, not through the
 * trampoline (see `acquireAsync`). A class rather than a flag: a waiting ticket is the per-waiter
 * cost of every gate, and a field would add to all of them.
 */
class DirectTicket extends Ticket {}

/** A subscription's ticket: a grant after a wait runs in the scope and async context of the subscriber. */
abstract class ContextTicket extends Ticket {
  /** The scope of a subscriber that had to wait; null: it did not wait. */
  scope: Scope | null = null;
  /** Likewise its async context. */
  snapshot: AsyncSnapshot | null = null;

  override capture(): void {
    this.scope = currentScope();
    this.snapshot = captureAsync();
  }
}

/**
 * An `acquire()` subscription: the ticket itself tells the subscriber of the grant and is its
 * teardown, so a waiting `acquire()` costs one object and no closures.
 */
class AcquireTicket extends ContextTicket {
  constructor(
    gate: PermitGate,
    weight: number,
    private readonly subscriber: Subscriber<void>,
  ) {
    super(gate, weight, null);
  }

  override run(): void {
    if (this.state !== HELD) return;
    if (this.scope === null) this.subscriber.next();
    else resume(this.scope, this.snapshot, grant, this.subscriber);
  }

  unsubscribe(): void {
    this.release();
  }
}

const grant = (subscriber: Subscriber<void>): void => {
  subscriber.next();
};

/**
 * A `run()` subscription: the ticket itself carries what the grant needs, so a waiting `run()`
 * costs one object besides its Observable and subscriber, and is its own teardown.
 */
class RunTicket<T> extends ContextTicket {
  private inner: Subscription | null = null;

  constructor(
    gate: PermitGate,
    weight: number,
    private readonly source: Observable<T>,
    private readonly subscriber: Subscriber<T>,
  ) {
    super(gate, weight, null);
  }

  override run(): void {
    if (this.state !== HELD) return;
    // Work that waited starts in the scope and async context of its subscription, not the releaser's.
    if (this.scope === null) this.start();
    else resume(this.scope, this.snapshot, startRun, this);
  }

  start(): void {
    const worker = new RunWorker(this, this.subscriber);
    // Known, and owned by our subscriber, before the work can emit: a downstream that unsubscribes
    // during a synchronous emission stops the work (and aborts its signal) there and then.
    this.inner = worker;
    this.subscriber.add(worker);
    this.source.subscribe(worker);
  }

  /** The teardown of the `run()` subscription: stops the work, then gives the permit back. */
  unsubscribe(): void {
    this.inner?.unsubscribe();
    this.release();
  }
}

const startRun = (ticket: RunTicket<unknown>): void => ticket.start();

/** The subscriber of a `run()`'s work: one object, where an Observable and an observer would take six. */
class RunWorker<T> extends InnerSubscriber<T> {
  constructor(
    private readonly ticket: Ticket,
    private readonly subscriber: Subscriber<T>,
  ) {
    super();
  }

  protected onNext(value: T): void {
    this.subscriber.next(value);
  }

  // Release before forwarding, inside one batch: the next waiter is granted first, but its work
  // only starts once this subscriber has seen the end of ours.
  protected onError(error: unknown): void {
    batch(() => {
      this.ticket.release();
      this.subscriber.error(error);
    });
  }

  protected onComplete(): void {
    batch(() => {
      this.ticket.release();
      this.subscriber.complete();
    });
  }
}

// `new Promise` runs its executor synchronously, so the ticket it arms is handed over in this slot
// rather than captured by a closure: one allocation less per waiting `acquireAsync()`, the hot
// path of async/await code.
let arming: Ticket | null = null;
const arm = (resolve: (permit: Ticket) => void): void => {
  arming!.onGrant = resolve;
  arming = null;
};

/** A waiting `acquireAsync({ signal })`: an abort of its signal withdraws it. */
class SignalTicket extends Ticket implements AbortWaiter {
  constructor(
    gate: PermitGate,
    weight: number,
    private readonly signal: AbortSignal,
    resolve: (permit: Permit) => void,
    private readonly reject: (reason: unknown) => void,
  ) {
    super(gate, weight, resolve);
  }

  override run(): void {
    if (this.state === HELD) unwatchAbort(this.signal, this);
    super.run();
  }

  aborted(reason: unknown): void {
    this.release();
    this.reject(reason);
  }
}

/**
 * What every in-process gate shares: a capacity, the permits held against it, and a strict FIFO
 * of waiters. A waiter at the head that needs more than is free blocks the ones behind it, so a
 * heavy waiter is never starved by a stream of light ones.
 *
 * Grants are accounted for at once and delivered through the trampoline, so counters are exact
 * whenever user code runs and a chain of synchronous hand-offs never deepens the stack. A waiter
 * keeps the async context of its subscriber; a synchronous grant captures nothing.
 *
 * What a grant takes is the subclass's to decide (`claim`, `giveBack`, `blocked`): by default a
 * count of permits given back on release; a rate limiter's is a budget that refills with time and
 * is never given back, with one timer for the head of the line.
 */
export abstract class PermitGate implements Gate {
  /** Permits in use. @internal */
  protected held = 0;
  private readonly waiters = new WaitList<Ticket>();
  private readonly feed = new StateFeed<GateState>(() => this.snapshot());

  /** `paced`: what continues the dispatch after a grant's delivery. */
  private resumer: Runnable | null = null;

  /**
   * @param name - the class, for error messages
   * @param capacity - permits the gate grants at most at once (`Infinity` allowed)
   * @param paced - grant one waiter at a time, the next once the one before was delivered (its
   *   work started): for a gate that counts a grant at the time it was made, so that starts are
   *   never bunched by a long delivery before them
   * @internal
   */
  protected constructor(
    private readonly name: string,
    /** Permits the gate grants at most at once. @internal */
    protected capacity: number,
    private readonly paced = false,
  ) {}

  /**
   * Emits once when `weight` permits are granted; they are held while the subscription lives.
   *
   * A weight the gate can never grant throws `RangeError` at the call: a `Lock` and a
   * `CapacityLimiter` grant 1, a `Semaphore` with `maxValue` at most that. A `Semaphore` without
   * `maxValue` cannot know, since `release(count)` may add permits: a weight above what exists
   * waits, and so does everyone in line behind it, until enough are released; `state$` then shows
   * `waiting > 0` with permits `available`.
   */
  acquire(weight = 1): Observable<void> {
    // 1 is a weight every gate grants: the usual call pays no check.
    if (weight !== 1) this.checkWeight(this.name, weight);
    return new Observable<void>((subscriber) => this.enter(new AcquireTicket(this, weight, subscriber)));
  }

  /**
   * Acquires `weight` permits, then subscribes to `work` and mirrors it; releases when `work`
   * completes, errors or is unsubscribed. `work` that waited starts in the async context of the
   * subscription. An already-started Promise is refused (`TypeError`): pass `() => promise()`.
   */
  run<T>(work: DeferredTask<T>, weight = 1): Observable<T> {
    if (weight !== 1) this.checkWeight(this.name, weight);
    const source = fromTask(work, 'run', 'work', true);
    return new Observable<T>((subscriber) => this.enter(new RunTicket(this, weight, source, subscriber)));
  }

  /** `weight` permits now, or `undefined` when they are not free or others wait before. */
  tryAcquire(weight = 1): Permit | undefined {
    if (weight !== 1) this.checkWeight(this.name, weight);
    if (this.waiters.size > 0 || !this.claim(weight, false)) return undefined;
    return this.hold(new Ticket(this, weight, null));
  }

  /** For async/await code: resolves with `weight` permits, or rejects with `signal.reason` when `signal` aborts first. */
  acquireAsync(options?: AcquireOptions): Promise<Permit> {
    if (options !== undefined) checkObject('acquireAsync', 'options', options);
    const signal = options?.signal;
    const weight = options?.weight ?? 1;
    // Checked before the gate is touched: a ticket queued for a promise that then failed would hold
    // its permit forever.
    if (weight !== 1) this.checkWeight('acquireAsync', weight, 'options.weight');
    if (signal !== undefined) checkSignal('acquireAsync', 'options.signal', signal);
    if (signal === undefined) {
      const ticket = new DirectTicket(this, weight, null);
      if (this.admit(ticket)) return Promise.resolve(ticket);
      // Nothing can release this ticket before its grant (no one else holds it): the grant can
      // resolve the promise at once rather than through the trampoline, and a promise's
      // reactions are deferred to a microtask anyway, so no hand-off chain deepens the stack.
      arming = ticket;
      const granted = new Promise<Permit>(arm);
      this.wait(ticket);
      return granted;
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Permit>((resolve, reject) => {
      const ticket = this.enter(new SignalTicket(this, weight, signal, resolve, reject));
      if (ticket.state === WAITING) watchAbort(signal, ticket);
    });
  }

  /** The current state on subscribe, then every change (never the same state twice in a row). */
  get state$(): Observable<GateState> {
    return this.feed.state$;
  }

  /** Waiters in line. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Permits free now; never negative, even when the capacity was lowered below what is held. @internal */
  protected get available(): number {
    return Math.max(0, this.capacity - this.held);
  }

  /** What `state$` emits. @internal */
  protected snapshot(): GateState {
    const available = this.available;
    return { total: this.held + available, available, waiting: this.waiters.size };
  }

  /**
   * Takes `weight` permits if they can be granted now, the line aside; false leaves the gate as it
   * was. A gate whose capacity refills with time decides here from its clock, for which it matters
   * whether the claim `waited` in line (it was due at some time before now) or arrives now.
   * @internal
   */
  protected claim(weight: number, _waited: boolean): boolean {
    if (weight > this.capacity - this.held) return false;
    this.held += weight;
    return true;
  }

  /** A holder gave `weight` permits back; false when that frees nothing a waiter could use. @internal */
  protected giveBack(weight: number): boolean {
    this.held -= weight;
    return true;
  }

  /**
   * The line changed and its head, which needs `weight`, cannot be granted now; `null`: nobody
   * waits. A gate that refills with time arms its one timer for the head here; the others wait for
   * a release.
   * @internal
   */
  protected blocked(_weight: number | null): void {
    // Nothing to arm: a release is what unblocks a gate without a clock.
  }

  /**
   * Throws unless `weight` is an integer the gate can ever grant, in the name of `where`. Gates
   * other than `Semaphore` grant one permit at a time. @internal
   */
  checkWeight(where: string, weight: number, name = 'weight'): void {
    checkCount(where, name, weight, 1);
    if (weight !== 1) fail(RangeError, where, name, '1 for a gate that is not a Semaphore', weight);
  }

  /** Lets waiters through after the capacity grew. @internal */
  protected grow(): void {
    this.dispatch();
  }

  /** Grants `ticket` now if it fits and nobody waits before it, else puts it in line. */
  private enter<K extends Ticket>(ticket: K): K {
    // A free permit is granted synchronously, on subscribe.
    if (this.admit(ticket)) ticket.run();
    else this.wait(ticket);
    return ticket;
  }

  /** Accounts the grant of `ticket` if it fits and nobody waits before it; its delivery is the caller's. */
  private admit(ticket: Ticket): boolean {
    if (this.waiters.size !== 0 || !this.claim(ticket.weight, false)) return false;
    this.hold(ticket);
    return true;
  }

  /** `ticket` was claimed for outside the line: it holds now. */
  private hold<K extends Ticket>(ticket: K): K {
    ticket.state = HELD;
    this.feed.changed();
    return ticket;
  }

  private wait(ticket: Ticket): void {
    ticket.capture();
    this.waiters.push(ticket);
    // A new head of the line: nothing else would arm a timer for it.
    if (this.waiters.size === 1) this.blocked(ticket.weight);
    this.feed.changed();
  }

  /** Ends a ticket exactly once: withdraws it if waiting, returns its permits if held. @internal */
  retire(ticket: Ticket): void {
    const state = ticket.state;
    if (state === RELEASED) return;
    ticket.state = RELEASED;
    if (state === HELD) {
      if (!this.giveBack(ticket.weight) || this.waiters.size === 0) {
        this.feed.changed();
        return;
      }
    } else {
      this.waiters.remove(ticket);
    }
    // Either way the head may now fit: permits came back, or a heavy head left the line (and a
    // waiter that left may have been the one a timer was armed for).
    this.dispatch();
  }

  private dispatch(): void {
    let granted = false;
    let resumes = false;
    let head = this.waiters.peek();
    for (; head !== null && this.claim(head.weight, true); head = this.waiters.peek()) {
      this.waiters.remove(head);
      head.state = HELD;
      if (head instanceof DirectTicket) {
        head.run();
      } else {
        enqueue(head);
        granted = true;
        if (this.paced) {
          // The rest is claimed from the trampoline, after this one's work has started.
          enqueue((this.resumer ??= { run: () => this.dispatch() }));
          resumes = true;
          break;
        }
      }
    }
    // Before anyone is told: an observer of state$ may re-enter, and then its own dispatch re-arms.
    if (!resumes) this.blocked(head === null ? null : head.weight);
    this.feed.changed();
    if (granted) drain();
  }
}
