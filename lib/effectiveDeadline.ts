import { getDeadline } from './internal/context';

/**
 * The nearest enclosing deadline, as an absolute time on the clock of the scheduler that set it,
 * or `Infinity` when there is none. It is set while `failAfter`, `moveOnAfter`, `failAt` or
 * `moveOnAt` subscribes to its source, so read it synchronously at subscription (in `defer`, in a
 * task factory, in an `Observable` constructor); the package's own operators (gates, taskGroup,
 * retry...) restore it when they subscribe later. `shield()` resets it to `Infinity`.
 *
 * @example
 * ```ts
 * const call = defer(() => {
 *   const left = effectiveDeadline() - asyncScheduler.now();
 *   return http.get(url, { headers: { 'x-timeout-ms': String(left) } });
 * });
 * call.pipe(failAfter(2_000));   // the server learns it has (at most) 2 s
 * ```
 */
export function effectiveDeadline(): number {
  return getDeadline();
}
