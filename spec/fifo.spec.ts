import { Fifo } from '../lib/internal/fifo';

/** Takes everything out of `fifo`, oldest first. */
function drainAll<T>(fifo: Fifo<T>): T[] {
  const items: T[] = [];
  while (fifo.length > 0) items.push(fifo.take());
  return items;
}

describe('Fifo (the ring buffer behind every wait line and buffer)', () => {
  it('pushFront onto a full ring grows it instead of overwriting the newest item', () => {
    const fifo = new Fifo<number>();
    for (let i = 1; i <= 8; i++) fifo.push(i);
    fifo.pushFront(0);
    expect(drainAll(fifo)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('keeps order across the wrap-around, at the front and at the back', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 6; i++) fifo.push(i);
    expect([fifo.take(), fifo.take(), fifo.take()]).toEqual([0, 1, 2]);
    for (let i = 6; i < 11; i++) fifo.push(i);
    // Full again, with the oldest item in the middle of the ring.
    fifo.pushFront(2);
    expect(fifo.popBack()).toBe(10);
    fifo.push(10);
    fifo.push(11);
    expect(drainAll(fifo)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(fifo.peek()).toBeUndefined();
  });
});
