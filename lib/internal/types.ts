import type { Observable, ObservableInput } from 'rxjs';

/**
 * Work that an API of this package starts. Either an `ObservableInput` (an Observable, a Promise, an
 * array, an iterable...) or a factory that receives an `AbortSignal` and returns one. A factory is
 * called at subscription time, once per subscription, and its signal aborts when that task is
 * cancelled, so `(signal) => fetch(url, { signal })` stops when its owner unsubscribes. It also
 * aborts when the task errors: whatever the task left running (the fetch behind a `failAfter` that
 * fired inside the factory) is orphaned by then, and should stop too. It never aborts after the
 * task completed.
 *
 * A task's result is its last value, `undefined` when it completes without one.
 *
 * A string is not a task: RxJS would take it as an iterable of characters. A bare `Promise` has
 * already started and cannot be stopped: cancelling it only ignores its outcome, and where a limit
 * applies it is refused (see {@link DeferredTask}). Pass a factory when the work should really
 * wait or stop: `() => fetch(url)`.
 */
export type Task<T> = (ObservableInput<T> & object) | ((signal: AbortSignal) => ObservableInput<T> & object);

/**
 * A task that has not started yet: a {@link Task} other than a `PromiseLike`. Where a limit applies
 * (`Gate.run`, `asCompleted({ limit })`), the work must begin only once it is let in; `retrying`
 * must run it again for each attempt; and a Promise is work that began when it was made, once.
 * `gate.run(fetch(url))` is refused; `gate.run(() => fetch(url))` is the same call, made when the
 * permit is granted (and by `retrying`, made again per attempt).
 */
export type DeferredTask<T> =
  (Exclude<ObservableInput<T>, PromiseLike<T>> & object) | ((signal: AbortSignal) => ObservableInput<T> & object);

/**
 * `Symbol.dispose`'s type where the compiling program's lib declares it (`esnext.disposable`,
 * TypeScript's `es2025`, or `@types/node`), else `never`: the published types then compile under a
 * plain `lib: ["ES2022", "DOM"]` too, and `using` works wherever the lib knows it.
 */
type DisposeKey = SymbolConstructor extends { readonly dispose: infer K extends symbol } ? K : never;

/** `[Symbol.dispose]()` where the lib has it; nothing where it does not. */
export type Disposing = Record<DisposeKey, () => void>;

/**
 * A held share of a gate. `release()` gives it back; it is idempotent, so a permit can never be
 * returned twice and inflate the gate. `using permit = gate.tryAcquire()` releases it at block end
 * (TypeScript with `lib: esnext.disposable` or `@types/node`; the runtime needs `Symbol.dispose`, or
 * TypeScript's fallback `Symbol.for('Symbol.dispose')`, which the permit also answers to).
 */
export type Permit = Disposing & {
  /** Gives the permit back to its gate; a second call does nothing. */
  release(): void;
  /** True once `release()` (or `[Symbol.dispose]()`) was called. */
  readonly released: boolean;
};

/** A snapshot of a gate. `total` is `held + available`. */
export interface GateState {
  /** Permits held plus permits available. */
  readonly total: number;
  /** Permits free now. */
  readonly available: number;
  /** Waiters in line. */
  readonly waiting: number;
}

/** Options of `acquireAsync`. */
export interface AcquireOptions {
  /** Aborting it while the call waits withdraws it: the promise rejects with `signal.reason`. */
  signal?: AbortSignal | undefined;
  /** Permits to take at once (weighted gates; the others accept 1). Default 1. */
  weight?: number | undefined;
}

/**
 * What `withPermit` and the `limiter` option of `boundedMap`, `boundedMapFrom` and
 * `boundedMapIterable` need of a gate: the in-process gates (`Lock`, `Semaphore`,
 * `CapacityLimiter`, `RateLimiter`) and the Redis gates of `rxjs-concurrency/redis` all have it.
 * Only the in-process ones also have a synchronous `tryAcquire()` (see {@link Gate}).
 */
export interface GateLike {
  /** Emits once when `weight` permits are granted; they are held while the subscription lives. */
  acquire(weight?: number): Observable<void>;
  /** Acquires, then subscribes to `work` and mirrors it; releases when `work` completes, errors or is unsubscribed. */
  run<T>(work: DeferredTask<T>, weight?: number): Observable<T>;
  /** For async/await code: resolves with a permit, or rejects with `signal.reason` when `signal` aborts first. */
  acquireAsync(options?: AcquireOptions): Promise<Permit>;
  /** The current state on subscribe, then every change (never the same state twice in a row). */
  readonly state$: Observable<GateState>;
}

/** An in-process gate: `Lock`, `Semaphore`, `CapacityLimiter`, `RateLimiter`. */
export interface Gate extends GateLike {
  /** A permit now, or `undefined` when it would have to wait. */
  tryAcquire(weight?: number): Permit | undefined;
}

/** Options of `boundedMap`, `boundedMapFrom` and `boundedMapIterable`. */
export interface BoundedMapOptions {
  /** Emit results in input order (default `true`); `false`: as they come. */
  ordered?: boolean | undefined;
  /**
   * Ordered: how many tasks may be started and not yet emitted, an integer `>= limit` or `Infinity`
   * (default `limit`). The values a finished task holds while an earlier one still runs count here,
   * not against `limit`: a wider window keeps `limit` tasks running past one slow task, at the cost
   * of holding up to `window` tasks' values. Memory is O(window). With `ordered: false` it is
   * checked but has nothing to bound: no value ever waits for order.
   */
  window?: number | undefined;
  /** A gate each task also holds while it runs, shared with whatever else uses it. */
  limiter?: GateLike | undefined;
  /**
   * A task that fails gives its error as a value, in its place (in order when `ordered`), after
   * any values it emitted, and nothing is cancelled; default `false` (fail fast). As with
   * `gather`'s option, the error object itself takes the place of a result: tell them apart with
   * `instanceof`. A `project` that throws, a failing source or input, is still the output's error.
   */
  returnErrors?: boolean | undefined;
}
