// taskGroup against forkJoin, RxJS's own way to run children together and wait for all of them.
// The workload is fixed by the issue that asked for it (issue 14); change it only with it, never to
// flatter the implementation.
import { forkJoin, of } from 'rxjs';
import pkg from '../subject.mjs';

const { taskGroup } = pkg;

function check(ok, what) {
  if (!ok) throw new Error(`bench: ${what}`);
}

// --- 10. taskGroup -----------------------------------------------------------------------------
// 10^5 groups one after the other, each of 4 synchronous children `of(x)`: a `taskGroup` whose body
// starts them with `startSoon` and returns nothing (the group completes when all 4 have), vs
// `forkJoin` of the same 4, which completes with their last values. Each side makes its 4 sources
// per group. One op = one group, subscribed to completion. The group also makes the cancellation
// machinery forkJoin has none of (an AbortSignal, a running set): that is what is priced.

const GROUPS = 100_000;
const CHILDREN = 4;

// Each side has its own loop (no shared helper): a call site shared by all sides would be
// megamorphic and charge every side for the others.
const sides = {
  taskGroup: () => {
    let done = 0;
    const observer = {
      complete: () => {
        done++;
      },
    };
    for (let g = 0; g < GROUPS; g++) {
      const x = g * CHILDREN;
      taskGroup((tg) => {
        tg.startSoon(of(x));
        tg.startSoon(of(x + 1));
        tg.startSoon(of(x + 2));
        tg.startSoon(of(x + 3));
      }).subscribe(observer);
    }
    check(done === GROUPS, 'taskGroup: ours');
  },
  forkJoin: () => {
    let done = 0;
    let sum = 0;
    const observer = {
      next: (values) => {
        sum += values.length;
      },
      complete: () => {
        done++;
      },
    };
    for (let g = 0; g < GROUPS; g++) {
      const x = g * CHILDREN;
      forkJoin([of(x), of(x + 1), of(x + 2), of(x + 3)]).subscribe(observer);
    }
    check(done === GROUPS && sum === GROUPS * CHILDREN, 'taskGroup: forkJoin');
  },
};

export default [
  {
    name: 'taskGroup: groups of 4 synchronous children',
    description:
      '10^5 `taskGroup` with 4 `startSoon(of(x))` children vs `forkJoin([of(x), ...])` of the same 4; one op = one group subscribed to completion',
    metric: 'time',
    ops: GROUPS,
    rounds: 7,
    warmup: 2,
    sides,
    targets: [{ side: 'taskGroup', vs: 'forkJoin', max: 1.5 }],
  },
];
