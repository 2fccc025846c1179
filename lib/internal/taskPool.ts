import { UnsubscriptionError, type Observable, type Subscriber } from 'rxjs';
import { captureAsync, type AsyncSnapshot } from './context';
import { Fifo } from './fifo';
import { fromTask } from './fromTask';
import { InnerSubscriber } from './innerSubscriber';
import { reportUnhandled } from './report';
import { RunningSet, RunningTask } from './runningSet';
import type { Task } from './types';

/** A task of the pool: its place in the source and its last value. */
class PooledTask<T> extends RunningTask<T> {
  private last: T | undefined = undefined;

  constructor(
    private readonly pool: TaskPool<T, unknown>,
    readonly index: number,
  ) {
    super();
  }

  protected onNext(value: T): void {
    this.last = value;
  }

  protected onError(error: unknown): void {
    this.pool.taskEnded(this, error, true);
  }

  protected onComplete(): void {
    this.pool.taskEnded(this, this.last, false);
  }
}

/** The pool's subscriber to its source of tasks. */
class PoolSource<T> extends InnerSubscriber<Task<T>> {
  constructor(private readonly pool: TaskPool<T, unknown>) {
    super();
  }

  protected onNext(task: Task<T>): void {
    this.pool.push(task);
  }

  protected onError(error: unknown): void {
    this.pool.fail(error);
  }

  protected onComplete(): void {
    this.pool.sourceComplete();
  }
}

/** The settings of one operator built on the pool. */
export interface PoolConfig {
  /** The operator's name, for the error a value that is not a task fails with. */
  readonly where: string;
  /** Tasks running at once. */
  readonly limit: number;
  /** A failed task is a result, not the output's error. */
  readonly returnErrors: boolean;
}

/**
 * The engine of `gather`, `race` and `asCompleted`: a source of tasks, the running set that starts
 * and cancels them, and the tasks beyond `limit` waiting in a FIFO (no `Array.shift`), each with
 * the async context it arrived in. Starting them is a loop, never a recursion: a task that settles
 * synchronously while the loop runs only frees its slot, and the loop starts the next one.
 * @internal
 */
export abstract class TaskPool<T, R> {
  private readonly tasks = new RunningSet();
  private readonly waiting = new Fifo<Task<T>>();
  /** In step with `waiting`: the async context each task arrived in. */
  private readonly contexts = new Fifo<AsyncSnapshot | null>();
  private readonly source = new PoolSource<T>(this);
  /** Tasks started so far: the index of the next one, as they start in source order. */
  private started = 0;
  private sourceDone = false;
  private starting = false;
  /** Finished, failed or unsubscribed: nothing more starts or is reported. */
  private closed = false;

  constructor(
    protected readonly subscriber: Subscriber<R>,
    private readonly config: PoolConfig,
  ) {}

  /** A task completed with `result` (its last value), or failed with it under `returnErrors`. */
  protected abstract settled(index: number, result: T): void;

  /** The source and every task are done. */
  protected abstract finished(): void;

  /** Subscribes to the source for the output subscription `subscriber`, which cancels everything when it ends. */
  run(source: Observable<Task<T>>): void {
    // Registered before subscribing: a consumer that unsubscribes while a synchronous source is still
    // emitting stops it there (`this.source` is its subscription from the start).
    this.subscriber.add(() => {
      const errors = this.cancel();
      // Nobody but whoever unsubscribed is left to hear that a teardown threw.
      if (errors.length > 0) throw new UnsubscriptionError(errors);
    });
    source.subscribe(this.source);
  }

  /** The source emitted a task. @internal */
  push(task: Task<T>): void {
    if (this.closed) return;
    if (this.starting || this.tasks.size >= this.config.limit) {
      // The loop under way, or the next free slot, starts it: in the async context it arrived in.
      this.waiting.push(task);
      this.contexts.push(captureAsync());
      return;
    }
    // A free slot and no loop: nothing waits before it, since the loop empties `waiting` while it
    // has room.
    this.starting = true;
    this.start(task, null);
    this.starting = false;
    this.startWaiting();
  }

  /** @internal */
  sourceComplete(): void {
    this.sourceDone = true;
    this.startWaiting();
  }

  /** Called by a task when it completes or errors. @internal */
  taskEnded(task: PooledTask<T>, result: unknown, failed: boolean): void {
    if (this.closed || !this.tasks.leave(task)) return;
    // The task was torn down before it settled: its teardown (finalizers, a held permit) has run
    // before the next task starts, so `limit` bounds live subscriptions, not just unsettled tasks.
    if (failed && !this.config.returnErrors) {
      this.fail(result);
      return;
    }
    this.settled(task.index, result as T);
    this.startWaiting();
  }

  /**
   * Cancels every other task and the source first, so they have stopped and their signals have
   * aborted when the error arrives (the signal of a task still inside its own synchronous subscribe
   * aborts when that subscribe returns, in the same frame). @internal
   */
  fail(error: unknown): void {
    if (this.closed) return;
    this.cancelReporting();
    this.subscriber.error(error);
  }

  /** Cancels the source and every running task, and reports nothing more; returns what teardowns threw. */
  protected cancel(): unknown[] {
    if (this.closed) return [];
    this.closed = true;
    this.waiting.clear();
    this.contexts.clear();
    return this.tasks.cancel(this.source);
  }

  /** Cancels, on the way to an outcome of the output: a teardown's failure goes to RxJS's unhandled-error hook. */
  protected cancelReporting(): void {
    const errors = this.cancel();
    if (errors.length > 0) reportUnhandled(new UnsubscriptionError(errors));
  }

  private startWaiting(): void {
    if (this.starting) return;
    this.starting = true;
    const { tasks, waiting, contexts } = this;
    while (!this.closed && tasks.size < this.config.limit && waiting.length > 0) this.start(waiting.take(), contexts.take());
    this.starting = false;
    // With a free slot the loop above emptied `waiting`, so no task running means none left.
    if (!this.closed && this.sourceDone && tasks.size === 0) {
      this.closed = true;
      this.finished();
    }
  }

  private start(input: Task<T>, context: AsyncSnapshot | null): void {
    const task = new PooledTask(this, this.started++);
    let work: Observable<T>;
    try {
      work = fromTask(input, this.config.where, 'task', this.config.limit !== Infinity);
    } catch (error) {
      // Not a task at all (`42`): it fails like a task that throws when subscribed.
      this.tasks.link(task);
      task.error(error);
      return;
    }
    this.tasks.start(task, work, context);
  }
}
