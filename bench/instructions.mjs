// Workloads for comparing two builds by instructions, not time: a count under callgrind is the same
// on a busy machine as on an idle one, where timings of two builds taken minutes apart are not.
//
//   npm run build && mkdir -p node_modules/.bench && cp dist/index.mjs node_modules/.bench/after.mjs   (and before.mjs of the other
//   build: it must sit where `rxjs` resolves)
//   for subject in before after; do for n in 0 20; do
//     BENCH_SUBJECT=node_modules/.bench/$subject.mjs valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//       node bench/instructions.mjs WORKLOAD $n 2>&1 | grep Collected; done; done
//   (instructions per op = (Collected at 20 - Collected at 0) / (20 × ops of the workload))
import { Subject, from, lastValueFrom, map, of, range } from 'rxjs';
import pkg from './subject.mjs';

const { Lock, Semaphore, Queue, boundedMap, gather, retry, taskGroup, failAfter } = pkg;
const noop = () => {};

/** Each workload runs `ops` operations per repetition; they mirror the cases of bench/cases/. */
const workloads = {
  // Uncontended lock.run(of(x)): the synchronous grant path.
  'lock.run': { ops: 10_000, run: () => { const lock = new Lock(); for (let i = 0; i < 10_000; i++) lock.run(of(i)).subscribe(noop); } },
  // 1,000 async tasks on a semaphore of 1: the queued path of acquireAsync.
  'acquireAsync': {
    ops: 1_000,
    run: async () => {
      const sem = new Semaphore(1);
      const task = async () => { const p = await sem.acquireAsync(); await null; p.release(); };
      await Promise.all(Array.from({ length: 1_000 }, task));
    },
  },
  // 1,000 run() waiters queued behind a holder, then released one by one: the hand-off path.
  'run waiters': {
    ops: 1_000,
    run: () => {
      const sem = new Semaphore(1);
      const holder = sem.tryAcquire();
      for (let i = 0; i < 1_000; i++) sem.run(of(i)).subscribe(noop);
      holder.release();
    },
  },
  'boundedMap': { ops: 10_000, run: () => range(0, 10_000).pipe(boundedMap((x) => of(x), 8)).subscribe(noop) },
  'boundedMap unordered': { ops: 10_000, run: () => range(0, 10_000).pipe(boundedMap((x) => of(x), 8, { ordered: false })).subscribe(noop) },
  'gather': { ops: 1_000, run: () => { for (let i = 0; i < 1_000; i++) from([of(1), of(2), of(3), of(4)]).pipe(gather()).subscribe(noop); } },
  'taskGroup': { ops: 1_000, run: () => { for (let i = 0; i < 1_000; i++) taskGroup((tg) => { for (let k = 0; k < 4; k++) tg.startSoon(of(k)); }).subscribe(noop); } },
  'retry': { ops: 10_000, run: () => { for (let i = 0; i < 10_000; i++) of(i).pipe(retry()).subscribe(noop); } },
  'failAfter': { ops: 10_000, run: () => { for (let i = 0; i < 10_000; i++) of(i).pipe(failAfter(1_000)).subscribe(noop); } },
  'queue': {
    ops: 10_000,
    run: () => {
      const q = new Queue(1024);
      q.consume().subscribe(noop);
      for (let i = 0; i < 10_000; i++) q.putNowait(i);
      q.close();
    },
  },
};

const [name, reps = '1'] = process.argv.slice(2);
const workload = workloads[name];
if (workload === undefined) throw new Error(`unknown workload ${name}; one of: ${Object.keys(workloads).join(', ')}`);
for (let r = 0; r < Number(reps); r++) await workload.run();
// Keep the imports used when reps is 0, so both runs load the same code.
void [Subject, lastValueFrom, map];
