import { UnsubscriptionError, type Observable, type Unsubscribable } from 'rxjs';
import { Captured, resume, type AsyncSnapshot, type Scope } from './context';
import { InnerSubscriber } from './innerSubscriber';
import { batch } from './trampoline';

/**
 * A task in a `RunningSet`: its subscriber, which is also its subscription, and its links in the
 * set. Being its own subscription from the start, a task cancelled while it is still being
 * subscribed (a sibling failed, or won a race, in the middle of it) stops there and then.
 * @internal
 */
export abstract class RunningTask<T> extends InnerSubscriber<T> {
  // `next` is the Observer's: the links are named for the set.
  before: RunningTask<unknown> | null = null;
  after: RunningTask<unknown> | null = null;
  /** In its set: started and neither ended nor cancelled. */
  running = false;

  // Written out, though it adds nothing: without it V8 builds a task through its generic construct
  // path instead of inlining it (1,457 instructions per task in gather, measured with callgrind).
  // eslint-disable-next-line @typescript-eslint/no-useless-constructor -- see the comment above
  constructor() {
    super();
  }
}

/**
 * The tasks one subscription runs, and the one place that starts and cancels them: boundedMap,
 * boundedMapFrom, gather, race, asCompleted and taskGroup are built on it.
 *
 * - **Start**: a task joins the set before it is subscribed, and is subscribed in the context
 *   captured when the set was made (the deadline and owner of that subscription, and the async
 *   context of whoever asked for the task when it had to wait).
 * - **Leave**: a task that ends by itself leaves in O(1); the set keeps start order.
 * - **Cancel**: the input first, then every task in start order, and every teardown runs even when
 *   one throws. All of it in one trampoline batch: a permit a cancelled task gives back is handed
 *   on only once every task of the set is cancelled, so it never starts the work of a task of the
 *   same set that waited behind it.
 * @internal
 */
export class RunningSet {
  private head: RunningTask<unknown> | null = null;
  private tail: RunningTask<unknown> | null = null;
  /** Tasks running. */
  size = 0;
  /** Cancelled: nothing more starts. */
  cancelled = false;
  /** The subscription's context, re-entered whenever a task starts. */
  readonly context: Captured;

  /** @param scope - the scope tasks start in; by default that of the caller */
  constructor(scope?: Scope) {
    this.context = new Captured(scope);
  }

  /**
   * Starts `task` as `member`, in the subscription's context; `snapshot` is the async context of
   * whoever asked for it when it had to wait (null: the caller's own, or the subscription's).
   */
  start<T>(member: RunningTask<T>, task: Observable<T>, snapshot: AsyncSnapshot | null = null): void {
    this.link(member);
    const { context } = this;
    // Most tasks start in the very call that subscribed: no closure, no scope switch.
    if (snapshot === null && context.isCurrent()) task.subscribe(member);
    else resume(context.scope, snapshot ?? context.snapshot, subscribe, task, member);
  }

  /** Adds `member` without subscribing anything yet (it fails before it could start). */
  link(member: RunningTask<unknown>): void {
    member.before = this.tail;
    member.after = null;
    if (this.tail === null) this.head = member;
    else this.tail.after = member;
    this.tail = member;
    member.running = true;
    this.size++;
  }

  /** `member` ended by itself; false when it was no longer running (it was cancelled, or left already). */
  leave(member: RunningTask<unknown>): boolean {
    if (!member.running) return false;
    const { before, after } = member;
    if (before === null) this.head = after;
    else before.after = after;
    if (after === null) this.tail = before;
    else after.before = before;
    member.before = member.after = null;
    member.running = false;
    this.size--;
    return true;
  }

  /**
   * Cancels `input` (the source or the host, or null), then every task, in one batch, calling
   * `cancelled` after each task's teardown. Idempotent. Returns what the teardowns threw,
   * `UnsubscriptionError`s flattened: the caller decides who is told.
   */
  cancel(input: Unsubscribable | null, cancelled?: (member: RunningTask<unknown>) => void): unknown[] {
    if (this.cancelled) return [];
    this.cancelled = true;
    const errors: unknown[] = [];
    batch(() => {
      if (input !== null) unsubscribe(input, errors);
      for (let member = this.head; member !== null; member = this.head) {
        this.leave(member);
        unsubscribe(member, errors);
        if (cancelled !== undefined) {
          try {
            cancelled(member);
          } catch (error) {
            errors.push(error);
          }
        }
      }
    });
    return errors;
  }
}

const subscribe = <T>(task: Observable<T>, member: RunningTask<T>): void => {
  task.subscribe(member);
};

function unsubscribe(subscription: Unsubscribable, errors: unknown[]): void {
  try {
    subscription.unsubscribe();
  } catch (error) {
    if (error instanceof UnsubscriptionError) errors.push(...(error.errors as unknown[]));
    else errors.push(error);
  }
}
