import { once } from 'node:events';
import { Writable } from 'node:stream';

/** What a slow sink saw. */
export interface SinkReport {
  /** Objects the sink wrote (completed). */
  readonly written: number;
  /** The most objects ever waiting in the sink unwritten (`writableLength`). */
  readonly maxWritableLength: number;
}

/**
 * Writes every result of `results` into a real `Writable` (object mode, `highWaterMark` objects)
 * that completes each write one macrotask later (`setImmediate`, no timer): a sink slower than any
 * task that settles in microtasks. The loop is the one the README shows, waiting for `'drain'`
 * whenever `write` says the sink is full. `each` runs for each result as it is read.
 */
export async function drainInto<R>(
  results: AsyncIterable<R>,
  highWaterMark: number,
  each: (result: R) => void = () => {},
): Promise<SinkReport> {
  let written = 0;
  let maxWritableLength = 0;
  const out = new Writable({
    objectMode: true,
    highWaterMark,
    write: (_chunk: unknown, _encoding: BufferEncoding, callback: () => void) => {
      setImmediate(() => {
        written++;
        callback();
      });
    },
  });
  for await (const result of results) {
    each(result);
    const room = out.write(result);
    maxWritableLength = Math.max(maxWritableLength, out.writableLength);
    if (!room) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { written, maxWritableLength };
}
