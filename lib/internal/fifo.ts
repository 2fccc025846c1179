/**
 * A first-in first-out buffer in a ring that doubles when full: O(1) at both ends without
 * `Array.prototype.shift` (O(n) in V8 past 16k items) and without copying live items down. The FIFO
 * of plain values of every primitive (waiters, which must leave from the middle, use `WaitList`; the
 * trampoline keeps its own array, which it reuses across drains).
 * @internal
 */
export class Fifo<T> {
  private slots: (T | undefined)[] = new Array<T | undefined>(8);
  private head = 0;
  length = 0;

  push(item: T): void {
    if (this.length === this.slots.length) this.grow();
    this.slots[(this.head + this.length) & (this.slots.length - 1)] = item;
    this.length++;
  }

  /** The oldest item, left in place; `undefined` when empty. */
  peek(): T | undefined {
    return this.length > 0 ? this.slots[this.head] : undefined;
  }

  /** Removes and returns the oldest item; the caller checks `length > 0` first. */
  take(): T {
    const item = this.slots[this.head] as T;
    // A taken item must not stay reachable from here.
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) & (this.slots.length - 1);
    this.length--;
    return item;
  }

  /** Puts `item` back in front of the oldest one. */
  pushFront(item: T): void {
    if (this.length === this.slots.length) this.grow();
    this.head = (this.head - 1) & (this.slots.length - 1);
    this.slots[this.head] = item;
    this.length++;
  }

  /** Removes and returns the newest item; the caller checks `length > 0` first. */
  popBack(): T {
    const at = (this.head + this.length - 1) & (this.slots.length - 1);
    const item = this.slots[at] as T;
    this.slots[at] = undefined;
    this.length--;
    return item;
  }

  /** Drops every item, and the memory a burst grew the ring to. */
  clear(): void {
    this.slots = new Array<T | undefined>(8);
    this.head = 0;
    this.length = 0;
  }

  private grow(): void {
    const slots = new Array<T | undefined>(this.slots.length * 2);
    for (let i = 0; i < this.length; i++) slots[i] = this.slots[(this.head + i) & (this.slots.length - 1)];
    this.slots = slots;
    this.head = 0;
  }
}
