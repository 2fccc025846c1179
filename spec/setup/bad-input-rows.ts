/** One row of a bad-input table: the call, the bad argument, a thunk making the call, what it throws. */
export type Row = readonly [
  call: string,
  argument: string,
  fn: () => unknown,
  error: typeof RangeError | typeof TypeError,
  message: string,
];

/** A test per row: the call throws at once, an instance of exactly that class, with exactly that message. */
export function itThrowsAsTheRowSays(rows: readonly Row[]): void {
  it.each(rows.map((row) => [`${row[0]} with ${row[1]}`, row] as const))('%s', (_name, [, , fn, ErrorClass, message]) => {
    let thrown: unknown;
    try {
      fn();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ErrorClass);
    expect((thrown as Error).constructor).toBe(ErrorClass);
    expect((thrown as Error).message).toBe(message);
  });
}
