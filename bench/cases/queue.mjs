// Queue against an RxJS Subject. The workload is fixed by the issue that asked for it; change it
// only with it, never to flatter the implementation. No target: the Subject has no backpressure, no
// buffer and no hand-off bookkeeping, so the ratio is what that bookkeeping costs.
import { Subject } from 'rxjs';
import pkg from '../subject.mjs';

const { Queue } = pkg;

function check(ok, what) {
  if (!ok) throw new Error(`bench: ${what}`);
}

// --- 7. Queue ----------------------------------------------------------------------------------
// 10^6 items: a consumer subscribed with `consume()`, then a producer that subscribes `put(i)` for
// each item, on a Queue of maxSize 1024; against `subject.next(i)` with the consumer subscribed to
// `subject`. One op = one item from producer to consumer.

const ITEMS = 1_000_000;
const SUM = (ITEMS * (ITEMS - 1)) / 2;

function ours() {
  const queue = new Queue(1024);
  let sum = 0;
  let completed = false;
  let accepted = 0;
  queue.consume().subscribe({ next: (x) => { sum += x; }, complete: () => { completed = true; } });
  const putter = { complete: () => { accepted++; } };
  for (let i = 0; i < ITEMS; i++) queue.put(i).subscribe(putter);
  queue.close();
  check(completed && accepted === ITEMS && sum === SUM, 'queue: ours');
}

function subject() {
  const items = new Subject();
  let sum = 0;
  let completed = false;
  items.subscribe({ next: (x) => { sum += x; }, complete: () => { completed = true; } });
  for (let i = 0; i < ITEMS; i++) items.next(i);
  items.complete();
  check(completed && sum === SUM, 'queue: Subject');
}

export default [
  {
    name: 'queue: put/consume',
    description: '10^6 items `queue.put(i).subscribe()` to a `queue.consume()` subscriber, maxSize 1024, vs `subject.next(i)` to a subscriber; one op = one item (no target)',
    metric: 'time',
    ops: ITEMS,
    rounds: 5,
    warmup: 1,
    sides: { ours, 'Subject': subject },
    targets: [{ side: 'ours', vs: 'Subject' }],
  },
];
