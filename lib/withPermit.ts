import type { MonoTypeOperatorFunction } from 'rxjs';
import { PermitGate } from './internal/permitGate';
import type { GateLike } from './internal/types';
import { checkCount, checkGate } from './internal/validate';

/**
 * Runs the source while holding `weight` permits of `gate`: `source.pipe(withPermit(gate, w))` is
 * `gate.run(source, w)`. The permit is taken on subscribe and given back when the source completes,
 * errors or is unsubscribed. Any `GateLike` will do: an in-process gate, a `RateLimiter`, a Redis
 * gate. A weight an in-process gate can never grant throws `RangeError` here, at the call.
 *
 * @example
 * ```ts
 * const db = new Semaphore(4);
 * this.http.get(url).pipe(withPermit(db), retry());
 * ```
 */
export function withPermit<T>(gate: GateLike, weight?: number): MonoTypeOperatorFunction<T> {
  checkGate('withPermit', 'gate', gate);
  if (weight === undefined) return (source) => gate.run(source);
  checkCount('withPermit', 'weight', weight, 1);
  if (gate instanceof PermitGate) gate.checkWeight('withPermit', weight);
  return (source) => gate.run(source, weight);
}
