/**
 * The package's hand-off trampoline written the obvious way, for the models of the property tests:
 * a queued delivery runs at the next drain, or, queued while one is under way, when control returns
 * to that drain loop, after everything queued before it.
 */
export class TrampolineModel<T> {
  private readonly queued: T[] = [];
  private draining = false;

  /** `deliver` is called with each queued item, in order; it may queue more. */
  constructor(private readonly deliver: (item: T) => void) {}

  /** Queues `item`; it is delivered at the next `drain()` (or at the end of the one under way). */
  enqueue(item: T): void {
    this.queued.push(item);
  }

  /** `fn` now, then (unless a drain is under way further up) everything queued. */
  batch(fn: () => void): void {
    if (this.draining) {
      fn();
      return;
    }
    this.draining = true;
    fn();
    for (let item = this.queued.shift(); item !== undefined; item = this.queued.shift()) this.deliver(item);
    this.draining = false;
  }

  /** Delivers what is queued, unless a drain further up the stack will. */
  drain(): void {
    if (!this.draining) this.batch(() => {});
  }
}
