// `npm start`: 100,000 records through a flaky local API, in two stages sharing one budget.
//
//   records.jsonl ─readline─▶ stage 1: enrich, 10 at once ─▶ Queue(8) ─▶ stage 2: store, 6 at once
//                             (boundedMapFrom, 200 per call)            (boundedMapFrom over the queue)
//                             └──── both call the API through one CapacityLimiter(12) ────┘
//
// Every request has its own timeout (failAfter) and is retried with backoff (retry); the whole run
// has a deadline (moveOnAfter). Ctrl-C unsubscribes, which cancels everything: in-flight requests
// are aborted, the file is no longer read, the queue is dropped. Then a partial summary, exit 130.
//
// Options (flags or environment variables):
//   --records N      DEMO_RECORDS       records to generate (default 100000)
//   --deadline MS    DEMO_DEADLINE_MS   overall deadline (default 50000)
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { EMPTY, TimeoutError, catchError, concatMap, defer, finalize, interval, tap } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
import { CapacityLimiter, Queue, boundedMapFrom, failAfter, moveOnAfter, retry, taskGroup } from 'rxjs-concurrency';
import { startFlakyServer } from './flakyServer.mjs';

const { values: flags } = parseArgs({ options: { records: { type: 'string' }, deadline: { type: 'string' } } });
const RECORDS = positiveInt('records', flags.records ?? process.env.DEMO_RECORDS ?? '100000');
const DEADLINE_MS = positiveInt('deadline', flags.deadline ?? process.env.DEMO_DEADLINE_MS ?? '50000');
const BATCH = 200; // records per API call: the API is a bulk one
const TOKENS = 12; // API calls in flight at most, both stages together
const REQUEST_TIMEOUT_MS = 1_000; // per attempt; the server's stalls last 10 s
const RETRY = { attempts: 5, baseDelay: 50, maxDelay: 1_000 };

function positiveInt(name, text) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`demo: --${name} must be a positive integer, got ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return value;
}

class HttpError extends Error {
  name = 'HttpError';
}

const stats = { ok: 0, failed: 0, requests: 0, retries: 0, timeouts: 0, httpErrors: 0, peak: 0 };

// The first Ctrl-C cancels cleanly (below, once the pipeline runs); a second one kills at once.
let cancelledEarly = false;
let cancel = () => void (cancelledEarly = true);
process.once('SIGINT', () => cancel());
let started = performance.now(); // reset when the processing starts: the summary times that
const elapsed = () => ((performance.now() - started) / 1000).toFixed(1);

// --- the data: a JSON-lines file in the temp directory -------------------------------------------
const file = join(tmpdir(), `rxjs-concurrency-demo-${process.pid}.jsonl`);
await writeRecords(file, RECORDS);

async function writeRecords(path, count) {
  const out = createWriteStream(path);
  for (let id = 0; id < count && !cancelledEarly; id++) {
    if (!out.write(`${JSON.stringify({ id, name: `record-${id}`, value: (id * 7919) % 1000 })}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Batches of parsed records, read lazily: boundedMapFrom pulls the next one only when a slot frees. */
async function* batchesOf(path, size) {
  const input = createReadStream(path);
  try {
    let batch = [];
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      batch.push(JSON.parse(line));
      if (batch.length === size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    input.destroy(); // also when the consumer stops early (Ctrl-C, deadline): return() lands here
  }
}

// --- the API client -------------------------------------------------------------------------------
const server = await startFlakyServer();
// One request before the clock matters: Node loads its fetch implementation on first use.
await fetch(`${server.url}/health`);
const limiter = new CapacityLimiter(TOKENS);
const peakSubscription = limiter.state$.subscribe(({ total, available }) => {
  stats.peak = Math.max(stats.peak, total - available);
});

/** A POST whose request is aborted when it is unsubscribed (rxjs's fromFetch). */
function post(path, body) {
  return defer(() => {
    stats.requests++;
    return fromFetch(server.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      selector: async (response) => {
        if (response.ok) return response.json();
        await response.body?.cancel();
        throw new HttpError(`${path}: HTTP ${response.status}`);
      },
    });
  });
}

/**
 * One API call: a token from the shared limiter for each attempt (none during the backoff pause),
 * a timeout per attempt, and retries with exponential backoff. Subscribing starts it;
 * unsubscribing aborts the request in flight.
 *
 * failAfter sits inside run(), so the wait for a token does not count against the timeout, and it
 * wraps an Observable that aborts on unsubscribe. A task factory `(signal) => fetch(url, { signal })`
 * would do as well: its signal aborts when the task fails with the TimeoutError, as when it is
 * cancelled.
 */
function call(path, body) {
  let attempt = 0;
  return defer(() => {
    if (attempt++ > 0) stats.retries++;
    return limiter.run(post(path, body).pipe(failAfter(REQUEST_TIMEOUT_MS)));
  }).pipe(
    tap({
      error: (error) => {
        if (error instanceof TimeoutError) stats.timeouts++;
        else if (error instanceof HttpError) stats.httpErrors++;
      },
    }),
    retry(RETRY),
  );
}

