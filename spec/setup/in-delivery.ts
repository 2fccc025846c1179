import { ConcurrencyEvent } from 'rxjs-concurrency';

/**
 * Runs `fn` as a delivery of the package's trampoline (an event's waiter), where the hand-offs it
 * causes queue until it returns. Rethrows what `fn` threw: RxJS would report it asynchronously.
 */
export function inDelivery(fn: () => void): void {
  let ran = false;
  let failed = false;
  let failure: unknown;
  const event = new ConcurrencyEvent();
  event.wait().subscribe(() => {
    ran = true;
    try {
      fn();
    } catch (error) {
      failed = true;
      failure = error;
    }
  });
  event.set();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the delivery, which runs inside set()
  if (failed) throw failure;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- likewise
  if (!ran) throw new Error('inDelivery: the delivery did not run');
}
