// The bench harness: runs the sides of a case in one process, interleaved round by round, after a
// warm-up; reports medians, ratios against targets, and writes bench/results.json.
//
// A case file in bench/cases/ default-exports an array of cases:
//
//   {
//     name: 'uncontended lock',            // unique; `npm run bench -- lock` runs the cases whose name contains 'lock'
//     description: 'lock.run(of(x)) subscribed vs mutex.runExclusive(() => x) awaited',
//     metric: 'ops',                       // 'ops' (ops/s, higher is better), 'time' (ns per op, lower is better),
//                                          // 'memory' (bytes, lower is better), 'count' (per op, lower is
//                                          // better), or 'value' (a figure a side computes itself and
//                                          // returns as { value }; `unit` names it)
//     ops: 100_000,                        // operations one call of a side performs (default 1)
//     timeUnit: 'µs',                      // 'ns' (default) or 'µs': the per-op column of 'ops' and 'time'
//                                          //   cases, and an absolute bound on a 'time' case, in that unit
//     rounds: 7, warmup: 2,                // measured and discarded calls of each side (defaults 7 and 2)
//     setup: () => { ... },                // optional, run once first (e.g. a cheaper warm-up than a round)
//     sides: {                             // insertion order is table order; 'ours' by convention first
//       ours: () => { ... },               // sync or async; timed as a whole, unless it returns
//       'async-mutex': async () => { ... },//   { ns } (it timed the part that matters itself, see `time`)
//       big: { run: () => { ... }, ops: 10 },  // or { bytes } (metric 'memory'), { count } (metric 'count', the
//     },                                   //   total of a call: round trips, commands), or { value } (metric
//                                          //   'value'); `ops` per side if they differ
//     targets: [{ side: 'ours', vs: 'async-mutex', min: 3 }],   // or max: 1.3; without `vs`, a bound on the
//   }                                      //   side's own median per op (ns for 'time', count for 'count')
//
// The ratio of a target is `side ÷ vs` in the case's own unit: ops/s for 'ops' (> 1: `side` is
// faster), ns per op for 'time', bytes for 'memory' (< 1: `side` is cheaper), the figure itself for
// 'value', taken round by round and then the median. `min`/`max` bound it. An absolute bound is
// written in ns for 'time' (shown in the case's `timeUnit`) and in bytes for 'memory'.

import { writeFileSync } from 'node:fs';
import os from 'node:os';

const hasGc = typeof globalThis.gc === 'function';

/**
 * The clock: CPU time of this process by default, because the bench shares its 2 cores with
 * whatever else runs (wall time then measures the neighbours). Every case is CPU-bound (no timers,
 * no I/O), so on an idle machine both clocks agree. `BENCH_CLOCK=wall` uses the wall clock.
 */
export const clock = process.env.BENCH_CLOCK === 'wall' ? 'wall' : 'cpu';

/** Nanoseconds on `clock`; only differences mean anything. */
export const now =
  clock === 'wall'
    ? () => Number(process.hrtime.bigint())
    : () => {
        const { user, system } = process.cpuUsage();
        return (user + system) * 1000;
      };

/** Full GC; run before each case so one case's garbage is not collected during the next. */
export function collect() {
  if (hasGc) {
    globalThis.gc();
    globalThis.gc();
  }
}

/** Times `fn` (sync or async) in nanoseconds; for sides that time only part of what they do. */
export async function time(fn) {
  const start = now();
  await fn();
  return now() - start;
}

/** Bytes in use on the JS heap now; for 'memory' cases, which return `{ bytes }`. */
export function heapUsed() {
  return process.memoryUsage().heapUsed;
}

