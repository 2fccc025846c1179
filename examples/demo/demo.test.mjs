// Runs the `npm start` demo as a user would (a child process, built package) and checks what it
// prints: a full run on a small file, a run cut by its deadline, and Ctrl-C (SIGINT) mid-run.
//
//   npm run test:examples
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.mjs', import.meta.url));

/** Starts the demo; `exited` resolves with its exit code, signal and output. */
function startDemo(args = [], env = {}) {
  const child = spawn(process.execPath, [main, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (text) => (output.stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text) => (output.stderr += text));
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, ...output })));
  return { child, output, exited };
}

/** The numbers of the summary block. */
function summary(stdout) {
  const grab = (pattern) => {
    const match = pattern.exec(stdout);
    assert.ok(match, `${pattern} not found in:\n${stdout}`);
    return match.slice(1).map(Number);
  };
  const [done, total, stored, failed] = grab(/items: +(\d+) of (\d+) \((\d+) stored, (\d+) failed/);
  const [requests, retries, timeouts, httpErrors] = grab(/requests: +(\d+) \(retries: (\d+), timeouts: (\d+), HTTP errors: (\d+)\)/);
  const [peak, tokens] = grab(/peak concurrency: (\d+) of (\d+) tokens/);
  const [serverRequests, stalled, aborted, serverStored, receivedAgain] = grab(
    /server: +(\d+) requests, (\d+) stalled, (\d+) aborted by the client, (\d+) records stored, (\d+) received again/,
  );
  const [elapsed] = grab(/elapsed: +([\d.]+) s/);
  return {
    done,
    total,
    stored,
    failed,
    requests,
    retries,
    timeouts,
    httpErrors,
    peak,
    tokens,
    serverRequests,
    stalled,
    aborted,
    serverStored,
    receivedAgain,
    elapsed,
  };
}

const tempFile = (stdout) => /records in (\S+),/.exec(stdout)?.[1];

test('a full run on 3,000 records: every record stored once, through retries and timeouts', async () => {
  const { code, signal, stdout, stderr } = await startDemo(['--records', '3000']).exited;
  assert.equal(stderr, '');
  assert.equal(signal, null);
  assert.equal(code, 0);
  assert.match(stdout, /^summary:$/m);
  const s = summary(stdout);
  assert.equal(s.total, 3000);
  assert.equal(s.done, 3000);
  assert.equal(s.stored + s.failed, 3000);
  // A store can succeed on the server and still time out on the client: the server is idempotent,
  // so every record is stored at most once, and every record the client counts as stored is.
  assert.ok(s.serverStored >= s.stored && s.serverStored <= 3000, `server stored ${s.serverStored}, client ${s.stored}`);
  assert.ok(s.peak >= 2 && s.peak <= s.tokens, `peak ${s.peak} of ${s.tokens}`);
  assert.equal(s.requests, s.serverRequests);
  // 15 batches of 200, each enriched then stored: 30 calls, each one attempt or more.
  // (A batch that failed for good — 5 failed attempts, about 1 run in 100 — skips its store call.)
  if (s.failed === 0) assert.equal(s.requests, 30 + s.retries);
  else assert.ok(s.requests >= 15 + s.retries, `requests: ${s.requests}`);
  assert.ok(s.timeouts <= s.retries + s.failed / 200, 'every timeout was retried or gave up');
  // Each failed attempt is a timeout or an HTTP error (the flaky server answers 500s), and each
  // was retried or was a batch's last.
  assert.ok(s.timeouts + s.httpErrors <= s.retries + s.failed / 200, 'every failed attempt was retried or gave up');
  // Ten progress lines when stdout is not a terminal: one per 10 % (the last one is the summary).
  assert.equal((stdout.match(/^progress /gm) ?? []).length, 9);
  assert.equal(existsSync(tempFile(stdout)), false, 'the records file was removed');
});

test('the overall deadline (moveOnAfter) ends the run early with a partial summary', async () => {
  const started = performance.now();
  const { code, stdout, stderr } = await startDemo(['--deadline', '1500']).exited;
  const seconds = (performance.now() - started) / 1000;
  assert.equal(stderr, '', 'nothing kept running after the end');
  assert.equal(code, 0);
  assert.match(stdout, /^partial summary \(deadline of 1500 ms reached\):$/m);
  const s = summary(stdout);
  assert.ok(s.done < s.total, `done ${s.done}`);
  assert.ok(s.elapsed >= 1.5 && s.elapsed < 3, `elapsed ${s.elapsed} s`);
  assert.ok(seconds < 10, `the process took ${seconds} s to exit`);
  assert.equal(existsSync(tempFile(stdout)), false);
});

test('SIGINT mid-run: cancels everything, prints a partial summary, exits 130, no stack trace', async () => {
  const demo = startDemo();
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no progress line in 30 s:\n${demo.output.stdout}`)), 30_000);
    demo.child.stdout.on('data', () => {
      if (/^progress /m.test(demo.output.stdout)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const sentAt = performance.now();
  demo.child.kill('SIGINT');
  const { code, signal, stdout, stderr } = await demo.exited;
  assert.equal(signal, null, 'the demo handled SIGINT itself');
  assert.equal(code, 130);
  assert.equal(stderr, '');
  assert.doesNotMatch(stdout, /Error|\bat .+:\d+:\d+/);
  assert.match(stdout, /^partial summary \(cancelled by SIGINT\):$/m);
  const s = summary(stdout);
  assert.ok(s.done > 0 && s.done < s.total, `done ${s.done} of ${s.total}`);
  assert.ok(s.peak <= s.tokens);
  assert.ok(performance.now() - sentAt < 5_000, 'it exited promptly');
  assert.equal(existsSync(tempFile(stdout)), false);
});
