import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NEVER, asyncScheduler, of, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  CapacityLimiter,
  Lock,
  Queue,
  RateLimiter,
  Semaphore,
  asCompleted,
  gather,
  gatherAll,
  boundedMap,
  boundedMapFrom,
  boundedMapIterable,
  failAfter,
  failAt,
  moveOnAfter,
  moveOnAt,
  retry,
  retrying,
  taskGroup,
  withPermit,
  type Gate,
  type RetryOptions,
  type TaskGroup,
} from 'rxjs-concurrency';
import { itThrowsAsTheRowSays, type Row } from './setup/bad-input-rows';

/*
 * The "Bad input" table of docs/errors.md, as a test: every public function × every kind of bad
 * argument throws at call time, with the error class and the exact message in the table, and the
 * table in docs/errors.md is the one these rows make (`BAD_INPUT_TABLE=write npx jest
 * spec/bad-input` rewrites it).
 */

const project = (v: number) => [v];

/** Calls `fn` with the handle of a running group, and rethrows what it threw. */
function withGroup(fn: (tg: TaskGroup) => unknown): void {
  let thrown: unknown;
  let threw = false;
  taskGroup((tg) => {
    try {
      fn(tg);
    } catch (error) {
      threw = true;
      thrown = error;
    }
    return NEVER;
  })
    .subscribe()
    .unsubscribe();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the body, which runs inside subscribe()
  if (threw) throw thrown;
}
const any = (v: unknown): never => v as never;