// No forced GC between rounds: a full GC that finds no instance of a class left frees the maps its
// optimised code depends on, and V8 deoptimises that code, so every round would measure a re-warm-up.
async function measure(side) {
  const start = now();
  const result = await side();
  const elapsed = now() - start;
  if (result !== null && typeof result === 'object') {
    if (typeof result.bytes === 'number') return result.bytes;
    if (typeof result.value === 'number') return result.value;
    if (typeof result.ns === 'number') return result.ns;
    if (typeof result.count === 'number') return result.count;
  }
  return elapsed;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function runCase(c) {
  const names = Object.keys(c.sides);
  const run = (n) => (typeof c.sides[n] === 'function' ? c.sides[n] : c.sides[n].run);
  const opsOf = (n) => (typeof c.sides[n] === 'function' ? undefined : c.sides[n].ops) ?? c.ops ?? 1;
  const rounds = c.rounds ?? 7;
  const warmup = c.warmup ?? 2;
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  collect();
  await c.setup?.();
  for (let r = 0; r < warmup + rounds; r++) {
    // Alternate the order each round so neither side always runs on the other's heap.
    const order = r % 2 ? [...names].reverse() : names;
    for (const n of order) {
      const v = await measure(run(n));
      if (r >= warmup) samples[n].push(v);
    }
  }
  const sides = {};
  for (const n of names) {
    const raw = median(samples[n]);
    const ops = opsOf(n);
    const spread = (Math.max(...samples[n]) - Math.min(...samples[n])) / raw;
    sides[n] =
      c.metric === 'memory'
        ? { bytes: raw, spread, samples: samples[n] }
        : c.metric === 'value'
          ? { value: raw, spread, samples: samples[n] }
          : c.metric === 'count'
            ? { ops, perOp: raw / ops, spread, samples: samples[n].map((s) => s / ops) }
            : { ops, nsPerOp: raw / ops, opsPerSec: (ops * 1e9) / raw, spread, samples: samples[n].map((s) => s / ops) };
  }
  // A ratio is the median of the ratios of each round, not the ratio of the medians: the two sides of
  // one round ran moments apart, so a neighbour's load that comes and goes cancels out of it.
  const perOp = (n, r) => samples[n][r] / (c.metric === 'memory' || c.metric === 'value' ? 1 : opsOf(n));
  const roundRatio = (a, b, r) => (c.metric === 'ops' ? perOp(b, r) / perOp(a, r) : perOp(a, r) / perOp(b, r));
  const targets = (c.targets ?? []).map((t) => {
    const ratio =
      t.vs === undefined
        ? median(samples[t.side].map((_, r) => perOp(t.side, r)))
        : median(samples[t.side].map((_, r) => roundRatio(t.side, t.vs, r)));
    const pass = (t.min === undefined || ratio >= t.min) && (t.max === undefined || ratio <= t.max);
    return {
      side: t.side,
      ...(t.vs !== undefined && { vs: t.vs }),
      ratio,
      ...(t.min !== undefined && { min: t.min }),
      ...(t.max !== undefined && { max: t.max }),
      pass,
    };
  });
  return {
    name: c.name,
    description: c.description,
    metric: c.metric,
    ...(c.unit !== undefined && { unit: c.unit }),
    ...(c.timeUnit !== undefined && { timeUnit: c.timeUnit }),
    rounds,
    warmup,
    sides,
    targets,
  };
}

const fmt = (x, digits = 0) => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
// Below 10 KiB in bytes: a per-waiter figure of 0.5 KiB would hide a 50-byte difference.
const fmtBytes = (b) =>
  Math.abs(b) >= 1 << 20 ? `${fmt(b / (1 << 20), 1)} MiB` : Math.abs(b) >= 10 * 1024 ? `${fmt(b / 1024, 1)} KiB` : `${fmt(b)} B`;

/** Divisor and label of a case's per-op time: ns unless it asks for µs (enqueues that cost microseconds). */
const perOpTime = (r) => (r.timeUnit === 'µs' ? [1000, 'µs'] : [1, 'ns']);

function printCase(r) {
  const lines = [
    `\n### ${r.name}`,
    `${r.description ?? ''} (${r.rounds} rounds after ${r.warmup} warm-up, median; ${fmt(r.seconds, 1)} s)\n`,
  ];
  if (r.metric === 'memory') {
    lines.push('| side | memory | spread |', '| --- | ---: | ---: |');
    for (const [n, s] of Object.entries(r.sides)) lines.push(`| ${n} | ${fmtBytes(s.bytes)} | ${fmt(s.spread * 100)}% |`);
  } else if (r.metric === 'value') {
    lines.push(`| side | ${r.unit ?? 'value'} | spread |`, '| --- | ---: | ---: |');
    for (const [n, s] of Object.entries(r.sides)) lines.push(`| ${n} | ${fmt(s.value, 2)} | ${fmt(s.spread * 100)}% |`);
  } else if (r.metric === 'count') {
    lines.push('| side | per op | spread |', '| --- | ---: | ---: |');
    for (const [n, s] of Object.entries(r.sides)) lines.push(`| ${n} | ${fmt(s.perOp, 2)} | ${fmt(s.spread * 100)}% |`);
  } else {
    const [div, label] = perOpTime(r);
    lines.push(`| side | ops/s | ${label}/op | spread |`, '| --- | ---: | ---: | ---: |');
    for (const [n, s] of Object.entries(r.sides))
      lines.push(`| ${n} | ${fmt(s.opsPerSec)} | ${fmt(s.nsPerOp / div, div === 1 ? 1 : 2)} | ${fmt(s.spread * 100)}% |`);
  }
  if (r.targets.length) {
    const unit = r.metric === 'ops' ? 'ops/s' : r.metric === 'value' ? (r.unit ?? 'value') : r.metric;
    lines.push('', '| ratio | value | target | |', '| --- | ---: | ---: | --- |');
    for (const t of r.targets) {
      if (t.vs === undefined) {
        // An absolute bound: ns shown as ms (µs for a case in µs), bytes with their unit, counts as they are.
        const [scale, suffix] =
          r.metric === 'time' ? (r.timeUnit === 'µs' ? [1e3, ' µs'] : [1e6, ' ms']) : r.metric === 'memory' ? [1, ' B'] : [1, ''];
        const value = t.ratio / scale;
        const bound = [t.min !== undefined && `>= ${t.min / scale}${suffix}`, t.max !== undefined && `<= ${t.max / scale}${suffix}`]
          .filter(Boolean)
          .join(', ');
        lines.push(`| ${r.metric} ${t.side} | ${fmt(value, 2)}${suffix} | ${bound} | ${t.pass ? 'PASS' : 'MISS'} |`);
        continue;
      }
      const bound = [t.min !== undefined && `>= ${t.min}x`, t.max !== undefined && `<= ${t.max}x`].filter(Boolean).join(', ');
      lines.push(`| ${unit} ${t.side} ÷ ${t.vs} | ${fmt(t.ratio, 2)}x | ${bound} | ${t.pass ? 'PASS' : 'MISS'} |`);
    }
  }
  console.log(lines.join('\n'));
}

/**
 * Runs `cases` (those whose name contains one of `filters`, all when none), prints a table per case
 * and writes `outFile`. Returns the results.
 */
export async function runAll(cases, { filters = [], outFile } = {}) {
  const names = new Set();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`bench: duplicate case name ${c.name}`);
    names.add(c.name);
  }
  const selected = filters.length ? cases.filter((c) => filters.some((f) => c.name.includes(f))) : cases;
  const cpus = os.cpus();
  const machine = {
    clock,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    gcExposed: hasGc,
  };
  console.log(
    `rxjs-concurrency bench — node ${machine.node}, ${machine.cores} cores (${machine.cpu}), ${clock} clock${hasGc ? '' : ' — run with --expose-gc for stable figures'}`,
  );
  const started = Date.now();
  const results = [];
  for (const c of selected) {
    const t0 = Date.now();
    const r = await runCase(c);
    r.seconds = (Date.now() - t0) / 1000;
    results.push(r);
    printCase(r);
  }
  const all = results.flatMap((r) => r.targets);
  const missed = all.filter((t) => !t.pass).length;
  const seconds = (Date.now() - started) / 1000;
  console.log(`\n${all.length - missed}/${all.length} targets met, ${results.length} cases in ${fmt(seconds, 1)} s`);
  if (outFile) {
    writeFileSync(outFile, `${JSON.stringify({ date: new Date().toISOString(), machine, seconds, cases: results }, null, 2)}\n`);
    console.log(`wrote ${outFile}`);
  }
  return results;
}
