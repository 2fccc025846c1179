import { Observable, Subject, type Subscriber, type Subscription } from 'rxjs';
import { fromTask, type Task } from './task';
import { getDeadline, withDeadline } from './internal/deadline';
import { checkObject, checkSignal } from './internal/validate';
import { stateStream } from './internal/stateStream';
import { WaitList, WaitNode } from './internal/waitList';
import { batch, drain, enqueue, type Runnable } from './internal/trampoline';

/**
 * A held share of a gate. `release()` gives it back; it is idempotent, so a permit can never be
 * returned twice and inflate the gate. `using permit = gate.tryAcquire()` releases it at block end.
 */
export interface Permit extends Disposable {
  /** Gives the permit back to its gate; a second call does nothing. */
  release(): void;
  /** True once `release()` (or `[Symbol.dispose]()`) was called. */
  readonly released: boolean;
}

/** A snapshot of a gate. `total` is `held + available`. */
export interface GateState {
  /** Permits held plus permits available. */
  readonly total: number;
  /** Permits free now. */
  readonly available: number;
  /** Waiters in line. */
  readonly waiting: number;
}

/** What `Lock`, `Semaphore` and `CapacityLimiter` have in common. */
export interface Gate {
  /** Emits once when granted; the permit is held while the subscription lives. */
  acquire(): Observable<void>;
  /** Acquires, then subscribes to `work` and mirrors it; releases when `work` completes, errors or is unsubscribed. */
  run<T>(work: Task<T>): Observable<T>;
  /** A permit now, or `undefined` when it would have to wait. */
  tryAcquire(): Permit | undefined;
  /** For async/await code: resolves with a permit, or rejects with `signal.reason` when `signal` aborts first. */
  acquireAsync(options?: { signal?: AbortSignal | undefined }): Promise<Permit>;
  /** The current state on subscribe, then every change (never the same state twice in a row). */
  readonly state$: Observable<GateState>;
}

// Node 20.0–20.3 and some browsers lack Symbol.dispose; TypeScript's `using` falls back to this key.
const dispose: typeof Symbol.dispose = (Symbol.dispose ?? Symbol.for('Symbol.dispose')) as typeof Symbol.dispose;

const WAITING = 0;
const HELD = 1;
const RELEASED = 2;

/** One acquisition: first a waiter in the gate's list, then the permit it was granted. */
class Ticket extends WaitNode implements Permit, Runnable {
  state: typeof WAITING | typeof HELD | typeof RELEASED = WAITING;
  /** Its grant is delivered by the gate itself, not through the trampoline (see `acquireAsync`). */
  direct = false;

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
    this.gate.settle(this);
  }

  [dispose](): void {
    this.gate.settle(this);
  }

  /** Delivers the grant, unless the ticket was released between the grant and now. */
  run(): void {
    const onGrant = this.onGrant;
    this.onGrant = null;
    if (this.state === HELD && onGrant !== null) onGrant(this);
  }
}

/**
 * A `run()` subscription: the ticket itself carries what the grant needs, so a waiting `run()`
 * costs one object besides its Observable and subscriber, and is its own teardown.
 */
class RunTicket<T> extends Ticket {
  /** The work may start long after this subscription; it still runs under the deadline of it. */
  private readonly deadline = getDeadline();
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
    if (getDeadline() === this.deadline) this.start();
    else withDeadline(this.deadline, () => this.start());
  }

  private start(): void {
    const { source, subscriber } = this;
    new Observable<T>((worker) => {
      // Known, and owned by our subscriber, before the work can emit: a downstream that
      // unsubscribes during a synchronous emission stops the work (and aborts its signal)
      // there and then, even before this subscribe function has returned its teardown.
      this.inner = worker;
      subscriber.add(worker);
      return source.subscribe(worker);
    }).subscribe({
      next: (value) => subscriber.next(value),
      // Release before forwarding, inside one batch: the next waiter is granted first, but its
      // work only starts once this subscriber has seen the end of ours.
      error: (error: unknown) => batch(() => { this.release(); subscriber.error(error); }),
      complete: () => batch(() => { this.release(); subscriber.complete(); }),
    });
  }

  /** The teardown of the `run()` subscription: stops the work, then gives the permit back. */
  unsubscribe(): void {
    this.inner?.unsubscribe();
    this.release();
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

/**
 * The waiting `acquireAsync()` calls that share one AbortSignal: one listener on the signal however
 * many wait, removed when the last of them is granted. A listener each would cost O(n) per call
 * (Node's EventTarget scans its listeners on every add) and warn past ten.
 */
class AbortWatch {
  private readonly waiters = new Map<Ticket, (reason: unknown) => void>();

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this, { once: true });
  }

  add(ticket: Ticket, reject: (reason: unknown) => void): void {
    this.waiters.set(ticket, reject);
  }

  /** `ticket` was granted: it no longer listens. */
  delete(ticket: Ticket): void {
    if (this.waiters.delete(ticket) && this.waiters.size === 0) {
      this.signal.removeEventListener('abort', this);
      watches.delete(this.signal);
    }
  }

  handleEvent(): void {
    watches.delete(this.signal);
    // Every aborted waiter leaves before a permit it frees is handed on.
    batch(() => {
      for (const [ticket, reject] of this.waiters) {
        ticket.release();
        reject(this.signal.reason);
      }
    });
  }
}

