import { EmptyError, Observable, Subscription, UnsubscriptionError, from, type ObservableInput, type Subscriber } from 'rxjs';
import { TaskGroupError } from './errors';
import { isCancelled } from './isCancelled';
import { inScope, ownedBy, type Owner } from './internal/context';
import { cancellation, fromTask } from './internal/fromTask';
import { InnerSubscriber } from './internal/innerSubscriber';
import { RunningSet, RunningTask } from './internal/runningSet';
import { batch } from './internal/trampoline';
import type { Task } from './internal/types';
import { checkFunction } from './internal/validate';

/** The handle a `taskGroup` body receives to start children in the group. */
export interface TaskGroup {
  /** Starts `task` now as a child of the group; its values are ignored. Throws once the group has ended. */
  startSoon(task: Task<unknown>): void;
  /**
   * Starts `task` as a child when subscribed; emits its first value ("started") and completes while
   * the child runs on in the group. If the child errors before its first value, this Observable
   * errors and the group does not fail; if it completes without a value, this Observable errors
   * with rxjs `EmptyError`. Unsubscribing before the first value cancels the child.
   */
  start<T>(task: Task<T>): Observable<T>;
  /** Cancels every child and the body; the group then completes without error. Idempotent. */
  cancel(): void;
  /** Aborts when the group is cancelled, fails or is unsubscribed. */
  readonly signal: AbortSignal;
  /** Children still running (the host, what the body returned, is not counted). */
  readonly size: number;
}

/**
 * A child of the group. Before its first value a `start()` child also has a `starter`, the
 * subscriber of `start()`'s Observable, which takes its first value or its error.
 */
class ChildTask extends RunningTask<unknown> {
  constructor(
    private readonly group: Group<unknown>,
    public starter: Subscriber<unknown> | null,
  ) {
    super();
  }

  protected onNext(value: unknown): void {
    const first = this.starter;
    if (first === null) return;
    this.starter = null;
    first.next(value);
    first.complete();
  }

  protected onError(error: unknown): void {
    this.group.childEnded(this, error, true);
  }

  protected onComplete(): void {
    this.group.childEnded(this, undefined, false);
  }
}

/** The group's subscriber to its host: held by the group before the host runs, like a child. */
class HostSubscriber<R> extends InnerSubscriber<R> {
  constructor(
    private readonly group: Group<R>,
    private readonly subscriber: Subscriber<R>,
  ) {
    super();
  }

  protected onNext(value: R): void {
    this.subscriber.next(value);
  }

  protected onError(error: unknown): void {
    this.group.hostEnded(error, true);
  }

  protected onComplete(): void {
    this.group.hostEnded(undefined, false);
  }
}

/** A `start()` child that had not started yet when the group was cancelled: its `start()` errors. */
function cancelStarter(task: RunningTask<unknown>): void {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-class-instance-assignment -- a group's RunningSet holds its ChildTasks only
  const child = task as ChildTask;
  const starter = child.starter;
  child.starter = null;
  starter?.error(cancellation());
}

/**
 * One subscription to a `taskGroup`: the host, the children (a running set), the failures, and the
 * shielded work it adopted, which it outlives.
 */
class Group<R> implements TaskGroup, Owner {
  private readonly children: RunningSet;
  private readonly host = new Subscription();
  private readonly controller = new AbortController();
  private readonly failures: unknown[] = [];
  private hostRunning = true;
  /** Cancelled, failed or unsubscribed: nothing more starts. */
  private ended = false;
  /** Shielded work still running that this group adopted. */
  private shielded = 0;
  /** The outcome waits for shielded work to end. */
  private reporting = false;

