/**
 * True when `error` is a cancellation echo rather than a failure: an `AbortError` (a `DOMException`
 * or any error whose `name` is `'AbortError'`), which includes the reason of every signal this
 * package aborts. `retry` and `retrying` never retry these and `TaskGroupError.errors` leaves them out.
 *
 * @example
 * ```ts
 * fetch(url, { signal }).catch((e) => { if (!isCancelled(e)) log(e); });
 * ```
 */
export function isCancelled(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
