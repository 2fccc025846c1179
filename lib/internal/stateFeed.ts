import { Observable, Subject } from 'rxjs';

/** Two flat snapshots with the same value in every field. */
function sameFields<S extends object>(a: S, b: S): boolean {
  for (const key in a) if (a[key] !== b[key]) return false;
  return true;
}

/**
 * The `state$` of a primitive: the snapshot on subscribe, then a new snapshot after every
 * `changed()`, never the same one twice in a row. The Subject behind it is made on the first
 * `state$` and fired only while observed, so an unobserved primitive pays one field check on its
 * hot path.
 *
 * Each subscriber reads the snapshot at delivery: a subscriber that re-enters the primitive makes
 * an earlier change stale before it reaches the subscribers after it.
 * @internal
 */
export class StateFeed<S extends object> {
  private changes: Subject<void> | null = null;

  constructor(private readonly snapshot: () => S) {}

  get state$(): Observable<S> {
    const changes = (this.changes ??= new Subject<void>());
    const snapshot = this.snapshot;
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

  /** The state may have changed: tell the observers. */
  changed(): void {
    if (this.changes?.observed) this.changes.next();
  }
}
