import { Observable, type Subject } from 'rxjs';

/** Two flat snapshots with the same value in every field. */
function sameFields<S extends object>(a: S, b: S): boolean {
  for (const key in a) if (a[key] !== b[key]) return false;
  return true;
}

/**
 * The `state$` of a primitive: the snapshot on subscribe, then a new snapshot whenever `changes`
 * fires, never the same one twice in a row. The primitive creates `changes` lazily and fires it
 * only while it is observed, so an unobserved primitive pays nothing on its hot path.
 *
 * Each subscriber reads the snapshot at delivery: a subscriber that re-enters the primitive makes
 * an earlier change stale before it reaches the subscribers after it.
 * @internal
 */
export function stateStream<S extends object>(changes: Subject<void>, snapshot: () => S): Observable<S> {
  return new Observable<S>((subscriber) => {
    let last = snapshot();
    const subscription = changes.subscribe(() => {
      const state = snapshot();
      if (!sameFields(state, last)) {
        last = state;
        subscriber.next(state);
      }
    });
    subscriber.next(last);
    return subscription;
  });
}
