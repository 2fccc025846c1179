// Counts, rather than times, what one acquire + release costs in the contended gate cases: the
// instructions (run under callgrind) and the bytes allocated (measured with GC held off). Both are
// steady on a busy machine, where the timed cases swing with the heap state.
//
//   npm run build
//   node --expose-gc --max-semi-space-size=128 bench/per-op.mjs bytes 10000 4
//   for n in 0 40; do valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//     node bench/per-op.mjs run ours 1000 1 $n 2>&1 | grep Collected; done
//   (instructions per op = (Collected at 40 - Collected at 0) / (1000 × 40))
import { getSemaphore } from '@henrygd/semaphore';
import { Semaphore as AsyncMutexSemaphore } from 'async-mutex';
import pLimit from 'p-limit';
import pkg from './subject.mjs';

const { Semaphore } = pkg;

/** `tasks` at once, awaited together: the loop of bench/cases/gates.mjs. */
async function batch(tasks, task) {
  const all = new Array(tasks);
  for (let i = 0; i < tasks; i++) all[i] = task();
  await Promise.all(all);
}

/** One batch: `tasks` async tasks at once on a gate of `permits`, as in bench/cases/gates.mjs. */
const sides = {
  ours: async (tasks, permits) => {
    const sem = new Semaphore(permits);
    const task = async () => {
      const permit = await sem.acquireAsync();
      await null;
      permit.release();
    };
    await batch(tasks, task);
  },
  '@henrygd/semaphore': async (tasks, permits) => {
    const sem = getSemaphore(Symbol(), permits);
    const task = async () => {
      await sem.acquire();
      await null;
      sem.release();
    };
    await batch(tasks, task);
  },
  'async-mutex': async (tasks, permits) => {
    const sem = new AsyncMutexSemaphore(permits);
    const task = async () => {
      const [, release] = await sem.acquire();
      await null;
      release();
    };
    await batch(tasks, task);
  },
  'p-limit': async (tasks, permits) => {
    const limit = pLimit(permits);
    const work = async () => {
      await null;
    };
    await batch(tasks, () => limit(work));
  },
  'no gate': async (tasks) => {
    const task = async () => {
      await undefined;
      await null;
    };
    await batch(tasks, task);
  },
};

const [mode, ...args] = process.argv.slice(2);
if (mode === 'run') {
  // `run SIDE TASKS PERMITS BATCHES`: for callgrind, once with 0 batches (the start-up) and once with n.
  const [side, tasks, permits, batches] = args;
  for (let b = 0; b < Number(batches); b++) await sides[side](Number(tasks), Number(permits));
} else if (mode === 'bytes') {
  // `bytes TASKS PERMITS`: heap growth over one warmed-up batch, with a young generation large
  // enough (--max-semi-space-size=128) that no GC runs during it: what the batch allocated.
  if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc --max-semi-space-size=128');
  const [tasks, permits] = args.map(Number);
  for (const [name, side] of Object.entries(sides)) {
    for (let i = 0; i < 5; i++) await side(tasks, permits);
    globalThis.gc();
    globalThis.gc();
    const before = process.memoryUsage().heapUsed;
    await side(tasks, permits);
    console.log(`${name}: ${Math.round((process.memoryUsage().heapUsed - before) / tasks)} bytes allocated per acquire + release`);
  }
} else {
  throw new Error('usage: per-op.mjs run SIDE TASKS PERMITS BATCHES | bytes TASKS PERMITS');
}
