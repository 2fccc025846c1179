import { Observable, type ObservableInput, type SchedulerLike, type Subscription } from 'rxjs';
import { Captured } from '../internal/context';
import { dispose } from '../internal/dispose';
import { fromTask } from '../internal/fromTask';
import { reportUnhandled } from '../internal/report';
import { StateFeed } from '../internal/stateFeed';
import type { AcquireOptions, DeferredTask, GateLike, GateState } from '../internal/types';
import { LeaseLostError } from './errors';
import { fleetState, listenerOf, type Grantee, type Listener } from './listener';
import { checkName, checkRedis, settings } from './options';
import { Script } from './script';
import { ACQUIRE, LEAVE, REFRESH, RESIZE, STATE } from './scripts';
import type { RedisGateOptions, RedisLike, RedisPermit } from './types';
import { acquireOnce, acquirePromise, type Sink } from './waiting';

const acquireScript = new Script(ACQUIRE);
const leaveScript = new Script(LEAVE);
const refreshScript = new Script(REFRESH);
const stateScript = new Script(STATE);
const resizeScript = new Script(RESIZE);

/** A script's reply: status, wake, total (-1: Infinity), held, waiting, version, then REFRESH's statuses. */
type Reply = readonly number[];
const STATUS = 0;
const WAKE = 1;
const TOTAL = 2;
const HELD_NOW = 3;
const WAITING_NOW = 4;
const VERSION = 5;
const GRANTED = 2;
const LOST = 0;

const WAITING = 0;
const HELD = 1;
const RELEASED = 2;
/** A `tryAcquireAsync` whose answer has not come yet: not in line, so nothing wakes it. */
const TRYING = 3;

const noSink: Sink<RedisPermit> = { granted: () => undefined, failed: () => undefined };

/** One acquisition: a token in Redis, waiting then holding; the permit it was granted. */
class Ticket implements RedisPermit {
  state: typeof WAITING | typeof HELD | typeof RELEASED | typeof TRYING = WAITING;
  /** Its ACQUIRE was answered: before that, Redis may not know it yet. */
  acked = false;
  /** The grant channel was confirmed when the ACQUIRE was sent, so a grant cannot be missed. */
  heard = false;
  /** Settles with the ACQUIRE: a LEAVE must not overtake it (after a NOSCRIPT, its EVAL is sent late). */
  acquiring: Promise<unknown> | null = null;
  private controller: AbortController | null = null;

  constructor(
    private readonly gate: RedisGate,
    readonly token: string,
    readonly weight: number,
    readonly sink: Sink<RedisPermit>,
    /** Local time until which Redis keeps the token for sure: last confirmed contact sent + leaseMs. */
    public deadline: number,
  ) {}

  get released(): boolean {
    return this.state === RELEASED;
  }

  get signal(): AbortSignal {
    return (this.controller ??= new AbortController()).signal;
  }

  release(): void {
    this.gate.retire(this);
  }

  [dispose](): void {
    this.gate.retire(this);
  }

  /** The lease is lost: whoever watches `signal` stops. */
  lose(error: LeaseLostError): void {
    (this.controller ??= new AbortController()).abort(error);
  }
}

/** Passes the signal of `work` on, and lets the gate abort it first with a `LeaseLostError`. */
function leased<T>(
  work: (signal: AbortSignal) => ObservableInput<T>,
  lease: AbortController,
): (signal: AbortSignal) => ObservableInput<T> & object {
  return (signal) => {
    signal.addEventListener('abort', () => lease.abort(signal.reason), { once: true });
    return work(lease.signal) as ObservableInput<T> & object;
  };
}

let gates = 0;

