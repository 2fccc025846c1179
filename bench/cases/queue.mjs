// Queue against an RxJS Subject. The workload is fixed by the issue that asked for it; change it
// only with it, never to flatter the implementation. The Subject has no backpressure, no buffer and
// no hand-off bookkeeping, so the ratio is what that bookkeeping costs; issue 14 bounds it at 3x.
import { Subject } from 'rxjs';
import { now } from '../harness.mjs';
import pkg from '../subject.mjs';

const { Queue } = pkg;

function check(ok, what) {
  if (!ok) throw new Error(`bench: ${what}`);
}

// --- 7. Queue ----------------------------------------------------------------------------------
// 10^6 items: a consumer subscribed with `consume()`, then a producer that subscribes `put(i)` for
// each item, on a Queue of maxSize 1024; against `subject.next(i)` with the consumer subscribed to
// `subject`. One op = one item from producer to consumer. Beside them, the same consumer fed by
// `putNowait(i)`: the queue without the Observable that each `put` returns and the producer subscribes.

const ITEMS = 1_000_000;
const SUM = (ITEMS * (ITEMS - 1)) / 2;

function ours() {
  fill((queue, i, putter) => queue.put(i).subscribe(putter), 'queue: ours');
}

function oursPutNowait() {
  fill((queue, i, putter) => (queue.putNowait(i), putter.complete()), 'queue: ours (putNowait)');
}

/** A consume() subscriber, then ITEMS items offered by `put` (which tells `putter` when accepted). */
function fill(put, what) {
  const queue = new Queue(1024);
  let sum = 0;
  let completed = false;
  let accepted = 0;
  queue.consume().subscribe({
    next: (x) => {
      sum += x;
    },
    complete: () => {
      completed = true;
    },
  });
  const putter = {
    complete: () => {
      accepted++;
    },
  };
  for (let i = 0; i < ITEMS; i++) put(queue, i, putter);
  queue.close();
  check(completed && accepted === ITEMS && sum === SUM, what);
}

function subject() {
  const items = new Subject();
  let sum = 0;
  let completed = false;
  items.subscribe({
    next: (x) => {
      sum += x;
    },
    complete: () => {
      completed = true;
    },
  });
  for (let i = 0; i < ITEMS; i++) items.next(i);
  items.complete();
  check(completed && sum === SUM, 'queue: Subject');
}

// --- Queue as an AsyncIterable -----------------------------------------------------------------
// 10^5 items read with `for await (const x of queue)`. 'ours': from a Queue(1024) fed at the same
// time by an async producer that awaits `queue.putAsync(i)` for each item, then closes it: the
// pipeline as users write it, both faces of the queue and their hand-offs. 'ours (buffered)': the
// loop alone over a queue already holding every item (timed from the loop's start): the iterator's
// path for a buffered item. Both against `for await` over a plain async generator that yields the
// same items. One op = one item read. Issue 14 bounds the async-iterable path at 1.5x the generator.

const ITERATED = 100_000;
const ITERATED_SUM = (ITERATED * (ITERATED - 1)) / 2;

async function oursForAwait() {
  const queue = new Queue(1024);
  const producer = (async () => {
    for (let i = 0; i < ITERATED; i++) await queue.putAsync(i);
    queue.close();
  })();
  let sum = 0;
  for await (const x of queue) sum += x;
  await producer;
  check(sum === ITERATED_SUM, 'queue: for await');
}

async function oursForAwaitBuffered() {
  const queue = new Queue(Infinity);
  for (let i = 0; i < ITERATED; i++) queue.putNowait(i);
  queue.close();
  const start = now();
  let sum = 0;
  for await (const x of queue) sum += x;
  const ns = now() - start;
  check(sum === ITERATED_SUM, 'queue: for await (buffered)');
  return { ns };
}

async function* numbers() {
  for (let i = 0; i < ITERATED; i++) yield i;
}

async function generatorForAwait() {
  let sum = 0;
  for await (const x of numbers()) sum += x;
  check(sum === ITERATED_SUM, 'queue: async generator');
}

export default [
  {
    name: 'queue: put/consume',
    description:
      '10^6 items `queue.put(i).subscribe()` to a `queue.consume()` subscriber, maxSize 1024, vs `subject.next(i)` to a subscriber, and the same queue fed by `putNowait(i)`; one op = one item',
    metric: 'time',
    ops: ITEMS,
    rounds: 5,
    warmup: 1,
    sides: { ours, 'ours (putNowait)': oursPutNowait, Subject: subject },
    targets: [
      { side: 'ours', vs: 'Subject', max: 3 },
      { side: 'ours (putNowait)', vs: 'Subject' },
    ],
  },
  {
    name: 'queue: for await',
    description:
      '10^5 items read with `for await` from a Queue(1024) fed by an async `putAsync` producer, and from a Queue already holding them (loop timed alone), vs `for await` over an async generator yielding them; one op = one item',
    metric: 'time',
    ops: ITERATED,
    rounds: 7,
    warmup: 2,
    sides: { ours: oursForAwait, 'ours (buffered)': oursForAwaitBuffered, 'async generator': generatorForAwait },
    targets: [
      { side: 'ours', vs: 'async generator', max: 1.5 },
      { side: 'ours (buffered)', vs: 'async generator', max: 1.5 },
    ],
  },
];