// One row a line, as the table in docs/errors.md these rows write.
// prettier-ignore
const rows: Row[] = [
  // Semaphore
  ['new Semaphore(initialValue)', '-1', () => new Semaphore(-1), RangeError, 'Semaphore: initialValue must be an integer >= 0, received -1'],
  ['new Semaphore(initialValue)', '1.5', () => new Semaphore(1.5), RangeError, 'Semaphore: initialValue must be an integer >= 0, received 1.5'],
  ['new Semaphore(initialValue)', 'NaN', () => new Semaphore(NaN), RangeError, 'Semaphore: initialValue must be an integer >= 0, received NaN'],
  ['new Semaphore(initialValue)', 'Infinity', () => new Semaphore(Infinity), RangeError, 'Semaphore: initialValue must be an integer >= 0, received Infinity'],
  ['new Semaphore(initialValue)', "'1' (not a number)", () => new Semaphore(any('1')), TypeError, 'Semaphore: initialValue must be an integer >= 0, received "1"'],
  ['new Semaphore(initialValue)', 'missing', () => new Semaphore(any(undefined)), TypeError, 'Semaphore: initialValue must be an integer >= 0, received undefined'],
  ['new Semaphore(n, { maxValue })', 'below initialValue', () => new Semaphore(3, { maxValue: 2 }), RangeError, 'Semaphore: options.maxValue must be an integer >= 3 or Infinity, received 2'],
  ['new Semaphore(n, { maxValue })', '0', () => new Semaphore(0, { maxValue: 0 }), RangeError, 'Semaphore: options.maxValue must be an integer >= 1 or Infinity, received 0'],
  ['new Semaphore(n, { maxValue })', "'2'", () => new Semaphore(1, { maxValue: any('2') }), TypeError, 'Semaphore: options.maxValue must be an integer >= 1 or Infinity, received "2"'],
  ['new Semaphore(n, options)', '5', () => new Semaphore(1, any(5)), TypeError, 'Semaphore: options must be an object, received 5'],
  ['new Semaphore(n, options)', 'null', () => new Semaphore(1, any(null)), TypeError, 'Semaphore: options must be an object, received null'],
  ['Semaphore.acquire / run / tryAcquire(weight)', '0', () => new Semaphore(1).acquire(0), RangeError, 'Semaphore: weight must be an integer >= 1, received 0'],
  ['Semaphore.acquire / run / tryAcquire(weight)', '1.5', () => new Semaphore(1).run(NEVER, 1.5), RangeError, 'Semaphore: weight must be an integer >= 1, received 1.5'],
  ['Semaphore.acquire / run / tryAcquire(weight)', 'NaN', () => new Semaphore(1).tryAcquire(NaN), RangeError, 'Semaphore: weight must be an integer >= 1, received NaN'],
  ['Semaphore.acquire / run / tryAcquire(weight)', "'1'", () => new Semaphore(1).acquire(any('1')), TypeError, 'Semaphore: weight must be an integer >= 1, received "1"'],
  ['Semaphore.acquire / run / tryAcquire(weight)', 'above maxValue', () => new Semaphore(1, { maxValue: 2 }).acquire(3), RangeError, 'Semaphore: weight must be <= maxValue 2, received 3'],
  ['Semaphore.release(count)', '-1', () => new Semaphore(1).release(-1), RangeError, 'Semaphore.release: count must be an integer >= 0, received -1'],
  ['Semaphore.release(count)', '1.5', () => new Semaphore(1).release(1.5), RangeError, 'Semaphore.release: count must be an integer >= 0, received 1.5'],
  ['Semaphore.release(count)', "'1'", () => new Semaphore(1).release(any('1')), TypeError, 'Semaphore.release: count must be an integer >= 0, received "1"'],
  ['Semaphore.release(count)', 'past maxValue', () => new Semaphore(1, { maxValue: 2 }).release(2), RangeError, 'Semaphore.release: count must keep the permits within maxValue 2, received 2 with 1 permits in existence'],
  // CapacityLimiter
  ['new CapacityLimiter(totalTokens)', '0', () => new CapacityLimiter(0), RangeError, 'CapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received 0'],
  ['new CapacityLimiter(totalTokens)', '2.5', () => new CapacityLimiter(2.5), RangeError, 'CapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received 2.5'],
  ['new CapacityLimiter(totalTokens)', 'NaN', () => new CapacityLimiter(NaN), RangeError, 'CapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received NaN'],
  ['new CapacityLimiter(totalTokens)', "'4'", () => new CapacityLimiter(any('4')), TypeError, 'CapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received "4"'],
  ['CapacityLimiter.totalTokens = v', '-1', () => { new CapacityLimiter(1).totalTokens = -1; }, RangeError, 'CapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received -1'],
  ['CapacityLimiter.totalTokens = v', 'null', () => { new CapacityLimiter(1).totalTokens = any(null); }, TypeError, 'CapacityLimiter: totalTokens must be an integer >= 1 or Infinity, received null'],
  ['CapacityLimiter.acquireOnBehalfOf(borrower)', 'null', () => new CapacityLimiter(1).acquireOnBehalfOf(any(null)), TypeError, 'CapacityLimiter.acquireOnBehalfOf: borrower must be an object, received null'],
  ['CapacityLimiter.acquireOnBehalfOf(borrower)', "'task-1' (a primitive)", () => new CapacityLimiter(1).acquireOnBehalfOf(any('task-1')), TypeError, 'CapacityLimiter.acquireOnBehalfOf: borrower must be an object, received "task-1"'],
  // RateLimiter
  ['new RateLimiter(options)', 'missing', () => new RateLimiter(any(undefined)), TypeError, 'RateLimiter: options must be an object, received undefined'],
  ['new RateLimiter(options)', '10', () => new RateLimiter(any(10)), TypeError, 'RateLimiter: options must be an object, received 10'],
  ['new RateLimiter({ limit })', '0', () => new RateLimiter({ limit: 0, interval: 1000 }), RangeError, 'RateLimiter: options.limit must be an integer >= 1, received 0'],
  ['new RateLimiter({ limit })', '-1', () => new RateLimiter({ limit: -1, interval: 1000 }), RangeError, 'RateLimiter: options.limit must be an integer >= 1, received -1'],
  ['new RateLimiter({ limit })', '2.5', () => new RateLimiter({ limit: 2.5, interval: 1000 }), RangeError, 'RateLimiter: options.limit must be an integer >= 1, received 2.5'],
  ['new RateLimiter({ limit })', 'NaN', () => new RateLimiter({ limit: NaN, interval: 1000 }), RangeError, 'RateLimiter: options.limit must be an integer >= 1, received NaN'],
  ['new RateLimiter({ limit })', 'Infinity', () => new RateLimiter({ limit: Infinity, interval: 1000 }), RangeError, 'RateLimiter: options.limit must be an integer >= 1, received Infinity'],
  ['new RateLimiter({ limit })', "'10' (not a number)", () => new RateLimiter({ limit: any('10'), interval: 1000 }), TypeError, 'RateLimiter: options.limit must be an integer >= 1, received "10"'],
  ['new RateLimiter({ limit })', 'missing', () => new RateLimiter(any({ interval: 1000 })), TypeError, 'RateLimiter: options.limit must be an integer >= 1, received undefined'],
  ['new RateLimiter({ interval })', '0', () => new RateLimiter({ limit: 1, interval: 0 }), RangeError, 'RateLimiter: options.interval must be an integer >= 1, received 0'],
  ['new RateLimiter({ interval })', '-1000', () => new RateLimiter({ limit: 1, interval: -1000 }), RangeError, 'RateLimiter: options.interval must be an integer >= 1, received -1000'],
  ['new RateLimiter({ interval })', '0.5', () => new RateLimiter({ limit: 1, interval: 0.5 }), RangeError, 'RateLimiter: options.interval must be an integer >= 1, received 0.5'],
  ['new RateLimiter({ interval })', 'Infinity', () => new RateLimiter({ limit: 1, interval: Infinity }), RangeError, 'RateLimiter: options.interval must be an integer >= 1, received Infinity'],
  ['new RateLimiter({ interval })', "'1s'", () => new RateLimiter({ limit: 1, interval: any('1s') }), TypeError, 'RateLimiter: options.interval must be an integer >= 1, received "1s"'],
  ['new RateLimiter({ interval })', 'missing', () => new RateLimiter(any({ limit: 1 })), TypeError, 'RateLimiter: options.interval must be an integer >= 1, received undefined'],
  ['new RateLimiter({ burst })', '0', () => new RateLimiter({ limit: 1, interval: 1000, burst: 0 }), RangeError, 'RateLimiter: options.burst must be an integer >= 1, received 0'],
  ['new RateLimiter({ burst })', '1.5', () => new RateLimiter({ limit: 1, interval: 1000, burst: 1.5 }), RangeError, 'RateLimiter: options.burst must be an integer >= 1, received 1.5'],
  ['new RateLimiter({ burst })', "'3'", () => new RateLimiter({ limit: 1, interval: 1000, burst: any('3') }), TypeError, 'RateLimiter: options.burst must be an integer >= 1, received "3"'],
  ['new RateLimiter({ burst })', 'null', () => new RateLimiter({ limit: 1, interval: 1000, burst: any(null) }), TypeError, 'RateLimiter: options.burst must be an integer >= 1, received null'],
  ['new RateLimiter({ scheduler })', '{}', () => new RateLimiter({ limit: 1, interval: 1000, scheduler: any({}) }), TypeError, 'RateLimiter: options.scheduler must be a SchedulerLike (with now() and schedule()), received an object'],
  ['new RateLimiter({ scheduler })', '42', () => new RateLimiter({ limit: 1, interval: 1000, scheduler: any(42) }), TypeError, 'RateLimiter: options.scheduler must be a SchedulerLike (with now() and schedule()), received 42'],
  ['RateLimiter.acquire / run / tryAcquire(weight)', '0', () => new RateLimiter({ limit: 3, interval: 1000 }).acquire(0), RangeError, 'RateLimiter: weight must be an integer >= 1, received 0'],
  ['RateLimiter.acquire / run / tryAcquire(weight)', '1.5', () => new RateLimiter({ limit: 3, interval: 1000 }).run(NEVER, 1.5), RangeError, 'RateLimiter: weight must be an integer >= 1, received 1.5'],
  ['RateLimiter.acquire / run / tryAcquire(weight)', 'above burst', () => new RateLimiter({ limit: 3, interval: 1000 }).tryAcquire(4), RangeError, 'RateLimiter: weight must be <= burst 3, received 4'],
  ['RateLimiter.acquire / run / tryAcquire(weight)', "'1'", () => new RateLimiter({ limit: 3, interval: 1000 }).acquire(any('1')), TypeError, 'RateLimiter: weight must be an integer >= 1, received "1"'],
  ['RateLimiter.acquireAsync({ weight })', 'above burst', () => new RateLimiter({ limit: 10, interval: 1000, burst: 3 }).acquireAsync({ weight: 4 }), RangeError, 'acquireAsync: options.weight must be <= burst 3, received 4'],
  ['withPermit(gate, weight)', "above a RateLimiter's burst", () => withPermit(new RateLimiter({ limit: 5, interval: 1000, burst: 2 }), 3), RangeError, 'withPermit: weight must be <= burst 2, received 3'],
  // withPermit
  ['withPermit(gate, weight)', '0', () => withPermit(new Semaphore(1), 0), RangeError, 'withPermit: weight must be an integer >= 1, received 0'],
  ['withPermit(gate, weight)', "'1'", () => withPermit(new Semaphore(1), any('1')), TypeError, 'withPermit: weight must be an integer >= 1, received "1"'],
  ['withPermit(gate, weight)', '2 on a Lock', () => withPermit(new Lock(), 2), RangeError, 'withPermit: weight must be 1 for a gate that is not a Semaphore, received 2'],
  ['withPermit(gate, weight)', 'above maxValue', () => withPermit(new Semaphore(1, { maxValue: 1 }), 2), RangeError, 'withPermit: weight must be <= maxValue 1, received 2'],
  ['withPermit(gate)', 'null', () => withPermit(any(null)), TypeError, 'withPermit: gate must be a Gate (with run()), received null'],
  ['withPermit(gate)', 'undefined', () => withPermit(any(undefined)), TypeError, 'withPermit: gate must be a Gate (with run()), received undefined'],
  ['withPermit(gate)', '{} (no run())', () => withPermit(any({}), 1), TypeError, 'withPermit: gate must be a Gate (with run()), received an object'],
  // Tasks
  ['gate.run(work)', '123', () => new Lock().run(any(123)), TypeError, 'run: work must be an ObservableInput or a function (signal) => ObservableInput, received 123'],
  ['gate.run(work)', 'null', () => new Semaphore(1).run(any(null)), TypeError, 'run: work must be an ObservableInput or a function (signal) => ObservableInput, received null'],
  ['gate.run(work)', "'/a' (a string)", () => new Lock().run(any('/a')), TypeError, 'run: work must be an ObservableInput or a function (signal) => ObservableInput, not a string (it would run as one task per character); for work pass a factory such as () => fetch(url), received "/a"'],
  ['gate.run(work)', 'a started Promise', () => new Lock().run(any(Promise.resolve(1))), TypeError, 'run: work must be an ObservableInput or a function (signal) => ObservableInput that has not started yet, not a Promise (its work began when it was made: it can neither wait for a permit nor run again); pass a factory such as () => fetch(url), received an object'],
  ['Lock / CapacityLimiter .acquire / run / tryAcquire(weight)', '2', () => new Lock().run(NEVER, 2), RangeError, 'Lock: weight must be 1 for a gate that is not a Semaphore, received 2'],
  ['gate.acquireAsync({ weight })', 'above maxValue', () => new Semaphore(1, { maxValue: 1 }).acquireAsync({ weight: 2 }), RangeError, 'acquireAsync: options.weight must be <= maxValue 1, received 2'],
  ['gate.acquireAsync({ weight })', "'2'", () => new Semaphore(1).acquireAsync({ weight: any('2') }), TypeError, 'acquireAsync: options.weight must be an integer >= 1, received "2"'],
  ['gate.run(work)', 'a Promise, on a RateLimiter', () => new RateLimiter({ limit: 1, interval: 1000 }).run(any(Promise.resolve(1))), TypeError, 'run: work must be an ObservableInput or a function (signal) => ObservableInput that has not started yet, not a Promise (its work began when it was made: it can neither wait for a permit nor run again); pass a factory such as () => fetch(url), received an object'],
  ['gate.acquireAsync({ signal })', '1', () => new Lock().acquireAsync({ signal: any(1) }), TypeError, 'acquireAsync: options.signal must be an AbortSignal, received 1'],
  ['gate.acquireAsync(options)', '5', () => new Semaphore(1).acquireAsync(any(5)), TypeError, 'acquireAsync: options must be an object, received 5'],
  ['tg.startSoon(task)', '123', () => withGroup((tg) => tg.startSoon(any(123))), TypeError, 'TaskGroup.startSoon: task must be an ObservableInput or a function (signal) => ObservableInput, received 123'],
  ['tg.start(task)', '123', () => withGroup((tg) => tg.start(any(123))), TypeError, 'TaskGroup.start: task must be an ObservableInput or a function (signal) => ObservableInput, received 123'],
  // gather
  ['gather(options)', '5', () => gather(any(5)), TypeError, 'gather: options must be an object, received 5'],
  ['gather({ returnErrors })', '1', () => gather({ returnErrors: any(1) }), TypeError, 'gather: returnErrors must be a boolean, received 1'],
  ['gather({ returnErrors })', "'yes'", () => gather({ returnErrors: any('yes') }), TypeError, 'gather: returnErrors must be a boolean, received "yes"'],
  ['gather({ returnErrors })', '[]', () => gather({ returnErrors: any([]) }), TypeError, 'gather: returnErrors must be a boolean, received an array'],
  // gatherAll
  ['gatherAll(tasks)', "'ab' (a string)", () => gatherAll(any('ab')), TypeError, 'gatherAll: tasks must be an array of tasks, received "ab"'],
  ['gatherAll(tasks)', 'a Set', () => gatherAll(any(new Set([of(1)]))), TypeError, 'gatherAll: tasks must be an array of tasks, received an object'],
  ['gatherAll(tasks)', 'missing', () => gatherAll(any(undefined)), TypeError, 'gatherAll: tasks must be an array of tasks, received undefined'],
  ['gatherAll(tasks)', 'an element 123', () => gatherAll([of(1), any(123)]), TypeError, 'gatherAll: tasks[1] must be an ObservableInput or a function (signal) => ObservableInput, received 123'],
  ['gatherAll(tasks)', "an element 'ab'", () => gatherAll([any('ab')]), TypeError, 'gatherAll: tasks[0] must be an ObservableInput or a function (signal) => ObservableInput, not a string (it would run as one task per character); for work pass a factory such as () => fetch(url), received "ab"'],
  // eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
  ['gatherAll(tasks)', 'a hole', () => gatherAll(any([of(1), , of(2)])), TypeError, 'gatherAll: tasks[1] must be an ObservableInput or a function (signal) => ObservableInput, received undefined'],
  ['gatherAll(tasks, options)', '5', () => gatherAll([], any(5)), TypeError, 'gatherAll: options must be an object, received 5'],
  ['gatherAll(tasks, { returnErrors })', "'yes'", () => gatherAll([], { returnErrors: any('yes') }), TypeError, 'gatherAll: returnErrors must be a boolean, received "yes"'],
  // Queue
  ['new Queue(maxSize)', '-1', () => new Queue(-1), RangeError, 'Queue: maxSize must be an integer >= 0 or Infinity, received -1'],
  ['new Queue(maxSize)', '1.5', () => new Queue(1.5), RangeError, 'Queue: maxSize must be an integer >= 0 or Infinity, received 1.5'],
  ['new Queue(maxSize)', 'NaN', () => new Queue(NaN), RangeError, 'Queue: maxSize must be an integer >= 0 or Infinity, received NaN'],
  ['new Queue(maxSize)', 'missing', () => new Queue(any(undefined)), TypeError, 'Queue: maxSize must be an integer >= 0 or Infinity, received undefined'],
  ['new Queue(maxSize)', '() => 1', () => new Queue(any(() => 1)), TypeError, 'Queue: maxSize must be an integer >= 0 or Infinity, received a function'],
  ['queue.putAsync(item, options)', '5', () => new Queue(1).putAsync(1, any(5)), TypeError, 'Queue.putAsync: options must be an object, received 5'],
  ['queue.putAsync(item, { signal })', '{}', () => new Queue(1).putAsync(1, { signal: any({}) }), TypeError, 'Queue.putAsync: options.signal must be an AbortSignal, received an object'],
  ['queue.getAsync(options)', 'null', () => new Queue(1).getAsync(any(null)), TypeError, 'Queue.getAsync: options must be an object, received null'],
  ['queue.getAsync({ signal })', "'abort'", () => new Queue(1).getAsync({ signal: any('abort') }), TypeError, 'Queue.getAsync: options.signal must be an AbortSignal, received "abort"'],
  // taskGroup
  ['taskGroup(body)', '123', () => taskGroup(any(123)), TypeError, 'taskGroup: body must be a function, received 123'],
  ['taskGroup(body)', 'null', () => taskGroup(any(null)), TypeError, 'taskGroup: body must be a function, received null'],
  // deadlines
  ['failAfter(ms)', 'NaN', () => failAfter(NaN), RangeError, 'failAfter: ms must be a number, not NaN, received NaN'],
  ['failAfter(ms)', "'100'", () => failAfter(any('100')), TypeError, 'failAfter: ms must be a number, received "100"'],
  ['moveOnAfter(ms)', 'NaN', () => moveOnAfter(NaN), RangeError, 'moveOnAfter: ms must be a number, not NaN, received NaN'],
  ['moveOnAfter(ms)', 'null', () => moveOnAfter(any(null)), TypeError, 'moveOnAfter: ms must be a number, received null'],
  ['failAt(deadline)', 'NaN', () => failAt(NaN), RangeError, 'failAt: deadline must be a number, not NaN, received NaN'],
  ['failAt(deadline)', 'a Date', () => failAt(any(new Date(0))), TypeError, 'failAt: deadline must be a number, received an object'],
  ['moveOnAt(deadline)', 'NaN', () => moveOnAt(NaN), RangeError, 'moveOnAt: deadline must be a number, not NaN, received NaN'],
  ['moveOnAt(deadline)', "'soon'", () => moveOnAt(any('soon')), TypeError, 'moveOnAt: deadline must be a number, received "soon"'],
  ['failAfter(ms, options)', 'null', () => failAfter(10, any(null)), TypeError, 'failAfter: options must be an object, received null'],
  ['moveOnAt(deadline, options)', "'fast'", () => moveOnAt(10, any('fast')), TypeError, 'moveOnAt: options must be an object, received "fast"'],
  ['failAfter(ms, { scheduler })', '{}', () => failAfter(10, { scheduler: any({}) }), TypeError, 'failAfter: options.scheduler must be a SchedulerLike (with now() and schedule()), received an object'],
  ['moveOnAfter(ms, { scheduler })', '42', () => moveOnAfter(10, { scheduler: any(42) }), TypeError, 'moveOnAfter: options.scheduler must be a SchedulerLike (with now() and schedule()), received 42'],
  ['failAt(deadline, { scheduler })', 'null', () => failAt(10, { scheduler: any(null) }), TypeError, 'failAt: options.scheduler must be a SchedulerLike (with now() and schedule()), received null'],
  ['moveOnAt(deadline, { scheduler })', '{ now } (no schedule)', () => moveOnAt(10, { scheduler: any({ now: () => 0 }) }), TypeError, 'moveOnAt: options.scheduler must be a SchedulerLike (with now() and schedule()), received an object'],
  // boundedMap / boundedMapFrom / boundedMapIterable
  ['boundedMap(project, limit)', 'project not a function', () => boundedMap(any(null), 2), TypeError, 'boundedMap: project must be a function, received null'],
  ['boundedMap(project, limit)', 'limit 0', () => boundedMap(project, 0), RangeError, 'boundedMap: limit must be an integer >= 1 or Infinity, received 0'],
  ['boundedMap(project, limit)', 'limit -1', () => boundedMap(project, -1), RangeError, 'boundedMap: limit must be an integer >= 1 or Infinity, received -1'],
  ['boundedMap(project, limit)', 'limit 1.5', () => boundedMap(project, 1.5), RangeError, 'boundedMap: limit must be an integer >= 1 or Infinity, received 1.5'],
  ['boundedMap(project, limit)', 'limit NaN', () => boundedMap(project, NaN), RangeError, 'boundedMap: limit must be an integer >= 1 or Infinity, received NaN'],
  ['boundedMap(project, limit)', 'limit -Infinity', () => boundedMap(project, -Infinity), RangeError, 'boundedMap: limit must be an integer >= 1 or Infinity, received -Infinity'],
  ['boundedMap(project, limit)', "limit '2'", () => boundedMap(project, any('2')), TypeError, 'boundedMap: limit must be an integer >= 1 or Infinity, received "2"'],
  ['boundedMap(project, limit, options)', "options 'fast'", () => boundedMap(project, 2, any('fast')), TypeError, 'boundedMap: options must be an object, received "fast"'],
  ['boundedMap(project, limit, options)', 'options.limiter 3', () => boundedMap(project, 2, { limiter: any(3) }), TypeError, 'boundedMap: options.limiter must be a Gate (with run()), received 3'],
  ['boundedMap(project, limit, options)', 'options.limiter {} (no run())', () => boundedMap(project, 2, { limiter: any({}) }), TypeError, 'boundedMap: options.limiter must be a Gate (with run()), received an object'],
  ['boundedMap(project, limit, options)', "options.ordered 'no'", () => boundedMap(project, 2, { ordered: any('no') }), TypeError, 'boundedMap: options.ordered must be a boolean, received "no"'],
  ['boundedMap(project, limit, options)', 'options.returnErrors 1', () => boundedMap(project, 2, { returnErrors: any(1) }), TypeError, 'boundedMap: options.returnErrors must be a boolean, received 1'],
  ['boundedMap(project, limit, { window })', 'below limit', () => boundedMap(project, 2, { window: 1 }), RangeError, 'boundedMap: options.window must be an integer >= 2 or Infinity, received 1'],
  ['boundedMap(project, limit, { window })', '2.5', () => boundedMap(project, 2, { window: 2.5 }), RangeError, 'boundedMap: options.window must be an integer >= 2 or Infinity, received 2.5'],
  ['boundedMap(project, limit, { window })', 'NaN', () => boundedMap(project, 2, { window: NaN }), RangeError, 'boundedMap: options.window must be an integer >= 2 or Infinity, received NaN'],
  ['boundedMap(project, limit, { window })', '0 with ordered: false (checked all the same)', () => boundedMap(project, 2, { ordered: false, window: 0 }), RangeError, 'boundedMap: options.window must be an integer >= 2 or Infinity, received 0'],
  ['boundedMap(project, limit, { window })', 'finite with limit Infinity', () => boundedMap(project, Infinity, { window: 100 }), RangeError, 'boundedMap: options.window must be Infinity when limit is Infinity, received 100'],
  ['boundedMap(project, limit, { window })', "'8'", () => boundedMap(project, 2, { window: any('8') }), TypeError, 'boundedMap: options.window must be an integer >= 2 or Infinity, received "8"'],
  ['boundedMap(project, limit, { window })', "'8' with limit Infinity", () => boundedMap(project, Infinity, { window: any('8') }), TypeError, 'boundedMap: options.window must be Infinity when limit is Infinity, received "8"'],
  ['boundedMapFrom(input, project, limit)', 'input 42', () => boundedMapFrom(any(42), project, 2), TypeError, 'boundedMapFrom: input must be an iterable or an async iterable, received 42'],
  ['boundedMapFrom(input, project, limit)', 'input {}', () => boundedMapFrom(any({}), project, 2), TypeError, 'boundedMapFrom: input must be an iterable or an async iterable, received an object'],
  ['boundedMapFrom(input, project, limit)', 'input undefined', () => boundedMapFrom(any(undefined), project, 2), TypeError, 'boundedMapFrom: input must be an iterable or an async iterable, received undefined'],
  ['boundedMapFrom(input, project, limit)', 'limit 0', () => boundedMapFrom([1], project, 0), RangeError, 'boundedMapFrom: limit must be an integer >= 1 or Infinity, received 0'],
  ['boundedMapFrom(input, project, limit)', 'limit 1.5', () => boundedMapFrom([1], project, 1.5), RangeError, 'boundedMapFrom: limit must be an integer >= 1 or Infinity, received 1.5'],
  ['boundedMapFrom(input, project, limit)', 'project not a function', () => boundedMapFrom([1], any('p'), 1), TypeError, 'boundedMapFrom: project must be a function, received "p"'],
  ['boundedMapFrom(input, project, limit, options)', 'options.ordered 0', () => boundedMapFrom([1], project, 2, { ordered: any(0) }), TypeError, 'boundedMapFrom: options.ordered must be a boolean, received 0'],
  ['boundedMapFrom(input, project, limit, options)', "options.returnErrors 'yes'", () => boundedMapFrom([1], project, 2, { returnErrors: any('yes') }), TypeError, 'boundedMapFrom: options.returnErrors must be a boolean, received "yes"'],
  ['boundedMapFrom(input, project, limit, { window })', 'below limit', () => boundedMapFrom([1], project, 3, { window: 2 }), RangeError, 'boundedMapFrom: options.window must be an integer >= 3 or Infinity, received 2'],
  ['boundedMapIterable(input, project, limit)', 'input 42', () => boundedMapIterable(any(42), project, 2), TypeError, 'boundedMapIterable: input must be an iterable or an async iterable, received 42'],
  ['boundedMapIterable(input, project, limit)', 'input null', () => boundedMapIterable(any(null), project, 2), TypeError, 'boundedMapIterable: input must be an iterable or an async iterable, received null'],
  ['boundedMapIterable(input, project, limit)', 'project not a function', () => boundedMapIterable([1], any(undefined), 2), TypeError, 'boundedMapIterable: project must be a function, received undefined'],
  ['boundedMapIterable(input, project, limit)', 'limit 0', () => boundedMapIterable([1], project, 0), RangeError, 'boundedMapIterable: limit must be an integer >= 1 or Infinity, received 0'],
  ['boundedMapIterable(input, project, limit)', 'limit NaN', () => boundedMapIterable([1], project, NaN), RangeError, 'boundedMapIterable: limit must be an integer >= 1 or Infinity, received NaN'],
  ['boundedMapIterable(input, project, limit, options)', 'options null', () => boundedMapIterable([1], project, 2, any(null)), TypeError, 'boundedMapIterable: options must be an object, received null'],
  ['boundedMapIterable(input, project, limit, options)', 'options.returnErrors null', () => boundedMapIterable([1], project, 2, { returnErrors: any(null) }), TypeError, 'boundedMapIterable: options.returnErrors must be a boolean, received null'],
  ['boundedMapIterable(input, project, limit, options)', 'options.limiter {}', () => boundedMapIterable([1], project, 2, { limiter: any({}) }), TypeError, 'boundedMapIterable: options.limiter must be a Gate (with run()), received an object'],
  ['boundedMapIterable(input, project, limit, { window })', 'below limit', () => boundedMapIterable([1], project, 4, { window: 3 }), RangeError, 'boundedMapIterable: options.window must be an integer >= 4 or Infinity, received 3'],
  // asCompleted
  ['asCompleted({ limit })', '0', () => asCompleted({ limit: 0 }), RangeError, 'asCompleted: limit must be an integer >= 1 or Infinity, received 0'],
  ['asCompleted({ limit })', '-1', () => asCompleted({ limit: -1 }), RangeError, 'asCompleted: limit must be an integer >= 1 or Infinity, received -1'],
  ['asCompleted({ limit })', 'NaN', () => asCompleted({ limit: NaN }), RangeError, 'asCompleted: limit must be an integer >= 1 or Infinity, received NaN'],
  ['asCompleted({ limit })', '1.5', () => asCompleted({ limit: 1.5 }), RangeError, 'asCompleted: limit must be an integer >= 1 or Infinity, received 1.5'],
  ['asCompleted({ limit })', "'3'", () => asCompleted({ limit: any('3') }), TypeError, 'asCompleted: limit must be an integer >= 1 or Infinity, received "3"'],
  ['asCompleted({ limit })', 'null', () => asCompleted({ limit: any(null) }), TypeError, 'asCompleted: limit must be an integer >= 1 or Infinity, received null'],
  ['asCompleted(options)', 'null', () => asCompleted(any(null)), TypeError, 'asCompleted: options must be an object, received null'],
  ['asCompleted({ returnErrors })', '1', () => asCompleted({ returnErrors: any(1) }), TypeError, 'asCompleted: returnErrors must be a boolean, received 1'],
  // retry
  ['retry(options)', "'fast'", () => retry(any('fast')), TypeError, 'retry: options must be an object, received "fast"'],
  ['retry({ attempts })', '0', () => retry({ attempts: 0 }), RangeError, 'retry: attempts must be an integer >= 1 or Infinity, received 0'],
  ['retry({ attempts })', '2.5', () => retry({ attempts: 2.5 }), RangeError, 'retry: attempts must be an integer >= 1 or Infinity, received 2.5'],
  ['retry({ attempts })', 'NaN', () => retry({ attempts: NaN }), RangeError, 'retry: attempts must be an integer >= 1 or Infinity, received NaN'],
  ['retry({ attempts })', "'3'", () => retry({ attempts: any('3') }), TypeError, 'retry: attempts must be an integer >= 1 or Infinity, received "3"'],
  ['retry({ baseDelay })', '-1', () => retry({ baseDelay: -1 }), RangeError, 'retry: baseDelay must be a number >= 0, received -1'],
  ['retry({ baseDelay })', 'NaN', () => retry({ baseDelay: NaN }), RangeError, 'retry: baseDelay must be a number >= 0, received NaN'],
  ['retry({ factor })', '0.5', () => retry({ factor: 0.5 }), RangeError, 'retry: factor must be a number >= 1, received 0.5'],
  ['retry({ factor })', 'NaN', () => retry({ factor: NaN }), RangeError, 'retry: factor must be a number >= 1, received NaN'],
  ['retry({ maxDelay })', '-1', () => retry({ maxDelay: -1 }), RangeError, 'retry: maxDelay must be a number >= 0, received -1'],
  ['retry({ maxDelay })', 'NaN', () => retry({ maxDelay: NaN }), RangeError, 'retry: maxDelay must be a number >= 0, received NaN'],
  ['retry({ jitter })', '1.5', () => retry({ jitter: 1.5 }), RangeError, 'retry: jitter must be a number from 0 to 1, received 1.5'],
  ['retry({ jitter })', '-0.1', () => retry({ jitter: -0.1 }), RangeError, 'retry: jitter must be a number from 0 to 1, received -0.1'],
  ['retry({ jitter })', 'NaN', () => retry({ jitter: NaN }), RangeError, 'retry: jitter must be a number from 0 to 1, received NaN'],
  ['retry({ jitter })', "'0.1'", () => retry({ jitter: any('0.1') }), TypeError, 'retry: jitter must be a number from 0 to 1, received "0.1"'],
  ['retry({ retryOn })', 'true', () => retry({ retryOn: any(true) }), TypeError, 'retry: retryOn must be a function, received true'],
  ['retry({ deadline })', 'NaN', () => retry({ deadline: NaN }), RangeError, 'retry: deadline must be a number, not NaN, received NaN'],
  ['retry({ scheduler })', '42', () => retry({ scheduler: any(42) }), TypeError, 'retry: scheduler must be a SchedulerLike (with now() and schedule()), received 42'],
  ['retry({ scheduler })', '{} (no now())', () => retry({ scheduler: any({}) }), TypeError, 'retry: scheduler must be a SchedulerLike (with now() and schedule()), received an object'],
  ['retry({ random })', '0.5', () => retry({ random: any(0.5) }), TypeError, 'retry: random must be a function, received 0.5'],
  ['retry({ onRetry })', "'log'", () => retry({ onRetry: any('log') }), TypeError, 'retry: onRetry must be a function, received "log"'],
  // retry with RxJS's forms (issue 17.4): in plain JavaScript an auto-import of the wrong retry would take them silently.
  ['retry(count) (RxJS\'s form)', '3', () => retry(any(3)), TypeError, "retry: options must be an object, received 3; a bare count is RxJS's retry(count): this package's retry counts attempts: use { attempts: 4 } (RxJS's retry(3) is 4 attempts); or import RxJS's retry from 'rxjs'"],
  ['retry(count) (RxJS\'s form)', 'Infinity', () => retry(any(Infinity)), TypeError, "retry: options must be an object, received Infinity; a bare count is RxJS's retry(count): this package's retry counts attempts: use { attempts: Infinity } (RxJS's retry(Infinity) is Infinity attempts); or import RxJS's retry from 'rxjs'"],
  ['retry(count) (RxJS\'s form)', '-1', () => retry(any(-1)), TypeError, "retry: options must be an object, received -1; a bare count is RxJS's retry(count): this package's retry counts attempts: use { attempts } (RxJS's retry(n) is n + 1 attempts); or import RxJS's retry from 'rxjs'"],
  ['retry({ count }) (RxJS\'s option)', '3', () => retry(any({ count: 3 })), TypeError, "retry: options.count is RxJS's option; this package's retry counts attempts: use { attempts: 4 } (RxJS's count: 3 is 4 attempts); or import RxJS's retry from 'rxjs'"],
  ['retry({ count }) (RxJS\'s option)', "'3'", () => retry(any({ count: '3', attempts: 3 })), TypeError, "retry: options.count is RxJS's option; this package's retry counts attempts: use { attempts } (RxJS's count: n is n + 1 attempts); or import RxJS's retry from 'rxjs'"],
  ['retry({ delay }) (RxJS\'s option)', '1000', () => retry(any({ delay: 1000 })), TypeError, "retry: options.delay is RxJS's option; this package's retry computes each delay from baseDelay, factor, maxDelay and jitter: for a fixed 1000 ms use { baseDelay: 1000, factor: 1, jitter: 0 }; or import RxJS's retry from 'rxjs'"],
  ['retry({ delay }) (RxJS\'s option)', 'a function', () => retry(any({ delay: () => timer(1000) })), TypeError, "retry: options.delay is RxJS's option; this package's retry computes each delay from baseDelay, factor, maxDelay and jitter, and retryOn decides whether to retry; or import RxJS's retry from 'rxjs'"],
  ['retry({ resetOnSuccess }) (RxJS\'s option)', 'true', () => retry(any({ resetOnSuccess: true })), TypeError, "retry: options.resetOnSuccess is RxJS's option; this package's retry counts every attempt of the subscription and never resets: remove it; or import RxJS's retry from 'rxjs'"],
  // retrying
  ['retrying(task)', 'a Promise', () => retrying(any(Promise.resolve(1))), TypeError, 'retrying: task must be an ObservableInput or a function (signal) => ObservableInput that has not started yet, not a Promise (its work began when it was made: it can neither wait for a permit nor run again); pass a factory such as () => fetch(url), received an object'],
  ['retrying(task)', "'abc'", () => retrying(any('abc')), TypeError, 'retrying: task must be an ObservableInput or a function (signal) => ObservableInput, not a string (it would run as one task per character); for work pass a factory such as () => fetch(url), received "abc"'],
  ['retrying(task)', '123', () => retrying(any(123)), TypeError, 'retrying: task must be an ObservableInput or a function (signal) => ObservableInput, received 123'],
  ['retrying(task)', 'missing', () => retrying(any(undefined)), TypeError, 'retrying: task must be an ObservableInput or a function (signal) => ObservableInput, received undefined'],
  ['retrying(task, options)', "'fast'", () => retrying(of(1), any('fast')), TypeError, 'retrying: options must be an object, received "fast"'],
  ['retrying(task, { attempts })', '0', () => retrying(of(1), { attempts: 0 }), RangeError, 'retrying: attempts must be an integer >= 1 or Infinity, received 0'],
  ['retrying(task, { jitter })', '2', () => retrying(of(1), { jitter: 2 }), RangeError, 'retrying: jitter must be a number from 0 to 1, received 2'],
  ['retrying(task, { onRetry })', 'true', () => retrying(of(1), { onRetry: any(true) }), TypeError, 'retrying: onRetry must be a function, received true'],
  ['retrying(task, count) (RxJS\'s form)', '3', () => retrying(of(1), any(3)), TypeError, "retrying: options must be an object, received 3; a bare count is RxJS's retry(count): this package's retrying counts attempts: use { attempts: 4 } (RxJS's retry(3) is 4 attempts)"],
  ['retrying(task, { count }) (RxJS\'s option)', '2', () => retrying(of(1), any({ count: 2 })), TypeError, "retrying: options.count is RxJS's option; this package's retrying counts attempts: use { attempts: 3 } (RxJS's count: 2 is 3 attempts)"],
];

