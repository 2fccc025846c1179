import type { Observable, Subscriber } from 'rxjs';
import { fromTask, type Task } from '../task';
import { getDeadline, withDeadline } from './deadline';
import { Fifo } from './fifo';
import { InnerSubscriber } from './innerSubscriber';

/**
 * A running task: its place in the source, its place in `running`, and its last value. It is its
 * own subscription from the start, so a task cancelled while it is still being subscribed (a
 * sibling failed, or won a race, in the middle of it) stops there and then.
 */
class Entry<T> extends InnerSubscriber<T> {
  private last: T | undefined = undefined;

  constructor(
    private readonly pool: TaskPool<T, unknown>,
    readonly index: number,
    /** Position in the pool's `running` array; -1 once it left it. */
    public slot: number,
  ) {
    super();
  }

  protected onNext(value: T): void {
    this.last = value;
  }

  protected onError(error: unknown): void {
    this.pool.settle(this, error, true);
  }

  protected onComplete(): void {
    this.pool.settle(this, this.last, false);
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

/**
 * The engine of `gather`, `race` and `asCompleted`, and the one place where their subscriptions are
 * kept: the source's, and each running task's in an array it leaves in O(1) (the last one takes its
 * slot), so cancelling reaches every task still running.
 *
 * Tasks beyond `limit` wait in a FIFO (no `Array.shift`). Starting them is a
 * loop, never a recursion: a task that settles synchronously while the loop runs only frees its
 * slot, and the loop starts the next one.
 * @internal
 */
export abstract class TaskPool<T, R> {
  private readonly running: Entry<T>[] = [];
  private readonly pending = new Fifo<Task<T>>();
  /** The deadline in force at subscription: a task started later still runs under it. */
  private readonly deadline = getDeadline();
  private readonly source = new PoolSource<T>(this);
  /** Tasks started so far: the index of the next one, as they start in source order. */
  private started = 0;
  private sourceDone = false;
  private starting = false;
  /** Finished, failed or unsubscribed: nothing more starts or is reported. */
  private closed = false;

  constructor(
    /** The operator's name, for the error a value that is not a task fails with. */
    private readonly where: string,
    protected readonly subscriber: Subscriber<R>,
    private readonly limit: number,
    private readonly returnErrors: boolean,
  ) {}

  /** A task completed with `result` (its last value), or failed with it under `returnErrors`. */
  protected abstract settled(index: number, result: T): void;

  /** The source and every task are done. */
  protected abstract finished(): void;

  /** Subscribes to the source for the output subscription `subscriber`, which cancels everything when it ends. */
  run(source: Observable<Task<T>>): void {
    // Registered before subscribing: a consumer that unsubscribes while a synchronous source is still
    // emitting stops it there (`this.source` is its subscription from the start).
    this.subscriber.add(() => this.cancel());
    source.subscribe(this.source);
  }

  /** The source emitted a task. @internal */
  push(task: Task<T>): void {
    this.pending.push(task);
    this.startQueued();
  }

  /** @internal */
  sourceComplete(): void {
    this.sourceDone = true;
    this.startQueued();
  }

  /** Called by an entry when its task completes or errors. @internal */
  settle(entry: Entry<T>, result: unknown, failed: boolean): void {
    if (this.closed || entry.slot < 0) return;
    // The entry was torn down before it settled: its teardown (finalizers, a held permit) has run
    // before the next task starts, so `limit` bounds live subscriptions, not just unsettled tasks.
    this.leave(entry);
    if (failed && !this.returnErrors) {
      this.fail(result);
      return;
    }
    this.settled(entry.index, result as T);
    this.startQueued();
  }

  private startQueued(): void {
    if (this.starting) return;
    this.starting = true;
    while (!this.closed && this.running.length < this.limit && this.pending.length > 0) this.start(this.pending.take());
    this.starting = false;
    // With a free slot the loop above emptied `pending`, so no task running means none left.
    if (!this.closed && this.sourceDone && this.running.length === 0) {
      this.closed = true;
      this.finished();
    }
  }

  private start(input: Task<T>): void {
    const entry = new Entry(this, this.started++, this.running.length);
    this.running.push(entry);
    let task: Observable<T>;
    try {
      task = fromTask(input, this.where);
    } catch (error) {
      // Not a task at all (`42`): it fails like a task that throws when subscribed.
      entry.error(error);
      return;
    }
    withDeadline(this.deadline, () => task.subscribe(entry));
  }

  /**
   * Cancels every other task and the source first, so they have stopped and their signals have
   * aborted when the error arrives (the signal of a task still inside its own synchronous subscribe
   * aborts when that subscribe returns, in the same frame). @internal
   */
  fail(error: unknown): void {
    if (this.closed) return;
    this.cancel();
    this.subscriber.error(error);
  }

  /** Cancels the source and every running task, and reports nothing more. */
  protected cancel(): void {
    if (this.closed) return;
    this.closed = true;
    this.source.unsubscribe();
    for (let entry = this.running.pop(); entry !== undefined; entry = this.running.pop()) {
      entry.slot = -1;
      entry.unsubscribe();
    }
  }

  private leave(entry: Entry<T>): void {
    const last = this.running.pop()!;
    if (last !== entry) {
      this.running[entry.slot] = last;
      last.slot = entry.slot;
    }
    entry.slot = -1;
  }
}
