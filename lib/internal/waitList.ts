/**
 * An intrusive doubly linked FIFO. Waiters carry their own links, so queueing allocates nothing and
 * a cancelled waiter leaves from the middle in O(1): no `Array.shift`, no `indexOf` + `splice`.
 * @internal
 */
export class WaitNode {
  // Not `next`: an async iterator is a waiter too, and its `next()` is taken.
  prevNode: WaitNode | null = null;
  nextNode: WaitNode | null = null;
  /** True while the node is in a list; makes `remove` idempotent. */
  queued = false;
}

/** @internal */
export class WaitList<N extends WaitNode> {
  private head: N | null = null;
  private tail: N | null = null;
  size = 0;

  push(node: N): void {
    node.prevNode = this.tail;
    node.nextNode = null;
    if (this.tail === null) this.head = node;
    else this.tail.nextNode = node;
    this.tail = node;
    node.queued = true;
    this.size++;
  }

  peek(): N | null {
    return this.head;
  }

  /** Unlinks `node`; false when it was not queued (already removed or granted). */
  remove(node: N): boolean {
    if (!node.queued) return false;
    const { prevNode: prev, nextNode: next } = node;
    if (prev === null) this.head = next as N | null;
    else prev.nextNode = next;
    if (next === null) this.tail = prev as N | null;
    else next.prevNode = prev;
    node.prevNode = node.nextNode = null;
    node.queued = false;
    this.size--;
    return true;
  }

  /** Puts `node` first: a waiter whose grant was taken back keeps its place at the head of the line. */
  pushFront(node: N): void {
    node.prevNode = null;
    node.nextNode = this.head;
    if (this.head === null) this.tail = node;
    else this.head.prevNode = node;
    this.head = node;
    node.queued = true;
    this.size++;
  }

  peekBack(): N | null {
    return this.tail;
  }

  /** Removes and returns the first node, or null when empty. */
  popFront(): N | null {
    const node = this.head;
    if (node !== null) this.remove(node);
    return node;
  }
}
