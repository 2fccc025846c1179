/**
 * The deadline context. JavaScript has no task-local storage that survives a later subscription, so
 * the effective deadline is a module-level value set only for the synchronous extent of a
 * subscription. Operators that subscribe later (after a grant, a retry delay, a queued start) capture
 * it when they are subscribed and reinstate it around that later subscribe.
 * @internal
 */
let current = Infinity;

/** The nearest enclosing deadline, on the clock of the scheduler that set it; `Infinity` when none. */
export function getDeadline(): number {
  return current;
}

/** Runs `fn` with `deadline` as the effective deadline, restoring the previous one afterwards. */
export function withDeadline<T>(deadline: number, fn: () => T): T {
  const previous = current;
  current = deadline;
  try {
    return fn();
  } finally {
    current = previous;
  }
}
