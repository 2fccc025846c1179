import type { SchedulerLike } from 'rxjs';

/** Argument checks shared by every public entry point: one wording for every message. @internal */

function describe(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'function':
      return 'a function';
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
    default:
      return String(value);
  }
}

/** Throws `ErrorClass` with the one wording every check uses. */
export function fail(ErrorClass: typeof RangeError | typeof TypeError, where: string, name: string, must: string, value: unknown): never {
  throw new ErrorClass(`${where}: ${name} must be ${must}, received ${describe(value)}`);
}

/** An integer ≥ `min`, or `Infinity` when `allowInfinity`. */
export function checkCount(where: string, name: string, value: unknown, min: number, allowInfinity = false): number {
  const must = `an integer >= ${min}${allowInfinity ? ' or Infinity' : ''}`;
  if (typeof value !== 'number') fail(TypeError, where, name, must, value);
  if (value === Infinity && allowInfinity) return value;
  if (!Number.isInteger(value) || value < min) fail(RangeError, where, name, must, value);
  return value;
}

/** A finite or infinite number in `[min, max]`, never NaN. */
export function checkNumber(where: string, name: string, value: unknown, min: number, max = Infinity): number {
  const must = max === Infinity ? `a number >= ${min}` : `a number from ${min} to ${max}`;
  if (typeof value !== 'number') fail(TypeError, where, name, must, value);
  if (Number.isNaN(value) || value < min || value > max) fail(RangeError, where, name, must, value);
  return value;
}

/** Any number but NaN (deadlines and timeouts: `-Infinity` and `Infinity` are meaningful). */
export function checkTime(where: string, name: string, value: unknown): number {
  if (typeof value !== 'number') fail(TypeError, where, name, 'a number', value);
  if (Number.isNaN(value)) fail(RangeError, where, name, 'a number, not NaN', value);
  return value;
}

export function checkFunction<F>(where: string, name: string, value: F): F {
  if (typeof value !== 'function') fail(TypeError, where, name, 'a function', value);
  return value;
}

export function checkObject(where: string, name: string, value: unknown): object {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) fail(TypeError, where, name, 'an object', value);
  return value;
}

/** An `Iterable` or an `AsyncIterable` (anything `for await` accepts). */
export function checkIterable(where: string, name: string, value: unknown): void {
  const v = value as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown } | null | undefined;
  if (typeof v?.[Symbol.asyncIterator] !== 'function' && typeof v?.[Symbol.iterator] !== 'function') {
    fail(TypeError, where, name, 'an iterable or an async iterable', value);
  }
}

/** An `AbortSignal` (duck-typed, so a polyfill or another realm's signal passes). */
export function checkSignal(where: string, name: string, value: unknown): void {
  const signal = value as Partial<AbortSignal> | null;
  if (
    typeof signal !== 'object' ||
    signal === null ||
    typeof signal.aborted !== 'boolean' ||
    typeof signal.addEventListener !== 'function'
  ) {
    fail(TypeError, where, name, 'an AbortSignal', value);
  }
}

/** The signal of an optional `{ signal?: AbortSignal }` argument; `null` when there is none. */
export function checkSignalOption(where: string, options: unknown): AbortSignal | null {
  if (options === undefined) return null;
  checkObject(where, 'options', options);
  const signal = (options as { signal?: unknown }).signal;
  if (signal === undefined) return null;
  checkSignal(where, 'options.signal', signal);
  return signal as AbortSignal;
}

/** A `Gate` (duck-typed on `run`, the one method the operators call, so any implementation passes). */
export function checkGate(where: string, name: string, value: unknown): void {
  if (typeof (value as { run?: unknown } | null | undefined)?.run !== 'function')
    fail(TypeError, where, name, 'a Gate (with run())', value);
}

export function checkBoolean(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(TypeError, where, name, 'a boolean', value);
  return value;
}

/** A `SchedulerLike` (duck-typed: `now` and `schedule` functions, so any RxJS version's scheduler passes). */
export function checkScheduler(where: string, name: string, value: unknown): SchedulerLike {
  const scheduler = value as { now?: unknown; schedule?: unknown } | null;
  if (
    typeof scheduler !== 'object' ||
    scheduler === null ||
    typeof scheduler.now !== 'function' ||
    typeof scheduler.schedule !== 'function'
  ) {
    fail(TypeError, where, name, 'a SchedulerLike (with now() and schedule())', value);
  }
  return value as SchedulerLike;
}