/**
 * What every Redis gate shares: the same Observable shape as the in-process gates, with the state
 * in Redis (see `scripts.ts`).
 *
 * Per process and gate there is one timer, armed for the earliest of: the next heartbeat (every
 * `refreshMs` while it has tokens, one REFRESH for all of them), the earliest lease expiry or end of
 * quiet that a reply reported (only while it has waiters: a holder that died frees its permits
 * then, and somebody has to run a script at that moment), and the earliest local lease deadline.
 * Grants arrive by pub/sub; a refresh also reports them, so a lost message costs at most
 * `refreshMs`, never a permit.
 *
 * Local lease deadline: Redis keeps a token at least `leaseMs` after any script that confirmed it
 * ran, which is after that script was sent; so "sent + leaseMs" of the last confirmed contact is a
 * moment before which the token is surely still ours, on the local clock, whatever the skew. Past
 * it with no newer confirmation (a pause, a partition, a Redis restart), the permit may be someone
 * else's: the work is aborted with a `LeaseLostError`.
 */
export abstract class RedisGate implements GateLike {
  private readonly redis: RedisLike;
  /** The five keys, then the ARGV common to every script: base, total, lease, grant channel prefix. */
  private readonly args: readonly (string | number)[];
  private readonly prefix: string;
  private readonly leaseMs: number;
  private readonly refreshMs: number;
  private readonly scheduler: SchedulerLike;
  private readonly listener: Listener;
  /** This gate's part of its tokens and its key in the listener's routes. */
  private readonly route: string;
  private counter = 0;
  private readonly tickets = new Map<string, Ticket>();
  private waiters = 0;
  /**
   * No later than the earliest deadline of a ticket: exact after a refresh or a tick, possibly
   * early after a ticket left (the timer then finds nothing to do and looks again).
   */
  private earliest = Infinity;

  private timer: Subscription | null = null;
  private timerAt = Infinity;
  private refreshAt = Infinity;
  private wakeAt = Infinity;
  private refreshing = false;
  private refreshAgain = false;
  private catchingUp = false;
  private lastError: unknown;

  private version = 0;
  private state: GateState;
  /** The total as Redis last reported it (a capacity limiter's may have been resized). */
  protected total: number;
  private readonly feed = new StateFeed<GateState>(() => this.state);
  private readonly states: Observable<GateState>;
  private readonly grantee: Grantee = {
    granted: (token) => {
      const ticket = this.tickets.get(token);
      if (ticket !== undefined) this.grant(ticket);
    },
    reconnected: () => {
      if (this.waiters > 0) this.refresh();
    },
  };

  /**
   * @param where - the class, for error messages
   * @param capacity - the permits (or default total) every process of the gate should agree on
   * @param stored - the total may have been stored in Redis (a capacity limiter's resize)
   */
  protected constructor(
    private readonly where: string,
    redis: unknown,
    private readonly name: string,
    capacity: number,
    options: RedisGateOptions | undefined,
    stored = false,
  ) {
    this.redis = checkRedis(where, redis);
    checkName(where, 'name', name);
    const { prefix, leaseMs, refreshMs, scheduler } = settings(where, options);
    this.prefix = prefix;
    this.leaseMs = leaseMs;
    this.refreshMs = refreshMs;
    this.scheduler = scheduler;
    const base = `${prefix}:${name}`;
    this.args = [
      `${base}:x`,
      `${base}:q`,
      `${base}:w`,
      `${base}:m`,
      `${base}:t`,
      base,
      `${stored ? '*' : ''}${capacity === Infinity ? 'inf' : capacity}`,
      leaseMs,
      `${prefix}:g:`,
    ];
    this.listener = listenerOf(this.redis);
    this.states = fleetState(
      this.listener,
      `${base}:s`,
      this.feed,
      (text) => {
        const [version, total, held, waiting] = text.split(',').map(Number);
        this.show(version!, total!, held!, waiting!);
      },
      () => this.fetchState(),
    );
    this.route = `${this.listener.id}/${++gates}`;
    this.total = capacity;
    this.state = { total: capacity, available: capacity, waiting: 0 };
  }

  /**
   * Emits once when `weight` permits are granted; they are held while the subscription lives.
   * Errors with a `LeaseLostError` if the lease is lost meanwhile, and with Redis's error if a
   * script fails.
   */
  acquire(weight = 1): Observable<void> {
    this.checkWeight(this.where, weight);
    return acquireOnce(this, weight);
  }

