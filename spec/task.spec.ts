import { NEVER, Observable, Subject, firstValueFrom, lastValueFrom, of, throwError, toArray } from 'rxjs';
import { isCancelled } from 'rxjs-concurrency';
import { fromTask } from '../lib/task';

describe('fromTask', () => {
  it('passes an ObservableInput through: Observable, array, Promise, iterable', async () => {
    expect(await lastValueFrom(fromTask(of(1, 2)).pipe(toArray()))).toEqual([1, 2]);
    expect(await lastValueFrom(fromTask([3, 4]).pipe(toArray()))).toEqual([3, 4]);
    expect(await firstValueFrom(fromTask(Promise.resolve(5)))).toBe(5);
    expect(await lastValueFrom(fromTask(new Set([6])).pipe(toArray()))).toEqual([6]);
  });

  it('calls a factory at subscription time, once per subscription, each with its own signal', () => {
    const signals: AbortSignal[] = [];
    const task = fromTask((signal) => {
      signals.push(signal);
      return of(signals.length);
    });
    expect(signals).toEqual([]);
    const seen: number[] = [];
    task.subscribe((v) => seen.push(v));
    task.subscribe((v) => seen.push(v));
    expect(seen).toEqual([1, 2]);
    expect(signals).toHaveLength(2);
    expect(signals[0]).not.toBe(signals[1]);
  });

  it('aborts the signal with a cancellation reason when unsubscribed while running, after the work is unsubscribed', () => {
    const order: string[] = [];
    let signal!: AbortSignal;
    const subscription = fromTask((s) => {
      signal = s;
      s.addEventListener('abort', () => order.push('aborted'));
      return new Observable<never>(() => () => order.push('work unsubscribed'));
    }).subscribe();
    expect(signal.aborted).toBe(false);
    subscription.unsubscribe();
    expect(order).toEqual(['work unsubscribed', 'aborted']);
    expect(isCancelled(signal.reason)).toBe(true);
  });

  it('does not abort the signal of a task that completed or errored', () => {
    const signals: AbortSignal[] = [];
    fromTask((s) => { signals.push(s); return of(1); }).subscribe();
    fromTask((s) => { signals.push(s); return throwError(() => new Error('x')); }).subscribe({ error: () => undefined });
    expect(signals.map((s) => s.aborted)).toEqual([false, false]);
  });

  it('mirrors values, errors and completion of the factory result', () => {
    const subject = new Subject<number>();
    const events: unknown[] = [];
    fromTask(() => subject).subscribe({ next: (v) => events.push(v), error: (e: unknown) => events.push(e), complete: () => events.push('complete') });
    subject.next(1);
    subject.error(new Error('boom'));
    expect(events).toEqual([1, new Error('boom')]);
  });

  it('throws a TypeError now for something that is neither a function nor an ObservableInput', () => {
    expect(() => fromTask(123 as never)).toThrow(TypeError);
    expect(() => fromTask(null as never)).toThrow(TypeError);
  });

  it('a factory that throws errors the subscription; its signal is not left aborting anything', () => {
    const errors: unknown[] = [];
    fromTask(() => { throw new Error('factory failed'); }).subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors).toEqual([new Error('factory failed')]);
  });

  it('a bare NEVER task is simply unsubscribed', () => {
    const subscription = fromTask(NEVER).subscribe();
    subscription.unsubscribe();
    expect(subscription.closed).toBe(true);
  });
});
