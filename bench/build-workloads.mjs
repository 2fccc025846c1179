// One build, one workload, in its own process: prints CPU ns per op, the median of 7 rounds after 3
// warm-up. bench/compare-builds.sh runs it for two builds in turn; see there.
//   node bench/build-workloads.mjs BUILD.mjs 'WORKLOAD'
// With ROUNDS, runs the workload that many times and prints nothing: compare-builds.sh --instructions
// counts the instructions of such a run under callgrind, and subtracts those of ROUNDS=0 (the same
// process up to the first round: node, rxjs and the build loaded) to get the workload's own.
//   node bench/build-workloads.mjs BUILD.mjs 'WORKLOAD' ROUNDS
//   node bench/build-workloads.mjs --list          the workloads' names, one a line
//   node bench/build-workloads.mjs --ops 'WORKLOAD'  ops in one round, to divide by
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { from, of, range } from 'rxjs';

const [build, name, rounds] = process.argv.slice(2);
// --list and --ops need no build; the workloads only touch p when they run.
const p = build?.startsWith('--') === false ? await import(pathToFileURL(resolve(build)).href) : undefined;
const noop = () => {};
const contended = (tasks, permits) => async () => {
  const sem = new p.Semaphore(permits);
  const task = async () => {
    const permit = await sem.acquireAsync();
    await null;
    permit.release();
  };
  await Promise.all(Array.from({ length: tasks }, task));
};

export const workloads = {
  'lock.run uncontended': {
    ops: 20000,
    run: () => {
      const lock = new p.Lock();
      for (let i = 0; i < 20000; i++) lock.run(of(i)).subscribe(noop);
    },
  },
  'acquireAsync 1000 on sem(1)': { ops: 1000, run: contended(1000, 1) },
  'acquireAsync 10000 on sem(4)': { ops: 10000, run: contended(10000, 4) },
  'run() hand-offs 10000': {
    ops: 10000,
    run: () => {
      const sem = new p.Semaphore(1);
      const h = sem.tryAcquire();
      for (let i = 0; i < 10000; i++) sem.run(of(i)).subscribe(noop);
      h.release();
    },
  },
  'boundedMap ordered 10^5': {
    ops: 100000,
    run: () =>
      range(0, 100000)
        .pipe(p.boundedMap((x) => of(x), 8))
        .subscribe(noop),
  },
  'boundedMap unordered 10^5': {
    ops: 100000,
    run: () =>
      range(0, 100000)
        .pipe(p.boundedMap((x) => of(x), 8, { ordered: false }))
        .subscribe(noop),
  },
  'gather of 4, x5000': {
    ops: 5000,
    run: () => {
      for (let i = 0; i < 5000; i++)
        from([of(1), of(2), of(3), of(4)])
          .pipe(p.gather())
          .subscribe(noop);
    },
  },
  'taskGroup of 4, x5000': {
    ops: 5000,
    run: () => {
      for (let i = 0; i < 5000; i++)
        p.taskGroup((tg) => {
          for (let k = 0; k < 4; k++) tg.startSoon(of(k));
        }).subscribe(noop);
    },
  },
  'retry happy x20000': {
    ops: 20000,
    run: () => {
      for (let i = 0; i < 20000; i++) of(i).pipe(p.retry()).subscribe(noop);
    },
  },
  'failAfter x20000': {
    ops: 20000,
    run: () => {
      for (let i = 0; i < 20000; i++) of(i).pipe(p.failAfter(1000)).subscribe(noop);
    },
  },
  'queue put/consume 10^5': {
    ops: 100000,
    run: () => {
      const q = new p.Queue(1024);
      q.consume().subscribe(noop);
      for (let i = 0; i < 100000; i++) q.putNowait(i);
      q.close();
    },
  },
};

const workload = (key) => {
  const w = workloads[key];
  if (w === undefined) throw new Error(`unknown workload ${key}; --list lists them`);
  return w;
};
if (build === '--list') {
  console.log(Object.keys(workloads).join('\n'));
} else if (build === '--ops') {
  console.log(workload(name).ops);
} else if (rounds !== undefined) {
  const { run } = workload(name);
  const n = Number(rounds);
  if (!Number.isInteger(n) || n < 0) throw new Error(`ROUNDS must be a whole number, not ${rounds}`);
  for (let round = 0; round < n; round++) await run();
} else {
  const { run, ops } = workload(name);
  const cpu = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) * 1000;
  };
  const perOp = [];
  for (let round = 0; round < 10; round++) {
    const start = cpu();
    await run();
    if (round >= 3) perOp.push((cpu() - start) / ops);
  }
  perOp.sort((a, b) => a - b);
  console.log(perOp[3].toFixed(1));
}
