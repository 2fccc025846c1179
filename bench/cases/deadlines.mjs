// failAfter against the deadlines RxJS users write by hand. The workload is fixed by the issue that
// asked for it (issue 14); change it only with it, never to flatter the implementation.
import { of, takeUntil, timeout, timer } from 'rxjs';
import pkg from '../subject.mjs';

const { failAfter } = pkg;

function check(ok, what) {
  if (!ok) throw new Error(`bench: ${what}`);
}

// --- 9. Deadlines ------------------------------------------------------------------------------
// 10^5 short-lived subscriptions, one after the other, each to `of(i)` under a deadline that never
// fires: `failAfter(ms)` vs `timeout({ first: ms, each: ms })` vs `takeUntil(timer(ms))`. On the
// default asyncScheduler each side arms a real timer per subscription and clears it when `of(i)`
// completes (`timeout` arms it at the value, for `each`); that is the cost measured. One op = one
// subscription, its value and its completion. Issue 14: failAfter at most 1.1x the faster of the
// two peers, i.e. both ratios at most 1.1.

const SUBSCRIPTIONS = 100_000;
const SUM = (SUBSCRIPTIONS * (SUBSCRIPTIONS - 1)) / 2;
// Never reached: the figure is what a deadline costs when it is not.
const MS = 60_000;

// Each side has its own loop (no shared helper): a call site shared by all sides would be
// megamorphic and charge every side for the others.
const sides = {
  'failAfter(ms)': () => {
    const deadline = failAfter(MS);
    let sum = 0;
    let done = 0;
    const observer = {
      next: (x) => {
        sum += x;
      },
      complete: () => {
        done++;
      },
    };
    for (let i = 0; i < SUBSCRIPTIONS; i++) of(i).pipe(deadline).subscribe(observer);
    check(sum === SUM && done === SUBSCRIPTIONS, 'deadlines: failAfter');
  },
  'timeout({ first, each })': () => {
    const deadline = timeout({ first: MS, each: MS });
    let sum = 0;
    let done = 0;
    const observer = {
      next: (x) => {
        sum += x;
      },
      complete: () => {
        done++;
      },
    };
    for (let i = 0; i < SUBSCRIPTIONS; i++) of(i).pipe(deadline).subscribe(observer);
    check(sum === SUM && done === SUBSCRIPTIONS, 'deadlines: timeout');
  },
  'takeUntil(timer(ms))': () => {
    // One timer Observable for all: each subscription to it arms its own timer.
    const deadline = takeUntil(timer(MS));
    let sum = 0;
    let done = 0;
    const observer = {
      next: (x) => {
        sum += x;
      },
      complete: () => {
        done++;
      },
    };
    for (let i = 0; i < SUBSCRIPTIONS; i++) of(i).pipe(deadline).subscribe(observer);
    check(sum === SUM && done === SUBSCRIPTIONS, 'deadlines: takeUntil');
  },
};

export default [
  {
    name: 'deadlines: failAfter on short-lived subscriptions',
    description:
      '10^5 subscriptions to `of(i)` under a 60 s deadline that never fires: `failAfter` vs `timeout({ first, each })` vs `takeUntil(timer())`; one op = one subscription to completion; the target is against the faster peer, so both ratios',
    metric: 'time',
    ops: SUBSCRIPTIONS,
    rounds: 7,
    warmup: 2,
    sides,
    targets: [
      { side: 'failAfter(ms)', vs: 'timeout({ first, each })', max: 1.1 },
      { side: 'failAfter(ms)', vs: 'takeUntil(timer(ms))', max: 1.1 },
    ],
  },
];
