/** A hard cap: a regression (a source that keeps running after its owner left) fails on the count instead of hanging. */
const CAP = 100_000;

/**
 * An endless synchronous source that counts the values read from it (`make(n)` makes the n-th, from
 * 1) and tells whether its iterator was closed.
 */
export function counting<T>(make: (n: number) => T): {
  readonly input: Iterable<T>;
  readonly read: () => number;
  readonly returned: () => boolean;
} {
  let read = 0;
  let returned = false;
  function* endless(): Generator<T> {
    try {
      while (read < CAP) yield make(++read);
    } finally {
      returned = true;
    }
  }
  return { input: { [Symbol.iterator]: endless }, read: () => read, returned: () => returned };
}
