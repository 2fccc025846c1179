import type { Subscription } from 'rxjs';
import type { Gate, GateState } from 'rxjs-concurrency';
import { record } from './record';

/** A gate's state from its three counters: expected `state$` values fit on one line. */
export const st = (total: number, available: number, waiting: number): GateState => ({ total, available, waiting });

/** Every state `state$` emits, synchronously as they come. */
export function recordStates(gate: Gate): { states: GateState[]; last: () => GateState | undefined; subscription: Subscription } {
  const { values: states, subscription } = record(gate.state$);
  return { states, last: () => states[states.length - 1], subscription };
}
