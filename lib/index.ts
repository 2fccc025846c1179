export type { Gate, GateState, Permit } from './gate';
export { Semaphore } from './semaphore';
export { Lock } from './lock';
export { CapacityLimiter } from './capacityLimiter';
export { withPermit } from './withPermit';
export { ConcurrencyEvent } from './concurrencyEvent';
export type { Task } from './task';
export { isCancelled } from './isCancelled';
export { TaskGroupError, WouldBlockError, QueueClosedError, EndOfStreamError, BorrowerError } from './errors';
