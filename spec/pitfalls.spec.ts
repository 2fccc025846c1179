import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { filesUnder } from './setup/files';

/*
 * Every item of the pitfalls list (bugs that shipped in peer libraries, numbered 1 to 18) has a
 * test that names it, "PITFALLS <n>" in the title of an `it`, `test` or `describe` (a comment does
 * not count: it can outlive the test it described). This meta-test fails when an item
 * loses its last test, so the list cannot silently rot. It reads the repository's own test files
 * only (the list itself lives outside the repository).
 */

const ROOT = join(__dirname, '..');
const PITFALLS = 18;

const testFiles = (dir: string): string[] => filesUnder(dir, '.spec.ts').filter((path) => path !== __filename);

/** The titles of the tests and groups in `text`: the string that opens `it(`, `describe(`, `test(` or `.each(...)(`. */
function titles(text: string): string[] {
  return [...text.matchAll(/(?:\b(?:it|test|describe)|\))\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g)].map((match) => match[2]!);
}

/** Pitfall number -> the files with a test title that names it. */
function mentions(): Map<number, string[]> {
  const found = new Map<number, string[]>();
  for (const file of [...testFiles(join(ROOT, 'spec')), ...testFiles(join(ROOT, 'marble-tests'))]) {
    const name = relative(ROOT, file);
    // "PITFALLS 1, 2, 3" and "PITFALLS 9 (gate part)" both count for every number listed.
    for (const match of titles(readFileSync(file, 'utf8')).join('\n').matchAll(/PITFALLS ((?:\d+)(?:\s*(?:,|and|&)\s*\d+)*)/g)) {
      for (const n of match[1]!.split(/\s*(?:,|and|&)\s*/).map(Number)) {
        const files = found.get(n) ?? [];
        if (!files.includes(name)) files.push(name);
        found.set(n, files);
      }
    }
  }
  return found;
}

describe('the pitfalls list keeps a test for every item', () => {
  const found = mentions();

  it.each(Array.from({ length: PITFALLS }, (_, i) => i + 1))('PITFALLS %i is named by at least one test file', (n) => {
    expect(found.get(n)?.length ?? 0).toBeGreaterThan(0);
  });

  it('reads titles, not comments', () => {
    const text = `// PITFALLS 1 in a comment\nit('PITFALLS 2: a title', () => {});\nit.each([1])('PITFALLS 3 and 4, %p', () => {});\ndescribe(\"PITFALLS 5 isn't\", () => {});`;
    expect(titles(text)).toEqual(['PITFALLS 2: a title', 'PITFALLS 3 and 4, %p', "PITFALLS 5 isn't"]);
  });

  it('no test names a pitfall that does not exist', () => {
    expect([...found.keys()].filter((n) => n < 1 || n > PITFALLS)).toEqual([]);
  });
});
