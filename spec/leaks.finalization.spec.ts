import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Subscription } from 'rxjs';
import { Queue, Semaphore, type GateState } from 'rxjs-concurrency';

/*
 * Garbage collection of an unsubscribed state$ observer, watched with a FinalizationRegistry.
 *
 * Its own file because `npm run test:rxjs8` leaves it out, alone of every suite: under jest with
 * rxjs 8.0.0-alpha.14 the queue's unsubscribed observer is not collected within ten GCs (the gate's
 * is, and plain node collects both), so what it would measure there is jest's and the alpha's.
 */
setFlagsFromString('--expose-gc');
const gc = (globalThis.gc ?? runInNewContext('gc')) as () => void;

describe('leaks: state$ observers', () => {
  it('an unsubscribed state$ subscriber is garbage collected (FinalizationRegistry) while its gate or queue lives on', async () => {
    const sem = new Semaphore(2);
    const queue = new Queue<number>(1);
    const collected: string[] = [];
    const registry = new FinalizationRegistry<string>((name) => collected.push(name));
    const kept: GateState[] = [];
    const subscriptions: Subscription[] = [];
    // Made in a function so that no stack slot keeps the observers alive.
    (() => {
      for (const name of ['gate', 'queue']) {
        const observer = { next: () => undefined };
        registry.register(observer, name);
        if (name === 'gate') subscriptions.push(sem.state$.subscribe(observer));
        else if (name === 'queue') subscriptions.push(queue.state$.subscribe(observer));
      }
    })();
    const live = sem.state$.subscribe((s) => kept.push(s));
    sem.tryAcquire();
    for (const s of subscriptions) s.unsubscribe();
    subscriptions.length = 0;
    for (let i = 0; i < 10 && collected.length < 2; i++) {
      gc();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect(collected.sort()).toEqual(['gate', 'queue']);
    // The gate itself still notifies the subscriber that stayed.
    expect(kept).toEqual([
      { total: 2, available: 2, waiting: 0 },
      { total: 2, available: 1, waiting: 0 },
    ]);
    expect(queue.size).toBe(0);
    live.unsubscribe();
  });
});
