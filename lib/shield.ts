import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { withDeadline } from './internal/deadline';

/**
 * Protects the source from cancellation: unsubscribing from the output does not unsubscribe the
 * source, which runs on to completion (a save, a release on a server: work that must not stop
 * half-way). Values and the completion it sends after that are dropped; an error goes to RxJS's
 * `config.onUnhandledError` (or is thrown asynchronously when none is set), like any error nobody
 * handles. The source is also outside every enclosing deadline: `effectiveDeadline()` is
 * `Infinity` inside it unless it sets its own.
 *
 * No RxJS operator does this: `share()` keeps a source alive only while another subscriber is.
 *
 * @example
 * ```ts
 * // The user may leave the page; the draft is saved anyway, within 10 s of its own.
 * save(draft).pipe(failAfter(10_000), shield(), takeUntil(leave$)).subscribe();
 * ```
 */
export function shield<T>(): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      withDeadline(Infinity, () =>
        source.subscribe({
          next: (value) => {
            if (!subscriber.closed) subscriber.next(value);
          },
          error: (error: unknown) => {
            // Throwing from an observer's error callback is how RxJS reports an error that nobody
            // is left to handle: through config.onUnhandledError, on a later job.
            if (subscriber.closed) throw error;
            subscriber.error(error);
          },
          complete: () => {
            if (!subscriber.closed) subscriber.complete();
          },
        }),
      );
      // No teardown: unsubscribing from the output leaves the source running.
    });
}
