import { batch } from './trampoline';

/** A waiting async call (a gate's `acquireAsync`, a queue's `putAsync`/`getAsync`) that its signal can withdraw. @internal */
export interface AbortWaiter {
  /** The signal aborted while it waited: leave the line, then reject with `reason`. */
  aborted(reason: unknown): void;
}

/**
 * The waiters that share one AbortSignal: one listener on the signal however many wait, removed when
 * the last of them leaves. A listener each would cost O(n) per call (Node's EventTarget scans its
 * listeners on every add) and warn past ten.
 */
class AbortWatch {
  readonly waiters = new Set<AbortWaiter>();

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this, { once: true });
  }

  remove(waiter: AbortWaiter): void {
    if (this.waiters.delete(waiter) && this.waiters.size === 0) {
      this.signal.removeEventListener('abort', this);
      watches.delete(this.signal);
    }
  }

  handleEvent(): void {
    watches.delete(this.signal);
    const reason: unknown = this.signal.reason;
    // Every aborted waiter leaves before whatever it frees (a permit, room, an item) is handed on.
    batch(() => {
      for (const waiter of this.waiters) waiter.aborted(reason);
    });
  }
}

const watches = new WeakMap<AbortSignal, AbortWatch>();

/** `waiter` now waits: an abort of `signal` withdraws it. The caller checked `signal.aborted` first. @internal */
export function watchAbort(signal: AbortSignal, waiter: AbortWaiter): void {
  let watch = watches.get(signal);
  if (watch === undefined) watches.set(signal, (watch = new AbortWatch(signal)));
  watch.waiters.add(waiter);
}

/** `waiter` no longer waits (granted, served, refused): `signal` stops listening once nobody does. @internal */
export function unwatchAbort(signal: AbortSignal, waiter: AbortWaiter): void {
  watches.get(signal)?.remove(waiter);
}
