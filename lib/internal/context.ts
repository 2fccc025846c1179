/**
 * The context a subscription hands on to work started later on its behalf: after a grant, a retry
 * delay, a queued start. Two parts:
 *
 * - The package's own **scope**: the effective deadline and the owner that waits for shielded work.
 *   JavaScript has no task-local storage that survives a later subscription, so the scope is a
 *   module-level value set only for the synchronous extent of a subscription.
 * - Node's **async context** (`AsyncLocalStorage`): request ids, tracing spans, auth. Work that waited
 *   would otherwise start in the call stack of whoever released, and see that caller's stores.
 *
 * `Captured` holds both and re-enters them. Capturing the scope is a pointer copy; the async context
 * is captured only for work that really waits (`captureAsync`), so a synchronous grant pays nothing.
 * @internal
 */

/** What the package's operators inherit from the subscription that started them. */
export interface Scope {
  /** The nearest enclosing deadline, on the clock of the scheduler that set it; `Infinity` when none. */
  readonly deadline: number;
  /** The task group whose child this is, which must outlive the shielded work started in it. */
  readonly owner: Owner | null;
}

/** A task group, as `shield` sees it: it adopts shielded work that its cancellation cannot stop. */
export interface Owner {
  /**
   * `shield` keeps work running after its subscriber left: the owner waits for it. Returns what to
   * call when that work ends, which answers false when the owner has nobody left to tell (it was
   * unsubscribed meanwhile), so that `shield` reports a failure itself; null when it has nobody now.
   */
  adopt(): ((failed: boolean, error: unknown) => boolean) | null;
}

const ROOT: Scope = { deadline: Infinity, owner: null };
let current: Scope = ROOT;

/** The scope of the subscription running now. */
export function currentScope(): Scope {
  return current;
}

/** Runs `fn` in `scope`, restoring the previous one afterwards. */
export function inScope<T>(scope: Scope, fn: () => T): T {
  if (scope === current) return fn();
  const previous = current;
  current = scope;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** The nearest enclosing deadline; `Infinity` when none. */
export function getDeadline(): number {
  return current.deadline;
}

/** Runs `fn` with `deadline` as the effective deadline (the owner stays), restoring the previous scope afterwards. */
export function withDeadline<T>(deadline: number, fn: () => T): T {
  return deadline === current.deadline ? fn() : inScope({ deadline, owner: current.owner }, fn);
}

/** The current scope with `owner` as the owner of shielded work (the deadline stays). */
export function ownedBy(owner: Owner | null): Scope {
  return { deadline: current.deadline, owner };
}

/** A captured async context: runs a function in it. Node's `AsyncResource` is one. */
export interface AsyncSnapshot {
  runInAsyncScope<R, A extends unknown[]>(fn: (...args: A) => R, thisArg: unknown, ...args: A): R;
}

type AsyncResourceClass = new (type: string) => AsyncSnapshot;

// Resolved on first use, not at import: the package has no side effects at load. Node ≥ 20.16 has
// `process.getBuiltinModule`, which needs no `require` a bundler would try to follow. Browsers have
// no async context to keep; on Node 20.0–20.15 it is not kept (the README says so). An `AsyncResource` carries every
// `AsyncLocalStorage`'s store; it costs about 0.1 µs to make and to enter, where
// `AsyncLocalStorage.snapshot()` (a bound function) costs some 20 µs on Node 20.
let resourceClass: AsyncResourceClass | null | undefined;

function asyncResource(): AsyncResourceClass | null {
  if (resourceClass === undefined) {
    const processLike = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const hooks = processLike?.getBuiltinModule?.('node:async_hooks') as { AsyncResource?: AsyncResourceClass } | undefined;
    resourceClass = typeof hooks?.AsyncResource === 'function' ? hooks.AsyncResource : null;
  }
  return resourceClass;
}

/** The async context of the caller, for work that will start later; `null` where there is none to keep. */
export function captureAsync(): AsyncSnapshot | null {
  const Resource = asyncResource();
  return Resource === null ? null : new Resource('rxjs-concurrency');
}

/**
 * Calls `fn(a, b)` in a captured context: the async context `snapshot` (when one was kept), then
 * `scope`. The arguments are passed, not closed over: this runs once per grant and per delivery.
 */
export function resume<A>(scope: Scope, snapshot: AsyncSnapshot | null, fn: (a: A) => void, a: A): void;
export function resume<A, B>(scope: Scope, snapshot: AsyncSnapshot | null, fn: (a: A, b: B) => void, a: A, b: B): void;
export function resume(scope: Scope, snapshot: AsyncSnapshot | null, fn: (a: unknown, b: unknown) => void, a: unknown, b?: unknown): void {
  if (snapshot === null) enter(scope, fn, a, b);
  else snapshot.runInAsyncScope(enter, null, scope, fn, a, b);
}

function enter(scope: Scope, fn: (a: unknown, b: unknown) => void, a: unknown, b: unknown): void {
  if (scope === current) {
    fn(a, b);
    return;
  }
  const previous = current;
  current = scope;
  try {
    fn(a, b);
  } finally {
    current = previous;
  }
}

/**
 * The context of one subscription, for work it starts later: its scope at once, its async context
 * once `hold()` says the work must wait. (A gate's ticket keeps the same two fields itself, to save
 * an object per waiter.)
 */
export class Captured {
  constructor(readonly scope: Scope = current) {}

  /** The async context, once kept. */
  snapshot: AsyncSnapshot | null = null;

  /** True when running now would change nothing: same scope, no async context kept. */
  isCurrent(): boolean {
    return this.scope === current && this.snapshot === null;
  }

  /** The work waits: keep the caller's async context too. */
  hold(): void {
    this.snapshot ??= captureAsync();
  }

  /** Calls `fn()` in the captured context. */
  run(fn: () => void): void {
    resume(this.scope, this.snapshot, fn, undefined);
  }
}
