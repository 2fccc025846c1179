'use strict';
// The scoring behind .ci/mutation-gate.mjs, apart from its file and git reading so that
// spec/mutation-gate.spec.ts can test it on small hand-made reports. CommonJS: jest (CommonJS here)
// cannot load an ES module, and Node's ESM imports this as it is.

/** Statuses that count for the score, as Stryker's own: detected ones over these. */
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

/**
 * For each line of `before` (1-based) that is kept unchanged in `after`, its line there: the longest
 * common subsequence of the two files' lines, as a line diff would pair them.
 * @param {string} before
 * @param {string} after
 * @returns {Map<number, number>}
 */
function keptLines(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  // Lines shared at both ends pair up at once; only the middle needs the quadratic table.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  // lcs[i * (m + 1) + j]: the length of the longest common subsequence of a's middle from i and b's from j.
  const lcs = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * (m + 1) + j] =
        a[head + i] === b[head + j] ? lcs[(i + 1) * (m + 1) + j + 1] + 1 : Math.max(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
    }
  }
  const kept = new Map();
  for (let i = 0; i < head; i++) kept.set(i + 1, i + 1);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[head + i] === b[head + j]) {
      kept.set(head + i + 1, head + j + 1);
      i++;
      j++;
    } else if (lcs[(i + 1) * (m + 1) + j] >= lcs[i * (m + 1) + j + 1]) i++;
    else j++;
  }
  for (let k = 0; k < tail; k++) kept.set(a.length - tail + k + 1, b.length - tail + k + 1);
  return kept;
}

/**
 * @typedef {{ line: number, column: number }} Position
 * @typedef {{ mutatorName: string, replacement?: string, location: { start: Position, end: Position }, status: string }} Mutant
 * @typedef {{ source: string, mutants: Mutant[] }} FileResult
 * @typedef {{ files: Record<string, FileResult> }} Report
 */

/**
 * What identifies a mutant across reports, as Stryker's incremental mode does: file, place,
 * mutator and replacement.
 * @param {string} file
 * @param {Mutant} mutant
 * @param {number} startLine
 * @param {number} endLine
 */
function key(file, mutant, startLine, endLine) {
  const { start, end } = mutant.location;
  return `${file}@${startLine}:${start.column}-${endLine}:${end.column}\n${mutant.mutatorName}: ${mutant.replacement ?? ''}`;
}

/**
 * The mutants of `report` in code changed since `baseline`: those that match none of the
 * baseline's, once the baseline's are moved to where their lines are now. A mutant on lines that
 * were all kept, in the same order, matches the one the baseline had there; one that spans an edited
 * line, or lies in a file the baseline did not have, is changed. Without a baseline, every mutant is.
 * @param {Report | undefined} baseline
 * @param {Report} report
 * @returns {{ file: string, mutant: Mutant }[]}
 */
function changedMutants(baseline, report) {
  const changed = [];
  for (const [file, result] of Object.entries(report.files)) {
    const before = baseline?.files[file];
    const known = new Set();
    if (before !== undefined) {
      const kept = before.source === result.source ? undefined : keptLines(before.source, result.source);
      for (const mutant of before.mutants) {
        const { start, end } = mutant.location;
        if (kept === undefined) {
          known.add(key(file, mutant, start.line, end.line));
          continue;
        }
        const startLine = kept.get(start.line);
        let contiguous = startLine !== undefined;
        for (let line = start.line + 1; contiguous && line <= end.line; line++) {
          contiguous = kept.get(line) === startLine + (line - start.line);
        }
        if (contiguous) known.add(key(file, mutant, startLine, startLine + end.line - start.line));
      }
    }
    for (const mutant of result.mutants) {
      if (!known.has(key(file, mutant, mutant.location.start.line, mutant.location.end.line))) changed.push({ file, mutant });
    }
  }
  return changed;
}

/**
 * The gate's verdict on the mutants of changed code: score = (killed + timeout) / (killed +
 * timeout + survived + no coverage), in percent, passing at `threshold` or above. Compile errors,
 * runtime errors and ignored mutants do not count, as in Stryker's own score. `score` is undefined
 * when no changed mutant counts, and the gate then passes.
 * @param {Report | undefined} baseline
 * @param {Report} report
 * @param {number} [threshold]
 */
function mutationGate(baseline, report, threshold = 90) {
  const changed = changedMutants(baseline, report);
  let detected = 0;
  /** @type {{ file: string, line: number, mutatorName: string, replacement: string, status: string }[]} */
  const survivors = [];
  for (const { file, mutant } of changed) {
    if (DETECTED.has(mutant.status)) detected++;
    else if (UNDETECTED.has(mutant.status)) {
      survivors.push({
        file,
        line: mutant.location.start.line,
        mutatorName: mutant.mutatorName,
        replacement: mutant.replacement ?? '',
        status: mutant.status,
      });
    }
  }
  survivors.sort((x, y) => (x.file < y.file ? -1 : x.file > y.file ? 1 : x.line - y.line));
  const counted = detected + survivors.length;
  // Compared in integers: 9 of 10 is exactly 90, where 9 / 10 * 100 is 90.00000000000001.
  const pass = counted === 0 || detected * 100 >= threshold * counted;
  const score = counted === 0 ? undefined : (detected * 100) / counted;
  return { changed: changed.length, counted, detected, score, survivors, threshold, pass };
}

/**
 * The gate's report, one line each: the score, then the mutants that were not detected.
 * @param {ReturnType<typeof mutationGate>} verdict
 * @returns {string[]}
 */
function describeGate(verdict) {
  if (verdict.changed === 0) return ['no changed mutants'];
  if (verdict.score === undefined) return [`${verdict.changed} changed mutants, none with a test verdict (compile errors or ignored)`];
  const lines = [
    `mutation score of changed code: ${verdict.score.toFixed(2)}% (${verdict.detected} of ${verdict.counted} detected; ` +
      `${verdict.changed} changed mutants), ${verdict.pass ? 'at or above' : 'under'} ${verdict.threshold}%`,
  ];
  if (verdict.survivors.length > 0) {
    lines.push(`not detected (${verdict.survivors.length}):`);
    for (const s of verdict.survivors) lines.push(`  ${s.file}:${s.line} ${s.mutatorName} -> ${s.replacement} (${s.status})`);
  }
  return lines;
}

module.exports = { changedMutants, describeGate, keptLines, mutationGate };
