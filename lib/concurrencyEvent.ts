import { Observable } from 'rxjs';
import { captureAsync, currentScope, resume } from './internal/context';
import { WaitList, WaitNode } from './internal/waitList';
import { batch, enqueue, type Runnable } from './internal/trampoline';

class EventWaiter extends WaitNode implements Runnable {
  /** The waiter wakes in its own scope and async context, not in those of whoever set the event. */
  private readonly scope = currentScope();
  private readonly snapshot = captureAsync();

  constructor(readonly wake: () => void) {
    super();
  }

  run(): void {
    resume(this.scope, this.snapshot, this.wake, undefined);
  }
}

/**
 * A one-shot event: `wait()` emits once `set()` has been called. Named so that it never shadows the
 * DOM's global `Event`. There is no `clear()`: make a new event.
 *
 * @example
 * ```ts
 * const ready = new ConcurrencyEvent();
 * requests$.pipe(concatMap((r) => ready.wait().pipe(map(() => r))));
 * server.on('listening', () => ready.set());
 * ```
 */
export class ConcurrencyEvent {
  private readonly waiters = new WaitList<EventWaiter>();
  private flag = false;

  /** True once `set()` was called. */
  get isSet(): boolean {
    return this.flag;
  }

  /** Subscribers currently waiting. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Sets the event and wakes every waiter, in the order they subscribed. Idempotent. */
  set(): void {
    if (this.flag) return;
    this.flag = true;
    batch(() => {
      for (let waiter = this.waiters.popFront(); waiter !== null; waiter = this.waiters.popFront()) enqueue(waiter);
    });
  }

  /** Emits once and completes when the event is set: synchronously if it already is. */
  wait(): Observable<void> {
    return new Observable<void>((subscriber) => {
      const wake = (): void => {
        subscriber.next();
        subscriber.complete();
      };
      if (this.flag) {
        wake();
        return undefined;
      }
      const waiter = new EventWaiter(wake);
      this.waiters.push(waiter);
      return () => this.waiters.remove(waiter);
    });
  }
}
