import type { Queue, QueueState } from 'rxjs-concurrency';

/** The queue's counters read directly, to compare with what `state$` says. */
export function counters<T>(queue: Queue<T>): QueueState {
  const lines = queue as unknown as { putters: { size: number }; getters: { size: number } };
  return { size: queue.size, waitingPutters: lines.putters.size, waitingGetters: lines.getters.size, closed: queue.closed };
}

/** The last state$ emission, which must always equal the counters read synchronously. */
export function lastState<T>(queue: Queue<T>): () => QueueState {
  let last: QueueState | undefined;
  queue.state$.subscribe((state) => (last = state));
  return () => last!;
}

/** A `QueueState` literal. */
export function queueState(size: number, waitingPutters: number, waitingGetters: number, closed = false): QueueState {
  return { size, waitingPutters, waitingGetters, closed };
}

/**
 * Subscribes to `queue.state$`; the checker it returns asserts that the counters and the last
 * state$ emission both equal the expected state, synchronously (PITFALLS 17).
 */
export function exactState<T>(queue: Queue<T>): (size: number, waitingPutters: number, waitingGetters: number, closed?: boolean) => void {
  const last = lastState(queue);
  return (size, waitingPutters, waitingGetters, closed = false) => {
    const expected = queueState(size, waitingPutters, waitingGetters, closed);
    expect({ counters: counters(queue), state$: last() }).toEqual({ counters: expected, state$: expected });
  };
}