const watches = new WeakMap<AbortSignal, AbortWatch>();

/**
 * The mechanics every gate shares: a capacity, the permits held against it, and a strict FIFO of
 * waiters. A waiter at the head that needs more than is free blocks the ones behind it, so a heavy
 * waiter is never starved by a stream of light ones.
 *
 * Grants are accounted for at once and delivered through the trampoline, so counters are exact
 * whenever user code runs and a chain of synchronous hand-offs never deepens the stack.
 */
export abstract class PermitGate implements Gate {
  /** Permits in use. */
  protected held = 0;
  private readonly waiters = new WaitList<Ticket>();
  private subject: Subject<void> | null = null;

  /** @param capacity - permits the gate grants at most at once (`Infinity` allowed) */
  protected constructor(protected capacity: number) {}

  acquire(): Observable<void> {
    return this.acquireWeighted(1);
  }

  run<T>(work: Task<T>): Observable<T> {
    return this.runWeighted(work, 1);
  }

  tryAcquire(): Permit | undefined {
    return this.tryWeighted(1);
  }

  acquireAsync(options?: { signal?: AbortSignal | undefined }): Promise<Permit> {
    if (options !== undefined) checkObject('acquireAsync', 'options', options);
    const signal = options?.signal;
    // Checked before the gate is touched: a ticket queued for a promise that then failed would hold
    // its permit forever.
    if (signal !== undefined) checkSignal('acquireAsync', 'options.signal', signal);
    if (signal === undefined) {
      const ticket = new Ticket(this, 1, null);
      if (this.admit(ticket)) return Promise.resolve(ticket);
      // Nothing can release this ticket before its grant (no one else holds it): the grant can
      // resolve the promise at once rather than through the trampoline, and a promise's
      // reactions are deferred to a microtask anyway, so no hand-off chain deepens the stack.
      ticket.direct = true;
      arming = ticket;
      const granted = new Promise<Permit>(arm);
      this.wait(ticket);
      return granted;
    }
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<Permit>((resolve, reject) => {
      const ticket = this.take(1, (granted) => {
        watches.get(signal)?.delete(granted);
        resolve(granted);
      });
      if (ticket.state === WAITING) {
        let watch = watches.get(signal);
        if (watch === undefined) watches.set(signal, (watch = new AbortWatch(signal)));
        watch.add(ticket, reject);
      }
    });
  }

  get state$(): Observable<GateState> {
    return stateStream((this.subject ??= new Subject<void>()), () => this.snapshot());
  }


  /** Waiters in line. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Permits free now; never negative, even when the capacity was lowered below what is held. */
  protected get available(): number {
    return Math.max(0, this.capacity - this.held);
  }

  protected acquireWeighted(weight: number): Observable<void> {
    return new Observable<void>((subscriber) => {
      const ticket = this.take(weight, () => subscriber.next());
      return () => ticket.release();
    });
  }

  protected runWeighted<T>(work: Task<T>, weight: number): Observable<T> {
    const source = fromTask(work, 'run', 'work');
    return new Observable<T>((subscriber) => this.enter(new RunTicket(this, weight, source, subscriber)));
  }

  protected tryWeighted(weight: number): Permit | undefined {
    if (this.waiters.size > 0 || weight > this.capacity - this.held) return undefined;
    return this.take(weight, null);
  }

  /** Lets waiters through after the capacity grew. */
  protected grow(): void {
    this.dispatch();
  }

  private take(weight: number, onGrant: ((ticket: Ticket) => void) | null): Ticket {
    return this.enter(new Ticket(this, weight, onGrant));
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
    if (this.waiters.size !== 0 || ticket.weight > this.capacity - this.held) return false;
    this.held += ticket.weight;
    ticket.state = HELD;
    this.changed();
    return true;
  }

  private wait(ticket: Ticket): void {
    this.waiters.push(ticket);
    this.changed();
  }

  /** Ends a ticket exactly once: withdraws it if waiting, returns its permits if held. @internal */
  settle(ticket: Ticket): void {
    const state = ticket.state;
    if (state === RELEASED) return;
    ticket.state = RELEASED;
    if (state === HELD) this.held -= ticket.weight;
    else this.waiters.remove(ticket);
    // Either way the head may now fit: permits came back, or a heavy head left the line.
    if (this.waiters.size === 0) this.changed();
    else this.dispatch();
  }

  private dispatch(): void {
    let granted = false;
    for (let head = this.waiters.peek(); head !== null && head.weight <= this.capacity - this.held; head = this.waiters.peek()) {
      this.waiters.remove(head);
      this.held += head.weight;
      head.state = HELD;
      if (head.direct) {
        head.run();
      } else {
        enqueue(head);
        granted = true;
      }
    }
    this.changed();
    if (granted) drain();
  }

  private snapshot(): GateState {
    const available = this.available;
    return { total: this.held + available, available, waiting: this.waiters.size };
  }

  private changed(): void {
    if (this.subject?.observed) this.subject.next();
  }
}
