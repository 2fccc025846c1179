/** Lets pending promise callbacks run: `ticks` turns of the microtask queue, no timer. */
export async function settle(ticks = 10): Promise<void> {
  for (let i = 0; i < ticks; i++) await Promise.resolve();
}

/** A promise's outcome as a value, once it settled: `{ value }` or `{ reason }`. */
export async function outcome<T>(promise: Promise<T>): Promise<{ value: T } | { reason: unknown }> {
  return promise.then(
    (value) => ({ value }),
    (reason: unknown) => ({ reason }),
  );
}
