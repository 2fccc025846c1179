import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { Semaphore } from 'rxjs-concurrency';
import { filesUnder } from './setup/files';

/*
 * The static halves of the pitfalls (docs/pitfalls.md) that a behavioural test cannot pin down
 * alone: the source of lib/ must not contain the constructs that caused them.
 */

const LIB = join(__dirname, '..', 'lib');

/** Code without its comments and string contents (so documentation may name what code must not use). */
function strip(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, "''");
}

/** `file:line: text` of each line of lib/ whose code matches `pattern`. */
function offending(pattern: RegExp): string[] {
  const hits: string[] = [];
  for (const file of filesUnder(LIB, '.ts')) {
    strip(readFileSync(file, 'utf8'))
      .split('\n')
      .forEach((line, i) => {
        if (pattern.test(line)) hits.push(`${relative(LIB, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  return hits;
}

/**
 * `file:line: code` of every call in lib/ to one of `methods` of the built-in `Array` (resolved by
 * the type checker: a class of lib/ may have a `shift()` of its own, O(1)).
 */
function arrayCalls(dir: string, methods: readonly string[]): string[] {
  const program = ts.createProgram(filesUnder(dir, '.ts'), {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'],
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const hits: string[] = [];
  for (const file of program.getSourceFiles()) {
    if (!file.fileName.startsWith(dir.split(sep).join('/'))) continue;
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && methods.includes(node.expression.name.text)) {
        const declarations = checker.getSymbolAtLocation(node.expression.name)?.declarations ?? [];
        const onArray = declarations.some(
          (d) =>
            program.isSourceFileDefaultLibrary(d.getSourceFile()) &&
            ts.isInterfaceDeclaration(d.parent) &&
            /^(ReadonlyArray|Array)$/.test(d.parent.name.text),
        );
        if (onArray) {
          const { line } = file.getLineAndCharacterOfPosition(node.getStart());
          hits.push(`${relative(dir, file.fileName)}:${line + 1}: ${node.getText()}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return hits;
}

describe('PITFALLS 8 (static half): no O(n) queue operation on a hot path in lib/', () => {
  it('no Array.prototype.shift / unshift / splice anywhere in lib/ (own O(1) shift() methods are fine)', () => {
    expect(arrayCalls(LIB, ['shift', 'unshift', 'splice'])).toEqual([]);
  }, 60_000);

  it("the check finds a real Array shift and leaves a class's own shift() alone", () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitfalls-'));
    try {
      writeFileSync(
        join(dir, 'fixture.ts'),
        'class Ring { shift(): number { return 1; } }\nexport const a = new Ring().shift();\nconst xs: number[] = [1];\nexport const b = xs.shift();\n',
      );
      expect(arrayCalls(dir, ['shift'])).toEqual(['fixture.ts:4: xs.shift()']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the static checks see what they look for', () => {
  it('comments and strings are ignored by the text checks', () => {
    const sample = 'const a = setTimeout(f); // not setTimeout(g)\n/* Date.now() */ const s = "setInterval(h)";';
    expect(strip(sample).match(/(setTimeout|setInterval|Date\.now)\(/g)).toEqual(['setTimeout(']);
  });
});

describe('time only from a SchedulerLike (virtual time works everywhere; PITFALLS 5 and 13 depend on it)', () => {
  it('no setTimeout / setInterval / setImmediate / Date.now / performance.now in lib/', () => {
    expect(offending(/\b(setTimeout|setInterval|setImmediate|queueMicrotask)\s*\(|Date\.now\s*\(|performance\.now\s*\(/)).toEqual([]);
  });
});

describe('PITFALLS 12 (static half): no AbortSignal.any / AbortSignal.timeout, whose listeners leak (nodejs/node#54614)', () => {
  it('lib/ never calls them', () => {
    expect(offending(/AbortSignal\.(any|timeout)\s*\(/)).toEqual([]);
  });
});

describe('PITFALLS 6: the capacity of a Semaphore never exceeds maxValue, whatever mix of releases', () => {
  it('permit releases, double releases and release(count) up to maxValue, then one more throws and changes nothing', () => {
    const sem = new Semaphore(1, { maxValue: 2 });
    const permit = sem.tryAcquire()!;
    sem.release();
    expect(sem.value).toBe(1);
    permit.release();
    permit.release();
    permit[Symbol.dispose]();
    expect(sem.value).toBe(2);
    expect(() => sem.release()).toThrow(
      new RangeError('Semaphore.release: count must keep the permits within maxValue 2, received 1 with 2 permits in existence'),
    );
    expect(sem.value).toBe(2);
    const a = sem.tryAcquire()!;
    const b = sem.tryAcquire()!;
    expect(sem.tryAcquire()).toBeUndefined();
    // Holding both: the free count is 0, but the permits in existence are still 2.
    expect(() => sem.release()).toThrow(RangeError);
    a.release();
    b.release();
    expect(sem.value).toBe(2);
  });
});