  /**
   * Acquires `weight` permits, then subscribes to `work` and mirrors it; releases when `work`
   * completes, errors or is unsubscribed. A factory's signal aborts with a `LeaseLostError` if the
   * lease is lost, and the output errors with it. `work` starts in the async context of the
   * subscription. An already-started Promise is refused (`TypeError`).
   */
  run<T>(work: DeferredTask<T>, weight = 1): Observable<T> {
    this.checkWeight(this.where, weight);
    const source = typeof work === 'function' ? null : fromTask(work, 'run', 'work', true);
    return new Observable<T>((subscriber) => {
      const captured = new Captured();
      captured.hold();
      let lease: AbortController | null = null;
      let inner: Subscription | null = null;
      const ticket = this.enter(weight, {
        granted: () =>
          captured.run(() => {
            let task = source;
            if (task === null) {
              lease = new AbortController();
              task = fromTask(leased(work as (signal: AbortSignal) => ObservableInput<T>, lease), 'run', 'work');
            }
            const started = task;
            new Observable<T>((worker) => {
              // Owned by our subscriber before the work can emit: a downstream that unsubscribes
              // during a synchronous emission stops the work there and then.
              inner = worker;
              subscriber.add(worker);
              return started.subscribe(worker);
            }).subscribe({
              next: (value) => subscriber.next(value),
              error: (error: unknown) => {
                this.retire(ticket);
                subscriber.error(error);
              },
              complete: () => {
                this.retire(ticket);
                subscriber.complete();
              },
            });
          }),
        failed: (error) => {
          // The work learns why first, then it is unsubscribed by the error.
          lease?.abort(error);
          subscriber.error(error);
        },
      });
      return () => {
        inner?.unsubscribe();
        this.retire(ticket);
      };
    });
  }

  /**
   * For async/await code: resolves with a permit once granted, or rejects with `signal.reason`
   * when `signal` aborts first (the waiter leaves the line). The permit's own `signal` aborts with
   * a `LeaseLostError` if its lease is lost before `release()`.
   */
  acquireAsync(options?: AcquireOptions): Promise<RedisPermit> {
    return acquirePromise(this, options);
  }

  /**
   * One round trip: a permit if `weight` permits are free and nobody waits, else `undefined`
   * (nothing is left in Redis). Rejects with Redis's error if the script fails.
   */
  tryAcquireAsync(weight = 1): Promise<RedisPermit | undefined> {
    this.checkWeight('tryAcquireAsync', weight);
    const ticket = this.add(weight, noSink);
    ticket.state = TRYING;
    this.arm();
    return this.send(ticket, 'try').then(() => (ticket.state === HELD ? ticket : undefined));
  }

  /**
   * The gate across every process: the current state on subscribe (as this process last heard
   * it, then as Redis reports it), then every change made by any process.
   */
  get state$(): Observable<GateState> {
    return this.states;
  }

  /** Throws unless `weight` is an integer the gate can ever grant. @internal */
  abstract checkWeight(where: string, weight: number, name?: string): void;

  /** Stores a new total in Redis and grants whoever it lets in; a failure is reported, not thrown. */
  protected resize(total: number): void {
    this.total = total;
    this.call(resizeScript, [total === Infinity ? 'inf' : total]).then(
      (reply) => this.update(reply as Reply),
      (error: unknown) => reportUnhandled(error),
    );
  }

  /** Ends a ticket exactly once: leaves the line or gives the permits back, in Redis too. @internal */
  retire(ticket: Ticket): void {
    if (ticket.state !== RELEASED) this.drop(ticket, true);
  }

  private call(script: Script, args: readonly (string | number)[]): Promise<unknown> {
    return script.run(this.redis, 5, args.length === 0 ? this.args : [...this.args, ...args]);
  }

  private now(): number {
    return this.scheduler.now();
  }

