import { Observable } from 'rxjs';
import { Captured } from '../internal/context';
import type { AcquireOptions } from '../internal/types';
import { checkObject, checkSignal } from '../internal/validate';

/** Who is told what becomes of a waiter: never synchronously, since Redis answers first. @internal */
export interface Sink<P> {
  granted(permit: P): void;
  failed(error: unknown): void;
}

/** What the waiting shapes of a Redis gate (`acquire`, `acquireAsync`) need of it. @internal */
export interface Waiting<P, W> {
  /** Throws unless `weight` is an integer the gate can ever grant. */
  checkWeight(where: string, weight: number, name?: string): void;
  /** Puts a waiter for `weight` in line; `sink` learns what becomes of it. */
  enter(weight: number, sink: Sink<P>): W;
  /** Ends a waiter exactly once: withdraws it, or ends what it was granted. */
  retire(waiter: W): void;
}

/**
 * A Redis gate's `acquire(weight)`, the weight already checked: emits once granted, in the async
 * context of the subscriber; unsubscribing retires the waiter. @internal
 */
export function acquireOnce<P, W>(gate: Waiting<P, W>, weight: number): Observable<void> {
  return new Observable<void>((subscriber) => {
    const captured = new Captured();
    captured.hold();
    const waiter = gate.enter(weight, { granted: () => captured.run(() => subscriber.next()), failed: (error) => subscriber.error(error) });
    return () => gate.retire(waiter);
  });
}

/**
 * A Redis gate's `acquireAsync(options)`: resolves with the grant, or rejects with `signal.reason`
 * when `signal` aborts first (the waiter leaves the line) and with Redis's error if a script fails.
 * @internal
 */
export function acquirePromise<P, W>(gate: Waiting<P, W>, options: AcquireOptions | undefined): Promise<P> {
  if (options !== undefined) checkObject('acquireAsync', 'options', options);
  const signal = options?.signal;
  const weight = options?.weight ?? 1;
  gate.checkWeight('acquireAsync', weight, 'options.weight');
  if (signal !== undefined) checkSignal('acquireAsync', 'options.signal', signal);
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  return new Promise<P>((resolve, reject) => {
    const onAbort = (): void => {
      gate.retire(waiter);
      reject(signal!.reason);
    };
    // Never granted synchronously: the listener is in place before any answer.
    const waiter = gate.enter(weight, {
      granted: (permit) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(permit);
      },
      failed: (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      },
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
