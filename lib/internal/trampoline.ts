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

let queue: (Runnable | undefined)[] = [];
let head = 0;
let draining = false;

/** Queues `task`; it runs at the next `drain()` (or at the end of the one under way). */
export function enqueue(task: Runnable): void {
  queue.push(task);
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
  // rethrow the first error to whoever started the drain.
  while (head < queue.length) {
    const task = queue[head]!;
    queue[head++] = undefined;
    if (head >= 1024 && head * 2 >= queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
    try {
      task.run();
    } catch (e) {
      if (!failed) {
        failed = true;
        failure = e;
      }
    }
  }
  queue.length = 0;
  head = 0;
  draining = false;
  if (failed) throw failure;
}

const noop = (): void => {};

/** Runs what is queued, unless a drain further up the stack will. */
export function drain(): void {
  batch(noop);
}
