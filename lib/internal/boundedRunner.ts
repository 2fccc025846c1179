import { UnsubscriptionError, defer, from, type Observable, type ObservableInput, type Observer } from 'rxjs';
import type { AsyncSnapshot } from './context';
import { Fifo } from './fifo';
import { fromTask } from './fromTask';
import { reportUnhandled } from './report';
import { RunningSet, RunningTask } from './runningSet';
import type { BoundedMapOptions, GateLike } from './types';
import { checkBoolean, checkCount, checkFunction, checkGate, checkObject, fail } from './validate';

/** @internal */
export type Project<T, R> = (value: T, index: number, signal: AbortSignal) => ObservableInput<R>;

/** The validated arguments of `boundedMap`, `boundedMapFrom` and `boundedMapIterable`. @internal */
export interface BoundedConfig<T, R> {
  /** The operator's name, for the errors of what `project` returns. */
  readonly where: string;
  readonly project: Project<T, R>;
  /**
   * `project` may read the signal: it declares three parameters, or it declares none (a wrapper
   * `(...args) => f(...args)`, a function reading `arguments`). Only then is an AbortSignal made.
   */
  readonly wantsSignal: boolean;
  readonly limit: number;
  readonly ordered: boolean;
  /** Ordered: tasks started and not yet emitted, at most; `>= limit`. */
  readonly window: number;
  readonly limiter: GateLike | undefined;
  /** A task's failure is a value in its place, not the output's error. */
  readonly returnErrors: boolean;
}

/** Checks the arguments the three share, at call time. @internal */
export function boundedConfig<T, R>(
  where: string,
  project: Project<T, R>,
  limit: number,
  options: BoundedMapOptions = {},
): BoundedConfig<T, R> {
  checkFunction(where, 'project', project);
  checkCount(where, 'limit', limit, 1, true);
  checkObject(where, 'options', options);
  const { ordered = true, window = limit, limiter, returnErrors = false } = options;
  if (limiter !== undefined) checkGate(where, 'options.limiter', limiter);
  return {
    where,
    project,
    wantsSignal: project.length === 0 || project.length > 2,
    limit,
    ordered: checkBoolean(where, 'options.ordered', ordered),
    window: checkWindow(where, window, limit),
    limiter,
    returnErrors: checkBoolean(where, 'options.returnErrors', returnErrors),
  };
}

/**
 * A window narrower than `limit` would only lower the limit: refused, like any value that does
 * not mean what it says. Checked with `ordered: false` too, where it always holds (nothing waits
 * to be emitted in order), so that flipping `ordered` never turns a call into one that throws.
 */
function checkWindow(where: string, window: unknown, limit: number): number {
  if (limit !== Infinity) return checkCount(where, 'options.window', window, limit, true);
  if (window !== Infinity)
    fail(typeof window === 'number' ? RangeError : TypeError, where, 'options.window', 'Infinity when limit is Infinity', window);
  return Infinity;
}

/** One started task: the single subscriber object it costs. @internal */
export class MappedTask<T, R> extends RunningTask<R> {
  /** Values held back while an earlier task of an ordered window still runs. */
  buffer: R[] | null = null;
  done = false;
  /**
   * `project` is being called for this task, or what it returned was refused: set only where
   * `project` runs inside the task's subscription (behind a limiter, or given a signal), so that
   * its failure is told from the task's own.
   */
  projecting = false;

  constructor(private readonly runner: BoundedRunner<T, R>) {
    super();
  }

  protected onNext(value: R): void {
    this.runner.emit(this, value);
  }

  protected onError(error: unknown): void {
    this.runner.taskFailed(this, error);
  }

  protected onComplete(): void {
    this.runner.taskEnded(this);
  }
}

/** What `project` returned, as the Observable to run; the task stays marked when it is refused. */
function projected<R>(task: MappedTask<unknown, R>, input: ObservableInput<R>): ObservableInput<R> & object {
  // A string is refused by fromTask (a factory's result) or runs as characters (behind defer), as
  // it always did; only `from` refusing anything else is decided here.
  if (typeof input === 'string') return input as ObservableInput<R> & object;
  const output = from(input);
  task.projecting = false;
  return output;
}

/**
 * The engine of `boundedMap` (input pushed by a source), `boundedMapFrom` (input pulled from an
 * iterator) and `boundedMapIterable` (the same, its results pulled by a reader); a subclass only
 * says how the next input is obtained, the destination where results go. Its tasks are a
 * `RunningSet`.
 *
 * Tasks start in a loop (`pump`), never by recursion: a task that completes synchronously while the
 * loop runs only frees its slot, and the loop starts the next one, so a million synchronous tasks
 * run at constant stack depth (ReactiveX/rxjs#3609) and the completion check runs once the loop is
 * over, never in the middle of it (ReactiveX/rxjs#7334).
 * @internal
 */
export abstract class BoundedRunner<T, R> {
  private readonly tasks = new RunningSet();
  /** Ordered mode: tasks started and not yet fully emitted, in input order. */
  private readonly window = new Fifo<MappedTask<T, R>>();
  private index = 0;
  private pumping = false;
  protected closed = false;
  /**
   * Results the destination holds and its reader has not read yet: only a pulled destination
   * (`boundedMapIterable`'s) holds any. Each counts against `limit` (and `window`) like a task, so a
   * slow reader holds back new tasks, and through them the reading of input.
   */
  unread = 0;

  constructor(
    private readonly destination: Observer<R>,
    private readonly config: BoundedConfig<T, R>,
  ) {}

