// Checks what the README says of the pipeline example (pipeline.mjs): on a generated 50 MB file and
// a deliberately slow writer, every line arrives exactly once and in order, the queue never holds
// more than its maxSize, and the heap does not grow with the file. A memory test, not a timing one.
//
//   npm run test:examples     (or: npm run build && node --test examples/pipeline/pipeline.test.mjs)
//
// How the heap is measured: process.memoryUsage().heapUsed minus its value after a full GC just
// before the run, sampled (1) every millisecond and (2) right after a full GC forced every 5,000
// lines written (21 times in the run). (1) includes garbage V8 has not collected yet (its young
// generation alone takes up to 16 MB on Node 20 x64, whatever the pipeline keeps): 21 to 28 MB was
// seen, so it only gets a loose bound, the input size. (2) is what the pipeline keeps alive, and
// gets the real bound, LIVE_BOUND_MB:
//   - what the pipeline may hold: the queue's 1000 lines of 500 bytes (0.5 MB), the 1024 lines
//     readline's iterator buffers before it pauses the file (0.5 MB), a 64 KB read chunk and the
//     streams' buffers: a little over 1 MB. Seen: 2.0 to 2.5 MB.
//   - what the same pipeline holds without backpressure: the whole file. The second test measures
//     `new Queue(Infinity)` the same way and sees about 70 MB for this 50 MB file.
// 8 MB is three times what was seen and under a sixth of the file: a run that kept a sixth of
// the file alive fails.
import { test, before, after } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Queue } from 'rxjs-concurrency';
import { collectGarbage, copyLines, generatedLine, generateFile } from './pipeline.mjs';

const INPUT_MB = 50;
const MAX_SIZE = 1000;
const LIVE_BOUND_MB = 8;
const MB = 2 ** 20;

const example = fileURLToPath(new URL('./pipeline.mjs', import.meta.url));
const readme = fileURLToPath(new URL('../../README.md', import.meta.url));

let dir;
let input;
let lineCount;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rxjs-concurrency-pipeline-test-'));
  input = join(dir, 'input.txt');
  lineCount = await generateFile(input, INPUT_MB * MB);
});
after(() => rm(dir, { recursive: true, force: true }));

/**
 * The slow writer: a Writable that checks that each line is the next one of the generated file
 * (so a line lost, repeated or out of order fails at once), and after every 100 lines waits for a
 * 1 ms timer, which lets the reader run ahead until the queue is full. `onLine(n)` runs after the
 * n-th line.
 */
function slowCheckingWriter(onLine) {
  let received = 0;
  const writer = new Writable({
    decodeStrings: false,
    write(chunk, _encoding, callback) {
      const expected = `${generatedLine(received)}\n`;
      if (chunk !== expected)
        return callback(new Error(`line ${received}: expected ${JSON.stringify(expected)}, received ${JSON.stringify(chunk)}`));
      received++;
      onLine(received);
      if (received % 100 === 0) setTimeout(callback, 1);
      else callback();
    },
  });
  return { writer, received: () => received };
}

/** Peak growth of heapUsed over its value after a full GC now: raw (every ms) and right after a full GC (on `live()`). */
function heapSampler() {
  const heapUsed = () => process.memoryUsage().heapUsed;
  collectGarbage();
  const baseline = heapUsed();
  const peak = { raw: 0, live: 0, liveSamples: 0 };
  const sample = () => (peak.raw = Math.max(peak.raw, heapUsed() - baseline));
  const timer = setInterval(sample, 1);
  return {
    peak,
    live() {
      sample();
      collectGarbage();
      peak.live = Math.max(peak.live, heapUsed() - baseline);
      peak.liveSamples++;
    },
    stop: () => clearInterval(timer),
  };
}

const mb = (bytes) => `${(bytes / MB).toFixed(1)} MB`;

