// After `stryker run --incremental` (npm run mutate:incremental): fails when the mutants of code
// changed since the committed baseline score under 90%. The baseline is read as committed at HEAD,
// since the run has just rewritten reports/stryker-incremental.json in the work tree.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import mutationScore from './mutation-score.cjs';

const { describeGate, mutationGate } = mutationScore;
const REPORT = 'reports/mutation/mutation.json';
const BASELINE = 'reports/stryker-incremental.json';
const THRESHOLD = 90;

const report = JSON.parse(readFileSync(REPORT, 'utf8'));
let baseline;
try {
  // The baseline holds every file's source and every test's: tens of megabytes.
  baseline = JSON.parse(
    execFileSync('git', ['show', `HEAD:${BASELINE}`], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
} catch {
  console.log(`mutation gate: no ${BASELINE} committed at HEAD, so every mutant counts as changed`);
}
const verdict = mutationGate(baseline, report, THRESHOLD);
for (const line of describeGate(verdict)) console.log(line);
if (!verdict.pass) {
  console.log(
    'mutation gate: failed. Kill the mutants above with tests; one that cannot be killed (an equivalent mutant) takes a ' +
      '`// Stryker disable next-line <mutator>: <why>` comment in lib/.',
  );
  process.exitCode = 1;
}