  /** Starts a task (`start`) if an input is available now; false when none is. */
  protected abstract feed(): boolean;

  /** No input will come any more. */
  protected abstract get exhausted(): boolean;

  /** Stops reading input. */
  protected abstract stopInput(): void;

  /** An input that arrives now would wait rather than start in this very call. */
  protected get busy(): boolean {
    return this.pumping || !this.hasRoom();
  }

  /** Tasks will start in the async context of this call, wherever they are started from. */
  keepContext(): void {
    this.tasks.context.hold();
  }

  /** The reader took one of the `unread` results: there may be room for a task. */
  consumed(): void {
    this.unread--;
    this.pump();
  }

  /** Starts the task of an input that arrived while not `busy`, then pumps. */
  protected admit(value: T): void {
    this.pumping = true;
    this.start(value);
    this.pumping = false;
    this.pump();
  }

  /** Starts tasks while there is room and input, then completes if everything is done. */
  pump(): void {
    if (this.pumping || this.closed) return;
    this.pumping = true;
    const { ordered } = this.config;
    for (;;) {
      if (ordered) this.emitReady();
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- emitReady() and feed() call out, and a subscriber may unsubscribe meanwhile
      if (this.closed) return;
      if (!this.hasRoom() || !this.feed()) break;
    }
    this.pumping = false;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- closed by a call out, as above
    if (!this.closed && this.tasks.size === 0 && this.window.length === 0 && this.exhausted) {
      this.closed = true;
      this.destination.complete();
    }
  }

  /** Starts the task of `value`; `context` is the async context it waited in, if it waited. */
  protected start(value: T, context: AsyncSnapshot | null = null): void {
    const task = new MappedTask(this);
    if (this.config.ordered) this.window.push(task);
    const index = this.index++;
    let work: Observable<R>;
    try {
      work = this.task(task, value, index);
    } catch (error) {
      this.fail(error);
      return;
    }
    // `project` may have unsubscribed the output.
    if (!this.closed) this.tasks.start(task, work, context);
  }

  /** @internal */
  emit(task: MappedTask<T, R>, value: R): void {
    if (!this.config.ordered || (task.buffer === null && this.window.peek() === task)) this.destination.next(value);
    else (task.buffer ??= []).push(value);
  }

  /**
   * Under `returnErrors` a task's error takes its place among the values (after any it emitted)
   * and the task ends like one that completed; a `project` that threw still fails the output.
   * @internal
   */
  taskFailed(task: MappedTask<T, R>, error: unknown): void {
    if (!this.config.returnErrors || task.projecting) {
      this.fail(error);
      return;
    }
    this.emit(task, error as R);
    this.taskEnded(task);
  }

  /** @internal */
  taskEnded(task: MappedTask<T, R>): void {
    task.done = true;
    this.tasks.leave(task);
    this.pump();
  }

  /** Fails fast: every task and the input are cancelled before the error goes out. @internal */
  fail(error: unknown): void {
    if (this.closed) return;
    const errors = this.cancel();
    // Nobody is left to hear that a teardown threw but RxJS's unhandled-error hook.
    if (errors.length > 0) reportUnhandled(new UnsubscriptionError(errors));
    this.destination.error(error);
  }

  /** The output's teardown: cancels every running task and stops the input; idempotent. */
  unsubscribe(): void {
    const errors = this.cancel();
    if (errors.length > 0) throw new UnsubscriptionError(errors);
  }

  private cancel(): unknown[] {
    if (this.closed) return [];
    this.closed = true;
    this.window.clear();
    return this.tasks.cancel({ unsubscribe: () => this.stopInput() });
  }

  /**
   * Fewer than `limit` tasks run and, ordered, fewer than `window` are started but not emitted
   * (unread results counting as both): a task that finished but waits to be emitted holds no slot
   * of `limit` but one of `window`, which bounds the values held for order to `window` tasks' worth.
   */
  private hasRoom(): boolean {
    const { config, unread } = this;
    return this.tasks.size + unread < config.limit && (!config.ordered || this.window.length + unread < config.window);
  }

  private task(task: MappedTask<T, R>, value: T, index: number): Observable<R> {
    const { project, limiter } = this.config;
    // Making an AbortSignal costs microseconds in Node, more than the rest of a task: only a
    // project that declares the parameter gets one (through fromTask, which aborts it on cancel).
    if (this.config.wantsSignal) {
      const work = (signal: AbortSignal): ObservableInput<R> & object => {
        task.projecting = true;
        return projected(task, project(value, index, signal));
      };
      return limiter === undefined ? fromTask(work, this.config.where) : limiter.run(work);
    }
    const call = project as unknown as (value: T, index: number) => ObservableInput<R>;
    // Here `project` runs before the task is subscribed: what it throws, start() catches.
    if (limiter === undefined) return from(call(value, index));
    // Behind a limiter the project runs once the permit is granted, not while the task waits.
    return limiter.run(
      defer(() => {
        task.projecting = true;
        return projected(task, call(value, index));
      }),
    );
  }

  /** Ordered mode: emits what the head task buffered and moves past every finished head. */
  private emitReady(): void {
    const window = this.window;
    for (let head = window.peek(); head !== undefined; head = window.peek()) {
      const buffer = head.buffer;
      if (buffer !== null) {
        // A value the head emits meanwhile is appended here, and an array's iterator reaches what
        // is appended while it runs: it still comes out in order.
        for (const value of buffer) {
          this.destination.next(value);
          if (this.closed) return;
        }
        head.buffer = null;
      }
      if (!head.done) return;
      window.take();
    }
  }
}
