import { Subscription, defer, from, type Observable, type ObservableInput, type Subscriber } from 'rxjs';
import type { Gate } from '../gate';
import { fromTask } from '../task';
import { getDeadline, withDeadline } from './deadline';
import { Fifo } from './fifo';
import { InnerSubscriber } from './innerSubscriber';
import { batch } from './trampoline';
import { checkBoolean, checkCount, checkFunction, checkGate, checkObject } from './validate';

/** @internal */
export type Project<T, R> = (value: T, index: number, signal: AbortSignal) => ObservableInput<R>;

/** The validated arguments of `boundedMap` and `boundedMapFrom`. @internal */
export interface BoundedConfig<T, R> {
  readonly project: Project<T, R>;
  /**
   * `project` may read the signal: it declares three parameters, or it declares none (a wrapper
   * `(...args) => f(...args)`, a function reading `arguments`). Only then is an AbortSignal made.
   */
  readonly wantsSignal: boolean;
  readonly limit: number;
  readonly ordered: boolean;
  readonly limiter: Gate | undefined;
}

/** Checks the arguments both operators share, at call time. @internal */
export function boundedConfig<T, R>(
  where: string,
  project: Project<T, R>,
  limit: number,
  options: { ordered?: boolean | undefined; limiter?: Gate | undefined } = {},
): BoundedConfig<T, R> {
  checkFunction(where, 'project', project);
  checkCount(where, 'limit', limit, 1, true);
  checkObject(where, 'options', options);
  const { ordered = true, limiter } = options;
  if (limiter !== undefined) checkGate(where, 'options.limiter', limiter);
  return { project, wantsSignal: project.length === 0 || project.length > 2, limit, ordered: checkBoolean(where, 'options.ordered', ordered), limiter };
}

/** One started task: the single subscriber object it costs. @internal */
export class Inner<T, R> extends InnerSubscriber<R> {
  /** Position in the runner's `running` array; -1 once it left it. */
  slot = -1;
  /** Values held back while an earlier task of an ordered window still runs. */
  buffer: R[] | null = null;
  done = false;

  constructor(private readonly runner: BoundedRunner<T, R>) {
    super();
  }

  protected onNext(value: R): void {
    this.runner.emit(this, value);
  }

  protected onError(error: unknown): void {
    this.runner.fail(error);
  }

  protected onComplete(): void {
    this.runner.finish(this);
  }
}

/**
 * The engine of `boundedMap` (input pushed by a source) and `boundedMapFrom` (input pulled from an
 * iterator); a subclass only says how the next input is obtained. This is the one place that holds
 * the tasks' subscriptions.
 *
 * Tasks start in a loop (`pump`), never by recursion: a task that completes synchronously while the
 * loop runs only frees its slot, and the loop starts the next one, so a million synchronous tasks
 * run at constant stack depth (ReactiveX/rxjs#3609) and the completion check runs once the loop is
 * over, never in the middle of it (ReactiveX/rxjs#7334).
 * @internal
 */
export abstract class BoundedRunner<T, R> {
  /**
   * Tasks started and not finished: what a cancellation has to reach. A task that finishes leaves in
   * O(1): the last one takes its slot.
   */
  private readonly running: Inner<T, R>[] = [];
  /** Ordered mode: tasks started and not yet fully emitted, in input order. */
  private readonly window = new Fifo<Inner<T, R>>();
  /** The deadline in force at subscription: a task started later still runs under it. */
  private readonly deadline = getDeadline();
  private index = 0;
  private pumping = false;
  protected closed = false;

  constructor(
    private readonly destination: Subscriber<R>,
    private readonly config: BoundedConfig<T, R>,
  ) {}

  /** Starts a task (`start`) if an input is available now; false when none is. */
  protected abstract feed(): boolean;

  /** No input will come any more. */
  protected abstract get exhausted(): boolean;

  /** Stops reading input. */
  protected abstract stopInput(): void;

  /** Starts tasks while there is room and input, then completes if everything is done. */
  pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    const { ordered, limit } = this.config;
    for (;;) {
      if (ordered) this.flush();
      if (this.closed) return;
      // Ordered, a task that finished but waits to be emitted still holds its slot: that is what
      // bounds the reorder window (and its buffered values) to `limit` tasks.
      if ((ordered ? this.window.length : this.running.length) >= limit || !this.feed()) break;
    }
    this.pumping = false;
    if (!this.closed && this.running.length === 0 && this.window.length === 0 && this.exhausted) {
      this.closed = true;
      this.destination.complete();
    }
  }

  protected start(value: T): void {
    const inner = new Inner(this);
    inner.slot = this.running.push(inner) - 1;
    if (this.config.ordered) this.window.push(inner);
    const index = this.index++;
    if (getDeadline() === this.deadline) this.subscribeTask(inner, value, index);
    else withDeadline(this.deadline, () => this.subscribeTask(inner, value, index));
  }

  /** @internal */
  emit(inner: Inner<T, R>, value: R): void {
    if (!this.config.ordered || (inner.buffer === null && this.window.peek() === inner)) this.destination.next(value);
    else (inner.buffer ??= []).push(value);
  }

  /** @internal */
  finish(inner: Inner<T, R>): void {
    inner.done = true;
    const last = this.running.pop()!;
    if (last !== inner) this.running[(last.slot = inner.slot)] = last;
    inner.slot = -1;
    this.pump();
  }

  /** Fails fast: every task and the input are cancelled before the error goes out. @internal */
  fail(error: unknown): void {
    if (this.closed) return;
    try {
      this.unsubscribe();
    } finally {
      this.destination.error(error);
    }
  }

  /** Cancels every running task and stops the input; idempotent. */
  unsubscribe(): void {
    if (this.closed) return;
    this.closed = true;
    // A Subscription runs every teardown even when one throws, then reports them together.
    const teardown = new Subscription(() => this.stopInput());
    for (const inner of this.running) teardown.add(inner);
    this.running.length = 0;
    this.window.clear();
    // In one batch: a limiter permit that a cancelled task gives back is handed on only once all of
    // them are cancelled, so it never goes to one of ours waiting behind it (its project never runs).
    batch(() => teardown.unsubscribe());
  }

  private subscribeTask(inner: Inner<T, R>, value: T, index: number): void {
    let task: Observable<R>;
    try {
      task = this.task(value, index);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (!this.closed) task.subscribe(inner);
  }

  private task(value: T, index: number): Observable<R> {
    const { project, limiter } = this.config;
    // Making an AbortSignal costs microseconds in Node, more than the rest of a task: only a
    // project that declares the parameter gets one (through fromTask, which aborts it on cancel).
    if (this.config.wantsSignal) {
      const work = (signal: AbortSignal): ObservableInput<R> => project(value, index, signal);
      return limiter === undefined ? fromTask(work, 'boundedMap') : limiter.run(work);
    }
    const call = project as unknown as (value: T, index: number) => ObservableInput<R>;
    // Behind a limiter the project runs once the permit is granted, not while the task waits.
    return limiter === undefined ? from(call(value, index)) : limiter.run(defer(() => call(value, index)));
  }

  /** Ordered mode: emits what the head task buffered and moves past every finished head. */
  private flush(): void {
    const window = this.window;
    for (let head = window.peek(); head !== undefined; head = window.peek()) {
      const buffer = head.buffer;
      if (buffer !== null) {
        // A value the head emits meanwhile is appended here, so it still comes out in order.
        for (let i = 0; i < buffer.length; i++) {
          this.destination.next(buffer[i] as R);
          if (this.closed) return;
        }
        head.buffer = null;
      }
      if (!head.done) return;
      window.take();
    }
  }
}
