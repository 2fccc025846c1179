/**
 * .ci/mutation-gate.mjs's scoring (.ci/mutation-score.cjs) on small hand-made reports: which
 * mutants count as changed against the committed baseline, the score over them, the threshold and
 * what it prints.
 */
import { changedMutants, describeGate, keptLines, mutationGate, type Mutant, type Report } from '../.ci/mutation-score.cjs';

const at = (line: number, column: number, mutatorName: string, status: string, replacement = '""', endLine = line): Mutant => ({
  mutatorName,
  replacement,
  location: { start: { line, column }, end: { line: endLine, column: column + 5 } },
  status,
});

const source = ['const a = 1;', 'const b = 2;', 'function f() {', '  return a + b;', '}'].join('\n');

const baseline: Report = {
  files: {
    'lib/f.ts': {
      source,
      mutants: [
        at(1, 11, 'ArithmeticOperator', 'Killed'),
        at(4, 10, 'ArithmeticOperator', 'Killed', 'a - b'),
        at(3, 14, 'BlockStatement', 'Survived', '{}', 5),
      ],
    },
  },
};

describe('mutation gate: which mutants are changed', () => {
  it('a report of the same sources and mutants has no changed mutant', () => {
    expect(changedMutants(baseline, baseline)).toEqual([]);
    const verdict = mutationGate(baseline, baseline);
    expect(verdict).toEqual({ changed: 0, counted: 0, detected: 0, score: undefined, survivors: [], threshold: 90, pass: true });
    expect(describeGate(verdict)).toEqual(['no changed mutants']);
  });

  it('lines inserted above move the unchanged mutants down: reused, not changed; those on the new lines are changed', () => {
    const moved = ['// a comment', '// another', source].join('\n');
    const report: Report = {
      files: {
        'lib/f.ts': {
          source: moved,
          mutants: [
            at(1, 1, 'StringLiteral', 'Survived'),
            at(3, 11, 'ArithmeticOperator', 'Killed'),
            at(6, 10, 'ArithmeticOperator', 'Killed', 'a - b'),
            at(5, 14, 'BlockStatement', 'Survived', '{}', 7),
          ],
        },
      },
    };
    expect(changedMutants(baseline, report)).toEqual([{ file: 'lib/f.ts', mutant: at(1, 1, 'StringLiteral', 'Survived') }]);
  });

  it('an edited line changes its mutants and every mutant spanning it; other files and other mutators at the same place are apart', () => {
    const edited = source.replace('return a + b;', 'return a * b;');
    const report: Report = {
      files: {
        'lib/f.ts': {
          source: edited,
          mutants: [
            at(1, 11, 'ArithmeticOperator', 'Killed'),
            at(1, 11, 'BooleanLiteral', 'Killed'),
            at(4, 10, 'ArithmeticOperator', 'Killed', 'a / b'),
            at(3, 14, 'BlockStatement', 'Survived', '{}', 5),
          ],
        },
        'lib/g.ts': { source: 'g', mutants: [at(1, 1, 'StringLiteral', 'NoCoverage')] },
      },
    };
    expect(
      changedMutants(baseline, report).map(({ file, mutant }) => `${file}:${mutant.location.start.line} ${mutant.mutatorName}`),
    ).toEqual(['lib/f.ts:1 BooleanLiteral', 'lib/f.ts:4 ArithmeticOperator', 'lib/f.ts:3 BlockStatement', 'lib/g.ts:1 StringLiteral']);
  });

  it('without a baseline every mutant is changed', () => {
    expect(changedMutants(undefined, baseline)).toHaveLength(3);
  });

  it('keptLines pairs the lines a line diff keeps', () => {
    expect([...keptLines('a\nb\nc\nd', 'a\nx\nc\nd\ne')]).toEqual([
      [1, 1],
      [3, 3],
      [4, 4],
    ]);
    expect([...keptLines('a\nb\nc', 'c\na\nb')]).toEqual([
      [1, 2],
      [2, 3],
    ]);
  });
});

describe('mutation gate: the score of the changed mutants', () => {
  /** A report whose every mutant is new: `counts` mutants of each status, each on its own line. */
  const fresh = (counts: Record<string, number>): Report => {
    const mutants = Object.entries(counts).flatMap(([status, n]) => Array.from({ length: n }, () => status));
    return {
      files: {
        'lib/new.ts': { source: mutants.map(() => 'x;').join('\n'), mutants: mutants.map((status, i) => at(i + 1, 1, 'Mutator', status)) },
      },
    };
  };

  it('(killed + timeout) / (killed + timeout + survived + no coverage): exactly 90% passes', () => {
    const verdict = mutationGate(baseline, fresh({ Killed: 8, Timeout: 1, Survived: 1, CompileError: 3, Ignored: 2 }));
    expect([verdict.changed, verdict.counted, verdict.detected, verdict.score, verdict.pass]).toEqual([15, 10, 9, 90, true]);
    expect(describeGate(verdict)[0]).toBe('mutation score of changed code: 90.00% (9 of 10 detected; 15 changed mutants), at or above 90%');
  });

  it('just under 90% fails and lists the undetected mutants, file:line mutator, in order', () => {
    const verdict = mutationGate(baseline, fresh({ Killed: 17, Survived: 1, NoCoverage: 1 }));
    expect([verdict.score, verdict.pass]).toEqual([(17 * 100) / 19, false]);
    expect(describeGate(verdict)).toEqual([
      'mutation score of changed code: 89.47% (17 of 19 detected; 19 changed mutants), under 90%',
      'not detected (2):',
      '  lib/new.ts:18 Mutator -> "" (Survived)',
      '  lib/new.ts:19 Mutator -> "" (NoCoverage)',
    ]);
  });

  it('survivors of unchanged code do not count; changed mutants that are all compile errors pass with no score', () => {
    const report: Report = { files: { ...baseline.files, ...fresh({ CompileError: 2 }).files } };
    const verdict = mutationGate(baseline, report);
    expect([verdict.changed, verdict.counted, verdict.score, verdict.pass]).toEqual([2, 0, undefined, true]);
    expect(describeGate(verdict)).toEqual(['2 changed mutants, none with a test verdict (compile errors or ignored)']);
  });

  it('the threshold is a parameter', () => {
    expect(mutationGate(baseline, fresh({ Killed: 1, Survived: 1 }), 50).pass).toBe(true);
    expect(mutationGate(baseline, fresh({ Killed: 1, Survived: 1 }), 51).pass).toBe(false);
  });
});
