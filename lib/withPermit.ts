import type { MonoTypeOperatorFunction } from 'rxjs';
import type { Gate } from './gate';
import { Semaphore } from './semaphore';
import { checkCount, checkGate } from './internal/validate';

/**
 * Runs the source while holding a permit of `gate`: `source.pipe(withPermit(gate))` is
 * `gate.run(source)`. The permit is taken on subscribe and given back when the source completes,
 * errors or is unsubscribed. `weight` needs a `Semaphore`; other gates take 1.
 *
 * @example
 * ```ts
 * const db = new Semaphore(4);
 * this.http.get(url).pipe(withPermit(db), retry());
 * ```
 */
export function withPermit<T>(gate: Gate, weight?: number): MonoTypeOperatorFunction<T> {
  checkGate('withPermit', 'gate', gate);
  if (weight === undefined) return (source) => gate.run(source);
  checkCount('withPermit', 'weight', weight, 1);
  if (gate instanceof Semaphore) {
    if (weight > gate.maxValue) throw new RangeError(`withPermit: weight must be <= maxValue ${gate.maxValue}, received ${weight}`);
    return (source) => gate.run(source, weight);
  }
  if (weight !== 1) throw new RangeError(`withPermit: weight must be 1 for a gate that is not a Semaphore, received ${weight}`);
  return (source) => gate.run(source);
}