test(`${INPUT_MB} MB through a slow writer: every line once and in order, queue <= maxSize, heap flat`, async (t) => {
  const lines = new Queue(MAX_SIZE);
  let peakQueue = 0;
  const sizes = lines.state$.subscribe(({ size }) => (peakQueue = Math.max(peakQueue, size))); // every change
  const heap = heapSampler();
  const { writer, received } = slowCheckingWriter((n) => n % 5_000 === 0 && heap.live());
  const started = performance.now();
  let copied;
  try {
    copied = await copyLines(input, writer, lines);
    heap.live();
  } finally {
    heap.stop();
    sizes.unsubscribe();
  }
  t.diagnostic(
    `${lineCount} lines (${INPUT_MB} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s; peak queue ${peakQueue}; ` +
      `peak heap growth ${mb(heap.peak.live)} right after a full GC (${heap.peak.liveSamples} samples), ${mb(heap.peak.raw)} with garbage`,
  );

  assert.equal(copied, lineCount, 'lines read');
  assert.equal(received(), lineCount, 'lines written, each checked against the next expected one');
  assert.ok(peakQueue <= MAX_SIZE, `the queue held ${peakQueue} lines, maxSize is ${MAX_SIZE}`);
  assert.equal(peakQueue, MAX_SIZE, 'the queue filled up, so the reader was held back (else nothing was tested)');
  assert.ok(heap.peak.liveSamples >= lineCount / 5_000);
  assert.ok(heap.peak.live < LIVE_BOUND_MB * MB, `peak live heap growth ${mb(heap.peak.live)}, bound ${LIVE_BOUND_MB} MB`);
  assert.ok(heap.peak.raw < INPUT_MB * MB, `peak heap growth with garbage ${mb(heap.peak.raw)}, input ${INPUT_MB} MB`);
});

test('the same measurement sees the whole file in the heap without backpressure (Queue(Infinity))', async (t) => {
  const lines = new Queue(Infinity);
  const heap = heapSampler();
  // The writer takes one line and stalls; the reader closes the queue once it has read the whole
  // file: measure then, and make the writer fail, which ends copyLines.
  const closed = lines.state$.subscribe((state) => state.closed && heap.peak.liveSamples === 0 && heap.live());
  const writer = new Writable({
    write(_chunk, _encoding, callback) {
      const stall = () => (lines.closed ? callback(new Error('writer stopped')) : setTimeout(stall, 10));
      stall();
    },
  });
  try {
    await assert.rejects(copyLines(input, writer, lines), /writer stopped/);
  } finally {
    heap.stop();
    closed.unsubscribe();
  }
  t.diagnostic(`unbounded queue: peak heap growth ${mb(heap.peak.live)} right after a full GC, ${mb(heap.peak.raw)} with garbage`);
  assert.equal(heap.peak.liveSamples, 1);
  assert.ok(heap.peak.live > 0.9 * INPUT_MB * MB, `peak live heap growth ${mb(heap.peak.live)}`);
});

test('the command line: generates a file, copies it, prints its figures, removes its temporary files', async () => {
  const out = join(dir, 'copy.txt');
  const { code, stdout, stderr } = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [example, '--size', '1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  assert.equal(stderr, '');
  assert.equal(code, 0);
  const grab = (pattern) => {
    const match = pattern.exec(stdout);
    assert.ok(match, `${pattern} not found in:\n${stdout}`);
    return match.slice(1);
  };
  const [items] = grab(/^items: +(\d+) lines in [\d.]+ s$/m).map(Number);
  const [peakQueue, maxSize] = grab(/^peak queue size: +(\d+) of (\d+)$/m).map(Number);
  grab(/^peak heap growth: +[\d.]+ MB \(garbage included; heap at start [\d.]+ MB\)$/m);
  grab(/^peak live growth: +[\d.]+ MB \(right after a full GC\)$/m);
  const [removed] = grab(/^removed: +(\S+)$/m);
  const copy = readFileSync(out, 'utf8').split('\n');
  assert.equal(copy.pop(), '');
  assert.equal(copy.length, items);
  assert.equal(items, Math.ceil(MB / 500), '1 MB of 500-byte lines');
  copy.forEach((line, i) => assert.equal(line, generatedLine(i)));
  assert.equal(maxSize, 1000);
  assert.ok(peakQueue <= maxSize);
  assert.equal(existsSync(removed), false, 'the temporary directory was removed');
});

test('the README quotes the example verbatim', () => {
  const source = readFileSync(example, 'utf8');
  const region = /^\/\/ README begin\n([^]*?)^\/\/ README end$/m.exec(source)?.[1];
  assert.ok(region, 'pipeline.mjs has its README begin/end markers');
  const text = readFileSync(readme, 'utf8');
  const quote = `<!-- examples/pipeline/pipeline.mjs -->\n\`\`\`js\n${region}\`\`\``;
  assert.ok(
    text.includes(quote),
    'README.md, "Backpressure in a Node pipeline": the code block after ' +
      '<!-- examples/pipeline/pipeline.mjs --> must be the part of pipeline.mjs between "// README begin" and "// README end"',
  );
});
