import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { currentScope, inScope, type Scope } from './internal/context';
import { reportUnhandled } from './internal/report';

/** A shielded source runs outside every enclosing deadline and belongs to no group of its own. */
const SHIELDED: Scope = { deadline: Infinity, owner: null };

/**
 * Protects the source from cancellation: unsubscribing from the output does not unsubscribe the
 * source, which runs on to completion (a save, a release on a server: work that must not stop
 * half-way). Values and the completion it sends after that are dropped. The source is also outside
 * every enclosing deadline: `effectiveDeadline()` is `Infinity` inside it unless it sets its own.
 *
 * Nothing outlives its owner: inside a `taskGroup`, a group that is cancelled (or fails) waits for
 * its shielded children to end before it completes, and an error they send after that is the
 * group's (in its `TaskGroupError`). Where nobody is left to tell (outside a group, or the group was
 * unsubscribed), an error goes to RxJS's `config.onUnhandledError` (or is thrown asynchronously when
 * none is set), like any error nobody handles.
 *
 * It does not keep an enclosing gate's permit: `gate.run(save$.pipe(shield()))` releases the permit
 * when unsubscribed, while the save goes on.
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
      const owner = currentScope().owner;
      // Set once the subscriber has left while the source runs on: how its end is reported.
      let adopted: ((failed: boolean, error: unknown) => boolean) | null | undefined;
      let running = true;
      const ended = (failed: boolean, error: unknown): void => {
        running = false;
        if (adopted === undefined) {
          if (failed) subscriber.error(error);
          else subscriber.complete();
        } else if (!(adopted?.(failed, error) ?? false) && failed) {
          reportUnhandled(error);
        }
      };
      inScope(SHIELDED, () =>
        source.subscribe({
          next: (value) => {
            if (!subscriber.closed) subscriber.next(value);
          },
          error: (error: unknown) => ended(true, error),
          complete: () => ended(false, undefined),
        }),
      );
      // No teardown that stops the source: unsubscribing from the output leaves it running, owned
      // by the group it was started in.
      return () => {
        if (running && adopted === undefined) adopted = owner?.adopt() ?? null;
      };
    });
}
