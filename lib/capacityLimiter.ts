import { Observable, defer, throwError } from 'rxjs';
import { PermitGate } from './internal/permitGate';
import { BorrowerError } from './errors';
import { checkCount, checkObject } from './internal/validate';

/**
 * A pool of tokens, one per holder, whose size can change at run time: raise `totalTokens` and
 * waiters are let in at once, in order; lower it and nobody loses a token, new grants just wait
 * until fewer than `totalTokens` are borrowed.
 *
 * @example
 * ```ts
 * const api = new CapacityLimiter(8);   // shared by every stage that calls the API
 * ids$.pipe(mergeMap((id) => api.run((signal) => fetchItem(id, signal))));
 * api.totalTokens = 2;                  // back off when the API says 429
 * ```
 */
export class CapacityLimiter extends PermitGate {
  private readonly borrowers = new WeakSet();

  /** @param totalTokens - tokens that may be borrowed at once: an integer ≥ 1, or `Infinity` */
  constructor(totalTokens: number) {
    super('CapacityLimiter', checkCount('CapacityLimiter', 'totalTokens', totalTokens, 1, true));
  }

  /** Tokens that may be borrowed at once. Settable: raising it wakes waiters; lowering revokes nothing. */
  get totalTokens(): number {
    return this.capacity;
  }

  /** Raising it wakes waiters at once, in order; lowering it revokes nothing. Integer ≥ 1 or `Infinity`. */
  set totalTokens(value: number) {
    this.capacity = checkCount('CapacityLimiter', 'totalTokens', value, 1, true);
    this.grow();
  }

  /** Tokens held now. */
  get borrowedTokens(): number {
    return this.held;
  }

  /** `max(0, totalTokens - borrowedTokens)`. */
  get availableTokens(): number {
    return this.available;
  }

  /**
   * Like `acquire()`, on behalf of `borrower`, which may hold one token at a time: a second acquire
   * for it, while the first waits or holds, errors with `BorrowerError`.
   */
  acquireOnBehalfOf(borrower: object): Observable<void> {
    checkObject('CapacityLimiter.acquireOnBehalfOf', 'borrower', borrower);
    return defer(() => {
      if (this.borrowers.has(borrower)) return throwError(() => new BorrowerError());
      this.borrowers.add(borrower);
      return new Observable<void>((subscriber) => {
        // Added before the acquire's own teardown, so it runs first: the borrower is free again
        // before its token is handed on and the next holder's code runs.
        subscriber.add(() => this.borrowers.delete(borrower));
        this.acquire().subscribe(subscriber);
      });
    });
  }
}
