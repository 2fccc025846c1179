import { PermitGate } from './internal/permitGate';

/**
 * A mutual-exclusion lock: a semaphore of one. Not re-entrant: a `run` nested in a `run` of the
 * same lock waits for itself forever (bound it with `moveOnAfter` if that can happen).
 *
 * @example
 * ```ts
 * const saving = new Lock();
 * save$.pipe(concatMap((doc) => saving.run(() => http.put(url, doc))));
 * ```
 */
export class Lock extends PermitGate {
  constructor() {
    super('Lock', 1);
  }

  /** True while the lock is held. */
  get locked(): boolean {
    return this.held > 0;
  }
}
