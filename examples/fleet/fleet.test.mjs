// Runs `npm run example:fleet` as a user would (a child process, the built package, its own
// redis-server) with fewer batches, and checks its summary: every batch done, the fleet never above
// its limit, every worker served, permits handed over between processes.
//
//   npm run test:examples   (needs redis-server on the PATH)
import { test } from 'node:test';
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.mjs', import.meta.url));

test('4 workers x 30 batches with a fleet-wide limit of 3: all done, at most 3 at once, permits handed between processes', async () => {
  const child = spawn(process.execPath, [main, '--batches', '30', '--limit', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text) => (stderr += text));
  const code = await new Promise((resolve) => child.on('close', resolve));
  assert.equal(code, 0, `exit ${code}\n${stdout}\n${stderr}`);
  const grab = (pattern) => {
    const match = pattern.exec(stdout);
    assert.ok(match, `${pattern} not found in:\n${stdout}`);
    return match.slice(1).map(Number);
  };
  const [done, total] = grab(/batches: +(\d+) of (\d+)/);
  assert.equal(done, total);
  assert.equal(total, 120);
  const calls = grab(/per worker: +w1 (\d+) calls, w2 (\d+) calls, w3 (\d+) calls, w4 (\d+) calls/);
  for (const n of calls) assert.ok(n >= 30, `every worker made its 30 calls at least: ${calls}`);
  const [peak, limit, handOffs] = grab(/fleet: +at most (\d+) of (\d+) permits held at once \(the gate's state\$\), (\d+) hand-offs/);
  assert.equal(limit, 3);
  assert.equal(peak, 3);
  assert.ok(handOffs > 100, `hand-offs: ${handOffs}`);
});
