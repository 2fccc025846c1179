import { reportUnhandled } from './report';

/**
 * One process-wide trampoline for hand-offs. A release that wakes a waiter whose work is synchronous
 * would otherwise recurse once per waiter (the stack overflow of ReactiveX/rxjs#3609): instead the
 * waiter is queued here and run by the outermost drain loop, so a chain of a million hand-offs runs
 * at constant stack depth and O(1) cost each.
 *
 * Primitives do all their bookkeeping first, then `enqueue` the notifications, then `drain()`; their
 * counters are therefore exact whenever user code runs.
 * @internal
 */
export interface Runnable {
  run(): void;
}

// A ring-less FIFO over one array that is reused, not reallocated: every hand-off passes through
// here, and truncating or slicing the array per drain cost an allocation per hand-off.
let queue: (Runnable | undefined)[] = [];
let head = 0;
let tail = 0;
let draining = false;

/** Past this many slots the array is dropped once empty, so one burst does not pin its memory. */
const KEEP = 1024;

/** Queues `task`; it runs at the next `drain()` (or at the end of the one under way). */
export function enqueue(task: Runnable): void {
  queue[tail++] = task;
}

/**
 * Runs `fn` then everything queued, unless a drain is already under way further up the stack, in
 * which case `fn` runs now and what it queues runs when control returns to that drain loop.
 */
export function batch(fn: () => void): void {
  if (draining) {
    fn();
    return;
  }
  draining = true;
  let failed = false;
  let failure: unknown;
  try {
    fn();
  } catch (e) {
    failed = true;
    failure = e;
  }
  // A throwing task must not strand the ones behind it (they hold permits): run them all, then
  // rethrow the first error to whoever started the drain; later ones go where RxJS reports errors
  // nobody can take.
  while (head < tail) {
    const task = queue[head]!;
    queue[head++] = undefined;
    if (head === tail) {
      head = tail = 0;
    } else if (head >= KEEP && head * 2 >= tail) {
      // Tasks keep queueing more: move the live ones to the front, amortised O(1) per task.
      queue.copyWithin(0, head, tail);
      queue.fill(undefined, tail - head, tail);
      tail -= head;
      head = 0;
    }
    try {
      task.run();
    } catch (e) {
      if (failed) {
        reportUnhandled(e);
      } else {
        failed = true;
        failure = e;
      }
    }
  }
  if (queue.length > KEEP) queue = [];
  draining = false;
  if (failed) throw failure;
}

const noop = (): void => {
  // An empty batch: its end runs the queue.
};

/** Runs what is queued, unless a drain further up the stack will. */
export function drain(): void {
  if (!draining && head < tail) batch(noop);
}
