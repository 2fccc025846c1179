import { Observable } from 'rxjs';

/**
 * Reports an error that nobody is left to take, the way RxJS reports its own: to
 * `config.onUnhandledError` when set, else thrown on a later job. A subscriber with no error
 * callback is how RxJS does it, in every major, under `TestScheduler` too.
 * @internal
 */
export function reportUnhandled(error: unknown): void {
  new Observable<never>((subscriber) => subscriber.error(error)).subscribe();
}