/** A batch that failed every attempt is counted, not fatal: the run goes on. */
const countFailed = (batch) =>
  catchError(() => {
    stats.failed += batch.length;
    progressed();
    return EMPTY;
  });

// --- the pipeline ---------------------------------------------------------------------------------
const queue = new Queue(8);

// Stage 1 takes limiter tokens per request (inside call), not for the whole task: the task also
// waits on queue.put(), and holding a token there could leave stage 2 none to drain the queue with.
const enrich$ = boundedMapFrom(
  batchesOf(file, BATCH),
  (batch) =>
    call('/enrich', batch).pipe(
      countFailed(batch),
      // The slot stays taken until the queue accepts the batch: a slow stage 2 slows the reading.
      concatMap((enriched) => queue.put(enriched)),
    ),
  10,
  { ordered: false },
);

// Stage 2 pulls from the queue (a Queue is an AsyncIterable): a batch is taken only when one of the
// 6 slots frees, so at most 8 + 6 enriched batches are past stage 1 and not yet stored, and a slow
// store holds stage 1 back. (queue.consume().pipe(boundedMap(...)) would drain the queue into
// boundedMap's unbounded buffer at once.)
const store$ = boundedMapFrom(
  queue,
  (enriched) =>
    call('/store', enriched).pipe(
      tap(() => {
        stats.ok += enriched.length;
        progressed();
      }),
      countFailed(enriched),
    ),
  6,
  { ordered: false },
);

let completed = false;
const pipeline$ = taskGroup((tg) => {
  tg.startSoon(enrich$.pipe(finalize(() => queue.close())));
  return store$;
}).pipe(tap({ complete: () => (completed = true) }), moveOnAfter(DEADLINE_MS));

// --- progress and summary -------------------------------------------------------------------------
const tty = process.stdout.isTTY === true;
let lastTenth = 0;

function progressLine() {
  const done = stats.ok + stats.failed;
  const percent = Math.floor((done * 100) / RECORDS);
  return `progress ${String(percent).padStart(3)}%  ${done}/${RECORDS} items | retries ${stats.retries} | timeouts ${stats.timeouts} | in flight ${limiter.borrowedTokens}/${TOKENS} | ${elapsed()} s`;
}

function progressed() {
  if (tty) return;
  const tenth = Math.floor(((stats.ok + stats.failed) * 10) / RECORDS);
  if (tenth > lastTenth && tenth < 10) {
    lastTenth = tenth;
    process.stdout.write(`${progressLine()}\n`);
  }
}

const ticker = tty ? interval(100).subscribe(() => process.stdout.write(`\r${progressLine()}\x1b[K`)) : undefined;

let finished = false;
async function finish(how) {
  if (finished) return;
  finished = true;
  ticker?.unsubscribe();
  peakSubscription.unsubscribe();
  if (tty) process.stdout.write(`\r${progressLine()}\x1b[K\n`);
  // Requests just aborted reach the server a moment later: let it count them before the summary.
  if (how !== 'done') await new Promise((resolve) => setTimeout(resolve, 50));
  const done = stats.ok + stats.failed;
  const title = {
    done: 'summary',
    deadline: `partial summary (deadline of ${DEADLINE_MS} ms reached)`,
    cancelled: 'partial summary (cancelled by SIGINT)',
    error: 'partial summary (failed)',
  }[how];
  process.stdout.write(
    [
      `${title}:`,
      `  items:       ${done} of ${RECORDS} (${stats.ok} stored, ${stats.failed} failed after ${RETRY.attempts} attempts)`,
      `  requests:    ${stats.requests} (retries: ${stats.retries}, timeouts: ${stats.timeouts}, HTTP errors: ${stats.httpErrors})`,
      `  peak concurrency: ${stats.peak} of ${TOKENS} tokens`,
      `  server:      ${server.stats.requests} requests, ${server.stats.stalled} stalled, ${server.stats.aborted} aborted by the client, ${server.stats.stored} records stored, ${server.stats.receivedAgain} received again`,
      `  elapsed:     ${elapsed()} s (plus ${setupSeconds} s to write the file and start the server)`,
      '',
    ].join('\n'),
  );
  await server.close();
  await rm(file, { force: true });
  process.exitCode = { done: 0, deadline: 0, cancelled: 130, error: 1 }[how];
  // Everything was unsubscribed, so the process ends by itself; if it does not, something leaked.
  setTimeout(() => {
    process.stderr.write('demo: something is still running after the end\n');
    process.exit(process.exitCode);
  }, 3_000).unref();
}

process.stdout.write(`${RECORDS} records in ${file}, API on ${server.url}, deadline ${DEADLINE_MS} ms\n`);
const setupSeconds = elapsed();
started = performance.now();
if (cancelledEarly) {
  void finish('cancelled');
} else {
  const subscription = pipeline$.subscribe({
    complete: () => void finish(completed ? 'done' : 'deadline'),
    error: (error) => {
      process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
      void finish('error');
    },
  });
  cancel = () => {
    subscription.unsubscribe();
    void finish('cancelled');
  };
}