  constructor(private readonly subscriber: Subscriber<R>) {
    // Children and the host are owned by this group: shielded work among them is adopted, and a
    // child started later (from a callback, after a delay) still runs under the group's deadline.
    this.children = new RunningSet(ownedBy(this));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get size(): number {
    return this.children.size;
  }

  startSoon(task: Task<unknown>): void {
    this.spawn(fromTask(task, 'TaskGroup.startSoon'), null);
  }

  start<T>(task: Task<T>): Observable<T> {
    const source = fromTask(task, 'TaskGroup.start');
    return new Observable<T>((starter) => {
      const child = this.spawn(source, starter);
      return () => {
        // Only a child that has not started yet belongs to this subscription.
        if (child.starter === null) return;
        child.starter = null;
        this.children.leave(child);
        child.unsubscribe();
        this.completeIfDone();
      };
    });
  }

  cancel(): void {
    if (!this.ended) this.end();
  }

  /** Runs the body and subscribes to the host, both as the group's own. */
  // eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- the body of taskGroup(), below
  open(body: (tg: TaskGroup) => ObservableInput<R> | void): void {
    // Installed first: a subscriber that leaves while the body runs (a synchronous take(1)) cancels at once.
    this.subscriber.add(() => {
      if (this.ended) return;
      batch(() => {
        this.stop();
        // Nobody is left to take a failure of a child's teardown but whoever unsubscribed.
        if (this.failures.length > 0) throw new UnsubscriptionError(this.failures);
      });
    });
    inScope(this.children.context.scope, () => {
      try {
        const host = body(this);
        if (host !== undefined && !this.ended) {
          const hostSubscriber = new HostSubscriber(this, this.subscriber);
          this.host.add(hostSubscriber);
          from(host).subscribe(hostSubscriber);
        } else {
          this.hostRunning = false;
        }
      } catch (error) {
        // A throw after the group has ended is an echo of that end (startSoon refusing, typically),
        // dropped like any late error of an unsubscribed source.
        this.hostEnded(error, true);
      }
    });
    this.completeIfDone();
  }

  /** @internal */
  childEnded(child: ChildTask, error: unknown, failed: boolean): void {
    if (!this.children.leave(child)) return;
    const starter = child.starter;
    if (starter !== null) {
      // Not started yet: the failure is start()'s, not the group's.
      child.starter = null;
      starter.error(failed ? error : new EmptyError());
      this.completeIfDone();
    } else if (failed && !isCancelled(error)) {
      this.fail(error);
    } else {
      this.completeIfDone();
    }
  }

  /** @internal */
  hostEnded(error: unknown, failed: boolean): void {
    this.hostRunning = false;
    if (failed && !isCancelled(error)) this.fail(error);
    else this.completeIfDone();
  }

  /** @internal */
  adopt(): ((failed: boolean, error: unknown) => boolean) | null {
    if (this.subscriber.closed) return null;
    this.shielded++;
    return (failed, error) => {
      this.shielded--;
      if (this.subscriber.closed) return false;
      if (failed && !isCancelled(error)) {
        if (this.ended) this.failures.push(error);
        else this.fail(error);
      }
      if (this.reporting) this.report();
      else this.completeIfDone();
      return true;
    };
  }

  private spawn<T>(source: Observable<T>, starter: Subscriber<T> | null): ChildTask {
    if (this.ended) throw new Error('taskGroup: the group has ended; a task can only be started while it runs');
    const child = new ChildTask(this, starter);
    this.children.start(child, source);
    return child;
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    this.failures.push(error);
    this.end();
  }

  /** Completes the group once the host, every child and the shielded work it adopted have ended. */
  private completeIfDone(): void {
    if (this.ended || this.hostRunning || this.children.size > 0 || this.shielded > 0) return;
    this.ended = true;
    this.subscriber.complete();
  }

  /**
   * Ends the group: cancels the host, then every child in start order, all in the current frame,
   * then aborts the signal. A teardown that throws is a failure too, and never strands the rest.
   */
  private stop(): void {
    this.ended = true;
    for (const error of this.children.cancel(this.host, cancelStarter)) if (!isCancelled(error)) this.failures.push(error);
    this.controller.abort(cancellation());
  }

  /** Cancels everything, then reports: one batch, so a permit a child held goes on only after that. */
  private end(): void {
    batch(() => {
      this.stop();
      this.reporting = true;
      this.report();
    });
  }

  /** The outcome, once no shielded work it adopted still runs: nothing outlives its group. */
  private report(): void {
    if (this.shielded > 0 || this.subscriber.closed) return;
    if (this.failures.length > 0) this.subscriber.error(new TaskGroupError(this.failures));
    else this.subscriber.complete();
  }
}

/**
 * Structured concurrency as an Observable: a scope that owns the tasks started in it. Subscribing
 * calls `body(tg)`; what it returns (if anything) is the host, whose values the group mirrors. The
 * group completes when the host and every child have completed. A child or host that errors
 * cancels all the others in the same frame, and the group errors with a `TaskGroupError` listing
 * every failure (cancellation echoes, `isCancelled(e)`, are not failures). Unsubscribing cancels
 * everything; so does `tg.cancel()`, after which the group completes.
 *
 * Unlike `merge`, children can be added while the group runs, a child's failure is reported with
 * the others instead of alone, and `start()` waits for a child to be ready without ending it.
 *
 * @example
 * ```ts
 * const server$ = taskGroup((tg) => {
 *   tg.startSoon((signal) => metricsLoop(signal));
 *   return tg.start(listen(8080)).pipe(   // emits once the server listens
 *     tap((port) => console.log(`listening on ${port}`)),
 *   );
 * });
 * ```
 * @param body - called at each subscription with the group's handle
 */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- a body may return nothing; `| undefined` would refuse a `() => void` function
export function taskGroup<R = never>(body: (tg: TaskGroup) => ObservableInput<R> | void): Observable<R> {
  checkFunction('taskGroup', 'body', body);
  return new Observable<R>((subscriber) => new Group(subscriber).open(body));
}
