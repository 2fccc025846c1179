import { NEVER, Observable, Subject, firstValueFrom, lastValueFrom, of, throwError, toArray } from 'rxjs';
import { isCancelled } from 'rxjs-concurrency';
import { fromTask } from '../lib/internal/fromTask';
import type { Task } from '../lib/internal/types';

const taskOf = <T>(task: Task<T>): ReturnType<typeof fromTask<T>> => fromTask(task, 'test');

describe('fromTask', () => {
  it('passes an ObservableInput through: Observable, array, Promise, iterable', async () => {
    expect(await lastValueFrom(taskOf(of(1, 2)).pipe(toArray()))).toEqual([1, 2]);
    expect(await lastValueFrom(taskOf([3, 4]).pipe(toArray()))).toEqual([3, 4]);
    expect(await firstValueFrom(taskOf(Promise.resolve(5)))).toBe(5);
    expect(await lastValueFrom(taskOf(new Set([6])).pipe(toArray()))).toEqual([6]);
  });

  it('calls a factory at subscription time, once per subscription, each with its own signal', () => {
    const signals: AbortSignal[] = [];
    const task = taskOf((signal) => {
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
    const subscription = taskOf((s) => {
      signal = s;
      s.addEventListener('abort', () => order.push('aborted'));
      return new Observable<never>(() => () => order.push('work unsubscribed'));
    }).subscribe();
    expect(signal.aborted).toBe(false);
    subscription.unsubscribe();
    expect(order).toEqual(['work unsubscribed', 'aborted']);
    expect(isCancelled(signal.reason)).toBe(true);
  });

  it('does not abort the signal of a task that completed', () => {
    let signal: AbortSignal | undefined;
    taskOf((s) => {
      signal = s;
      return of(1);
    }).subscribe();
    expect(signal?.aborted).toBe(false);
  });

  it('aborts the signal of a task that errored, after the error reached its subscriber', () => {
    // The work a failed task left running (a fetch behind a timeout inside the factory) must stop.
    const order: string[] = [];
    let signal: AbortSignal | undefined;
    taskOf((s) => {
      signal = s;
      s.addEventListener('abort', () => order.push('aborted'));
      return throwError(() => new Error('x'));
    }).subscribe({ error: () => order.push('error') });
    expect(order).toEqual(['error', 'aborted']);
    expect(isCancelled(signal?.reason)).toBe(true);
  });

  it('names the caller and the parameter when the task is not one', () => {
    expect(() => fromTask(42 as never, 'TaskGroup.start')).toThrow(
      new TypeError('TaskGroup.start: task must be an ObservableInput or a function (signal) => ObservableInput, received 42'),
    );
  });

  it('mirrors values, errors and completion of the factory result', () => {
    const subject = new Subject<number>();
    const events: unknown[] = [];
    taskOf(() => subject).subscribe({
      next: (v) => events.push(v),
      error: (e: unknown) => events.push(e),
      complete: () => events.push('complete'),
    });
    subject.next(1);
    subject.error(new Error('boom'));
    expect(events).toEqual([1, new Error('boom')]);
  });

  it('throws a TypeError now for something that is neither a function nor an ObservableInput', () => {
    expect(() => taskOf(123 as never)).toThrow(TypeError);
    expect(() => taskOf(null as never)).toThrow(TypeError);
  });

  it('a factory that throws errors the subscription; its signal is not left aborting anything', () => {
    const errors: unknown[] = [];
    taskOf(() => {
      throw new Error('factory failed');
    }).subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors).toEqual([new Error('factory failed')]);
  });

  it('a bare NEVER task is simply unsubscribed', () => {
    const subscription = taskOf(NEVER).subscribe();
    subscription.unsubscribe();
    expect(subscription.closed).toBe(true);
  });
});

describe('isCancelled', () => {
  it('is true for an AbortError of any kind and false for everything else, without throwing', () => {
    const abortError = new Error('stop');
    abortError.name = 'AbortError';
    expect([new DOMException('stop', 'AbortError'), abortError, { name: 'AbortError' }].map(isCancelled)).toEqual([true, true, true]);
    // A function has a `name` too, and null and primitives have none to read.
    const values = [
      function AbortError(): void {},
      null,
      undefined,
      'AbortError',
      0,
      new Error('stop'),
      new DOMException('stop', 'TimeoutError'),
    ];
    expect(values.map(isCancelled)).toEqual(values.map(() => false));
  });
});
