import { EmptyError, Observable, type OperatorFunction } from 'rxjs';
import type { Task } from './internal/types';
import { TaskPool } from './internal/taskPool';

class Race<T> extends TaskPool<T, T> {
  // The losers are cancelled before the winner is delivered, as on the error path: by the time the
  // consumer sees the result, every other task's signal has aborted.
  protected settled(_index: number, result: T): void {
    this.cancelReporting();
    this.subscriber.next(result);
    this.subscriber.complete();
  }

  /** Only reached with no task at all: the first one to settle ends the race. */
  protected finished(): void {
    this.subscriber.error(new EmptyError());
  }
}

/**
 * Starts every task of the source; the first one to **settle** decides. If it completes, its result
 * (its last value, `undefined` if it had none) is emitted and the output completes; if it errors,
 * that is the output's error. Every other task, and the source, are cancelled at once, before the
 * result or error is delivered (a factory task's `AbortSignal` has aborted by then). An empty
 * source errors with RxJS's `EmptyError`.
 *
 * ```
 * source:  -a-b-|
 * a:        -1-----2|
 * b:          ---3|
 * result:  -------(3|)              b settled first; a is cancelled then
 * ```
 *
 * **Which `race` is this?** Not RxJS's, though the name is the same and an editor's auto-import
 * may pick either: this one is the operator `import { race } from 'rxjs-concurrency'`, RxJS's is
 * the creation function `import { race } from 'rxjs'` (and the operator `raceWith`). RxJS's mirrors
 * whichever source *emits* first; here the winner is the first task to *settle* (complete or
 * error): a task streaming progress values does not win by its first value, a fast failure wins
 * over a slow success, and the output carries one result, not the winner's whole stream.
 *
 * @example
 * ```ts
 * import { race } from 'rxjs-concurrency';   // not RxJS's race
 *
 * // Ask two mirrors; take the first complete answer and abort the other request.
 * from([
 *   (signal: AbortSignal) => fetch(primary, { signal }).then((r) => r.json()),
 *   (signal: AbortSignal) => fetch(mirror, { signal }).then((r) => r.json()),
 * ]).pipe(race()).subscribe(render);
 * ```
 */
export function race<T>(): OperatorFunction<Task<T>, T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      new Race<T>(subscriber, { where: 'race', limit: Infinity, returnErrors: false }).run(source);
    });
}
