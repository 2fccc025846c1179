import { take } from 'rxjs';
import { BorrowerError, CapacityLimiter } from 'rxjs-concurrency';

describe('borrowers: CapacityLimiter.acquireOnBehalfOf', () => {
  it('a borrower holds at most one token; a second acquire for it errors with BorrowerError; after release it works again', () => {
    const limiter = new CapacityLimiter(3);
    const borrower = {};
    const grants: string[] = [];
    const first = limiter.acquireOnBehalfOf(borrower).subscribe(() => grants.push('first'));
    expect(limiter.borrowedTokens).toBe(1);
    const errors: unknown[] = [];
    limiter.acquireOnBehalfOf(borrower).subscribe({ next: () => grants.push('second'), error: (e: unknown) => errors.push(e) });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BorrowerError);
    expect((errors[0] as Error).message).toBe('this borrower already holds a token of the limiter');
    expect((errors[0] as Error).name).toBe('BorrowerError');
    expect(limiter.borrowedTokens).toBe(1);
    const other = limiter.acquireOnBehalfOf({}).subscribe(() => grants.push('other'));
    expect(limiter.borrowedTokens).toBe(2);
    first.unsubscribe();
    expect(limiter.borrowedTokens).toBe(1);
    const third = limiter.acquireOnBehalfOf(borrower).subscribe(() => grants.push('third'));
    expect(grants).toEqual(['first', 'other', 'third']);
    expect(limiter.borrowedTokens).toBe(2);
    third.unsubscribe();
    other.unsubscribe();
    expect(limiter.borrowedTokens).toBe(0);
  });

  it('a borrower that is still waiting counts as holding: the second acquire errors; unsubscribing the waiter frees the borrower', () => {
    const limiter = new CapacityLimiter(1);
    const held = limiter.tryAcquire()!;
    const borrower = {};
    const waiting = limiter.acquireOnBehalfOf(borrower).subscribe();
    expect(limiter.waiting).toBe(1);
    const errors: unknown[] = [];
    limiter.acquireOnBehalfOf(borrower).subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors.map((e) => e instanceof BorrowerError)).toEqual([true]);
    expect(limiter.waiting).toBe(1);
    waiting.unsubscribe();
    expect(limiter.waiting).toBe(0);
    const again = limiter.acquireOnBehalfOf(borrower).subscribe();
    expect(limiter.waiting).toBe(1);
    held.release();
    expect([limiter.borrowedTokens, limiter.waiting]).toEqual([1, 0]);
    again.unsubscribe();
    expect(limiter.borrowedTokens).toBe(0);
  });

  it('the check is made at subscription: one Observable can be subscribed again after it was released', () => {
    const limiter = new CapacityLimiter(1);
    const borrower = {};
    const acquire = limiter.acquireOnBehalfOf(borrower);
    acquire.pipe(take(1)).subscribe();
    acquire.pipe(take(1)).subscribe();
    expect(limiter.borrowedTokens).toBe(0);
  });
});

describe('borrowers: a release frees the borrower before its token is handed on', () => {
  it('a borrower asking again from inside the grant its own release caused waits in line, not BorrowerError', () => {
    const limiter = new CapacityLimiter(1);
    const borrower = {};
    const log: string[] = [];
    const held = limiter.acquireOnBehalfOf(borrower).subscribe(() => log.push('borrower'));
    limiter.acquireOnBehalfOf({}).subscribe(() => {
      log.push('next holder');
      limiter.acquireOnBehalfOf(borrower).subscribe({ next: () => log.push('borrower again'), error: (e: Error) => log.push(e.name) });
    });
    held.unsubscribe();
    expect(log).toEqual(['borrower', 'next holder']);
    expect([limiter.borrowedTokens, limiter.waiting]).toEqual([1, 1]);
  });
});