describe('bad input: every public function throws at call time with the documented class and message', () => {
  itThrowsAsTheRowSays(rows);

  it('good values of the same parameters do not throw (the table is about the bad ones only)', () => {
    const options: RetryOptions = {
      attempts: Infinity,
      baseDelay: 0,
      factor: 1,
      maxDelay: 0,
      jitter: 1,
      deadline: -Infinity,
      scheduler: asyncScheduler,
      random: () => 0,
      retryOn: () => true,
    };
    expect(() => [
      new Semaphore(0),
      new Semaphore(2, { maxValue: 2 }),
      new Semaphore(0, { maxValue: Infinity }),
      new CapacityLimiter(Infinity),
      new Queue(0),
      new Queue(Infinity),
      new Semaphore(2, { maxValue: 2 }).acquire(2),
      withPermit(new Lock(), 1),
      withPermit(new Semaphore(1), 1),
      failAfter(-1),
      failAfter(Infinity),
      moveOnAt(-Infinity),
      boundedMap(project, Infinity, {}),
      boundedMapFrom(new Set([1]), project, 1),
      asCompleted({}),
      asCompleted({ limit: 1, returnErrors: false }),
      asCompleted({ limit: Infinity }),
      retry(options),
      retry(),
      retry({ jitter: 1 }),
      boundedMap(project, 1, { ordered: false, limiter: undefined }),
      boundedMap(project, 2, { window: 2 }),
      boundedMap(project, 2, { window: Infinity }),
      boundedMap(project, Infinity, { window: Infinity }),
      boundedMap(project, 2, { ordered: false, window: 64 }),
      boundedMapFrom([1], project, 2, { window: undefined, returnErrors: true }),
      boundedMap(project, 2, { returnErrors: false }),
      boundedMapIterable(new Set([1]), project, Infinity, { window: Infinity, ordered: false }),
      gather({ returnErrors: true }),
      new Semaphore(1, { maxValue: undefined }),
      withPermit(new Lock()),
      withPermit({ run: (work) => new Lock().run(work) } as Gate, 1),
      new Lock().acquireAsync({}),
      new Queue(1).putAsync(1, {}),
      new Queue(1).getAsync({ signal: new AbortController().signal }),
      new Queue(1).getAsync({ signal: undefined }),
      new RateLimiter({ limit: 1, interval: 1 }),
      new RateLimiter({ limit: 3, interval: 1000, burst: 1, scheduler: asyncScheduler }),
      new RateLimiter({ limit: 2, interval: 10, burst: undefined, scheduler: undefined }),
      new RateLimiter({ limit: 2, interval: 10, burst: 5 }).acquire(5),
      withPermit(new RateLimiter({ limit: 5, interval: 1000, burst: 2 }), 2),
      // A real or duck-typed scheduler, an empty options object, an undefined field.
      failAfter(10, { scheduler: new TestScheduler(() => undefined) }),
      moveOnAt(10, { scheduler: any({ now: () => 0, schedule: () => ({ unsubscribe: () => undefined }) }) }),
      failAt(10, {}),
      moveOnAfter(10, { scheduler: undefined }),
      retry({ scheduler: any({ now: () => 0, schedule: () => ({ unsubscribe: () => undefined }) }) }),
      gatherAll([]),
      gatherAll([of(1), () => of(2), [3], Promise.resolve(4)], { returnErrors: undefined }),
      gatherAll([], {}),
      retry({ onRetry: () => undefined }),
      retrying(of(1)),
      retrying(() => of(1), options),
      retrying([1], undefined),
      // RxJS's option names left undefined (a spread of defaults) are not RxJS's forms.
      retry(any({ count: undefined, delay: undefined, resetOnSuccess: undefined })),
    ]).not.toThrow();
  });
});

