// A fast reader held back by a slow writer through `Queue.put()`: a text file is read with readline
// and written out line by line, one awaited write at a time, through a Queue of 1000 lines, so
// memory stays flat whatever the size of the file. The README ("Backpressure in a Node pipeline")
// quotes the part between the `README` markers verbatim; pipeline.test.mjs checks that it still does.
//
//   npm run build && node examples/pipeline/pipeline.mjs [options]
//
// Options:
//   --input FILE      file to copy (default: a generated file of --size MB in a temporary directory)
//   --size MB         size of the generated file (default 10)
//   --out FILE        where to copy it (default: a file in the temporary directory)
//   --max-size N      lines the queue buffers (default 1000; Infinity: no backpressure, to compare)
//
// Prints the lines copied, the peak queue size and two peaks of heapUsed over its value at the
// start (after a full GC): sampled every millisecond, which counts garbage not yet collected, and
// sampled right after a full GC forced every 100 ms, which counts only what is kept alive. The
// temporary directory is removed at the end, whatever happens. Nothing leaves the machine.

// README begin
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { catchError, concatMap, defer, EMPTY, lastValueFrom, repeat, throwError } from 'rxjs';
import { EndOfStreamError, Queue, QueueClosedError } from 'rxjs-concurrency';

/** Copies the text file at `inputPath` line by line to the Writable `out` through the queue `lines`;
 * resolves with the number of lines. `out` is left open. */
export async function copyLines(inputPath, out, lines = new Queue(1000)) {
  let count = 0;

  // Reader: the next line is read only once put() has accepted the previous one; while the queue
  // is full, readline's async iterator buffers up to 1024 lines, then pauses the file stream.
  async function read() {
    const input = createReadStream(inputPath);
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        await lastValueFrom(lines.put(line), { defaultValue: undefined });
        count++;
      }
    } catch (e) {
      if (!(e instanceof QueueClosedError)) throw e; // else the writer failed: its error is reported
    } finally {
      input.destroy();
      lines.close();
    }
  }

  // Writer: takes the next line only after the previous write has flushed.
  out.on('error', () => {}); // a write error reaches the writer through the write's callback
  const write = (line) => new Promise((resolve, reject) => out.write(`${line}\n`, (e) => (e ? reject(out.errored ?? e) : resolve())));

  const writer = defer(() => lines.get()).pipe(
    concatMap((line) => write(line)),
    repeat(), // then the next get()
    catchError((e) => (e instanceof EndOfStreamError ? EMPTY : throwError(() => e))), // closed and drained
  );

  const reading = read();
  try {
    await lastValueFrom(writer, { defaultValue: undefined });
  } finally {
    lines.close(); // a failed writer stops the reader
  }
  await reading; // a failed reader closed the queue, the writer drained it: now the reader's error
  return count;
}
// README end

// ---------------------------------------------------------------------------------------------
// Command line: generate or take an input file, copy it, print what was measured.

import { once } from 'node:events';
import { createWriteStream, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz'.repeat(20);

/** Line `i` (from 0) of a generated file: 499 characters (500 bytes with the newline) that start with `i` and depend on it. */
export function generatedLine(i) {
  const n = String(i).padStart(10, '0');
  return `${n} ${[...n].reverse().join('')} ${LETTERS.slice(i % 26, (i % 26) + 477)}`;
}

/** Writes `generatedLine(0)`, `generatedLine(1)`, … to `path` until it holds `bytes` or more; resolves with the line count. */
export async function generateFile(path, bytes) {
  const out = createWriteStream(path);
  let count = 0;
  for (let written = 0; written < bytes; count++) {
    const line = `${generatedLine(count)}\n`;
    written += line.length;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  return count;
}

/** Runs a full garbage collection (exposing `gc` if node was started without --expose-gc). */
export function collectGarbage() {
  if (typeof globalThis.gc !== 'function') {
    setFlagsFromString('--expose-gc');
    globalThis.gc = runInNewContext('gc');
  }
  globalThis.gc();
}

async function main() {
  const { values: flags } = parseArgs({
    options: {
      input: { type: 'string' },
      size: { type: 'string', default: '10' },
      out: { type: 'string' },
      'max-size': { type: 'string', default: '1000' },
    },
  });
  const sizeMb = Number(flags.size);
  const maxSize = Number(flags['max-size']);
  if (!(sizeMb > 0 && sizeMb < Infinity)) throw new RangeError(`--size must be a number of MB > 0, received ${flags.size}`);
  if (!((Number.isInteger(maxSize) && maxSize >= 0) || maxSize === Infinity)) {
    throw new RangeError(`--max-size must be an integer >= 0 or Infinity, received ${flags['max-size']}`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'rxjs-concurrency-pipeline-'));
  try {
    const input = flags.input ?? join(dir, 'input.txt');
    if (flags.input === undefined) await generateFile(input, sizeMb * 2 ** 20);
    const out = createWriteStream(flags.out ?? join(dir, 'output.txt'));
    const lines = new Queue(maxSize);
    let peakQueue = 0;
    const sizes = lines.state$.subscribe(({ size }) => (peakQueue = Math.max(peakQueue, size)));

    collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    let peakHeap = baseline;
    let peakLive = baseline;
    const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
    const sampleLive = () => {
      sample();
      collectGarbage();
      peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
    };
    const samplers = [setInterval(sample, 1), setInterval(sampleLive, 100)];
    const started = performance.now();
    let items;
    try {
      items = await copyLines(input, out, lines);
      sampleLive();
    } finally {
      samplers.forEach(clearInterval);
      sizes.unsubscribe();
    }
    const seconds = (performance.now() - started) / 1000;
    out.end();
    await finished(out);

    const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
    console.log(`input:             ${flags.input ?? join(dir, 'input.txt')}, ${mb(statSync(input).size)}`);
    console.log(`items:             ${items} lines in ${seconds.toFixed(1)} s`);
    console.log(`peak queue size:   ${peakQueue} of ${maxSize}`);
    console.log(`peak heap growth:  ${mb(peakHeap - baseline)} (garbage included; heap at start ${mb(baseline)})`);
    console.log(`peak live growth:  ${mb(peakLive - baseline)} (right after a full GC)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`removed:           ${dir}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