  private add(weight: number, sink: Sink<RedisPermit>): Ticket {
    const now = this.now();
    if (this.tickets.size === 0) {
      this.refreshAt = now + this.refreshMs;
      this.listener.route(this.prefix, this.route, this.grantee);
    }
    const ticket = new Ticket(this, `${this.route}.${++this.counter}`, weight, sink, now + this.leaseMs);
    ticket.heard = this.listener.hears(this.prefix);
    this.tickets.set(ticket.token, ticket);
    this.earliest = Math.min(this.earliest, ticket.deadline);
    return ticket;
  }

  /** Puts a waiter in line (in Redis once its ACQUIRE runs). @internal */
  enter(weight: number, sink: Sink<RedisPermit>): Ticket {
    const ticket = this.add(weight, sink);
    this.waiters++;
    void this.send(ticket, 'wait');
    this.arm();
    return ticket;
  }

  private send(ticket: Ticket, mode: 'wait' | 'try'): Promise<unknown> {
    return (ticket.acquiring = this.call(acquireScript, [ticket.token, ticket.weight, mode]).then(
      (reply) => this.acquired(ticket, reply as Reply),
      (error: unknown) => {
        ticket.acked = true;
        if (ticket.state === RELEASED) return;
        // It may have run before the connection failed: leave, in case.
        const trying = ticket.state === TRYING;
        this.drop(ticket, true);
        if (trying) throw error;
        ticket.sink.failed(error);
      },
    ));
  }

  private acquired(ticket: Ticket, reply: Reply): void {
    ticket.acked = true;
    this.update(reply);
    const status = reply[STATUS];
    if (ticket.state === TRYING) {
      // Not taken: nothing of it is in Redis.
      if (status === GRANTED) ticket.state = HELD;
      else this.drop(ticket, false);
    } else if (status === GRANTED) {
      this.grant(ticket);
    } else if (ticket.state === WAITING && !ticket.heard) {
      this.catchUp();
    }
    this.arm();
  }

  /**
   * A waiter joined the line before this process's grant channel was confirmed: once it is, a
   * refresh finds any grant published before.
   */
  private catchUp(): void {
    if (this.catchingUp) return;
    this.catchingUp = true;
    void this.listener.hear(this.prefix).then(() => {
      this.catchingUp = false;
      if (this.waiters > 0) this.refresh();
    });
  }

  private grant(ticket: Ticket): void {
    if (ticket.state !== WAITING) return;
    if (this.now() >= ticket.deadline) {
      this.lose(ticket, 'granted after its lease may have ended');
      return;
    }
    ticket.state = HELD;
    this.waiters--;
    ticket.sink.granted(ticket);
  }

  /** Forgets `ticket`; tells Redis when `leave` (after its ACQUIRE, never before). */
  private drop(ticket: Ticket, leave: boolean): void {
    if (ticket.state === WAITING) this.waiters--;
    ticket.state = RELEASED;
    this.tickets.delete(ticket.token);
    if (leave) {
      const send = (): void => {
        // A LEAVE that fails changes nothing for the caller: the token's lease ends anyway.
        this.call(leaveScript, [ticket.token]).then(
          (reply) => this.update(reply as Reply),
          () => undefined,
        );
      };
      if (ticket.acked) send();
      else void ticket.acquiring?.then(send, send);
    }
    if (this.tickets.size === 0) {
      this.listener.unroute(this.prefix, this.route);
      this.refreshAt = this.wakeAt = this.earliest = Infinity;
    }
    this.arm();
  }

  private lose(ticket: Ticket, why: string): void {
    const what = ticket.state === HELD ? 'the lease of a held permit' : 'the place in line';
    const error = new LeaseLostError(
      `${this.where} "${this.name}": ${what} was lost (${why})`,
      this.lastError === undefined ? undefined : { cause: this.lastError },
    );
    this.drop(ticket, true);
    ticket.lose(error);
    ticket.sink.failed(error);
  }