describe('bad tasks inside a group', () => {
  it('tg.startSoon(123) and tg.start(123) leave the group running, with no child', () => {
    let size = -1;
    const events: string[] = [];
    const subscription = taskGroup((tg) => {
      for (const call of [() => tg.startSoon(any(123)), () => tg.start(any(123))]) expect(call).toThrow(TypeError);
      size = tg.size;
      return NEVER;
    }).subscribe({ error: () => events.push('error'), complete: () => events.push('complete') });
    expect([size, events, subscription.closed]).toEqual([0, [], false]);
    subscription.unsubscribe();
  });
});

/**
 * The table of docs/errors.md: consecutive rows of one call and one error class share a line, which lists
 * their bad arguments and shows the first one's message.
 */
function markdown(): string {
  const lines = ['| call | bad argument | throws | message |', '| --- | --- | --- | --- |'];
  for (let i = 0; i < rows.length;) {
    const [call, , , error, message] = rows[i]!;
    const args: string[] = [];
    for (; i < rows.length && rows[i]![0] === call && rows[i]![3] === error; i++) args.push(rows[i]![1]);
    lines.push(`| \`${call}\` | ${args.join(', ')} | \`${error.name}\` | ${message} |`);
  }
  return lines.join('\n');
}

describe('docs/errors.md', () => {
  it('shows exactly the table these rows make', () => {
    const path = join(__dirname, '..', 'docs', 'errors.md');
    const readme = readFileSync(path, 'utf8');
    const table = /\| call \| bad argument \| throws \| message \|\n(?:\|.*\n)*/.exec(readme);
    expect(table).not.toBeNull();
    if (process.env.BAD_INPUT_TABLE === 'write') writeFileSync(path, readme.replace(table![0], `${markdown()}\n`));
    else expect(table![0]).toBe(`${markdown()}\n`);
  });
});