  /**
   * Arms the one timer for the earliest thing to do, unless an earlier one is armed. A gate that
   * falls idle leaves its timer armed (it fires once more and stops): a permit taken and given back
   * within `refreshMs` then costs no timer of its own. The client's `'end'` stops it at once, so it
   * never keeps a process alive that closed its connection.
   */
  private arm(): void {
    if (this.tickets.size === 0) return;
    let at = Math.min(this.refreshAt, this.earliest);
    if (this.waiters > 0) at = Math.min(at, this.wakeAt);
    if (this.timer !== null && this.timerAt <= at) return;
    this.timer?.unsubscribe();
    this.timerAt = at;
    this.timer = this.scheduler.schedule(() => this.tick(), Math.max(0, at - this.now()));
    this.listener.ending.add(this.ender);
  }

  private readonly ender = {
    ended: (): void => {
      if (this.tickets.size > 0) return;
      this.timer?.unsubscribe();
      this.stopped();
    },
  };

  private stopped(): void {
    this.timer = null;
    this.timerAt = Infinity;
    this.listener.ending.delete(this.ender);
  }

  private tick(): void {
    this.stopped();
    const now = this.now();
    if (now >= this.earliest) {
      this.earliest = Infinity;
      for (const ticket of this.tickets.values()) {
        if (ticket.deadline <= now) this.lose(ticket, `no refresh reached Redis within ${this.leaseMs} ms`);
        else this.earliest = Math.min(this.earliest, ticket.deadline);
      }
    }
    if (this.tickets.size > 0 && (now >= this.refreshAt || (this.waiters > 0 && now >= this.wakeAt))) this.refresh();
    this.arm();
  }

  /** The heartbeat: one REFRESH for every token of this gate in this process. */
  private refresh(): void {
    if (this.refreshing) {
      this.refreshAgain = true;
      return;
    }
    const sentAt = this.now();
    this.refreshing = true;
    this.refreshAt = sentAt + this.refreshMs;
    const sent = [...this.tickets.values()];
    const tokens = sent.map((ticket) => ticket.token);
    this.call(refreshScript, tokens).then(
      (reply) => {
        this.lastError = undefined;
        this.update(reply as Reply);
        const statuses = (reply as Reply).slice(VERSION + 1);
        sent.forEach((ticket, i) => {
          // Not answered yet: its ACQUIRE may run after this REFRESH (sent by EVAL after a NOSCRIPT).
          if (ticket.state === RELEASED || !ticket.acked) return;
          if (statuses[i] === LOST) {
            this.lose(ticket, 'Redis no longer had it');
            return;
          }
          ticket.deadline = sentAt + this.leaseMs;
          if (statuses[i] === GRANTED) this.grant(ticket);
        });
        this.earliest = Infinity;
        for (const ticket of this.tickets.values()) this.earliest = Math.min(this.earliest, ticket.deadline);
        this.refreshed();
      },
      (error: unknown) => {
        // Not fatal: the next heartbeat tries again, and the local deadline bounds the wait.
        this.lastError = error;
        this.refreshed();
      },
    );
  }

  private refreshed(): void {
    this.refreshing = false;
    if (this.refreshAgain) {
      this.refreshAgain = false;
      if (this.tickets.size > 0) this.refresh();
    }
    this.arm();
  }

  private fetchState(): void {
    // A failure leaves the last state shown; the next change published corrects it.
    this.call(stateScript, []).then(
      (reply) => this.update(reply as Reply),
      () => undefined,
    );
  }

  private update(reply: Reply): void {
    const wake = reply[WAKE]!;
    this.wakeAt = wake < 0 || this.tickets.size === 0 ? Infinity : this.now() + wake + 1;
    this.show(reply[VERSION]!, reply[TOTAL]!, reply[HELD_NOW]!, reply[WAITING_NOW]!);
  }

  /** Shows the state of `version` unless a newer one was shown. */
  private show(version: number, total: number, held: number, waiting: number): void {
    if (version < this.version) return;
    this.version = version;
    this.total = total < 0 ? Infinity : total;
    const available = Math.max(0, this.total - held);
    this.state = { total: held + available, available, waiting };
    this.feed.changed();
  }
}
