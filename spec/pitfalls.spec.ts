import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { filesUnder } from './setup/files';

/*
 * Every item of the pitfalls list (bugs that shipped in peer libraries, numbered 1 to 18) has a
 * test that names it, "PITFALLS <n>" in the title of an `it`, `test` or `describe` (a comment does
 * not count: it can outlive the test it described). This meta-test fails when an item
 * loses its last test, so the list cannot silently rot. The list is docs/pitfalls.md: one section
 * per item, naming the test files that cite it, which is checked here too so that a reader who
 * meets "PITFALLS <n>" in a title finds every test of that item on the page.
 */

const ROOT = join(__dirname, '..');
const PITFALLS = 18;
const PAGE = join(ROOT, 'docs', 'pitfalls.md');

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
    for (const match of titles(readFileSync(file, 'utf8'))
      .join('\n')
      .matchAll(/PITFALLS ((?:\d+)(?:\s*(?:,|and|&)\s*\d+)*)/g)) {
      for (const n of match[1]!.split(/\s*(?:,|and|&)\s*/).map(Number)) {
        const files = found.get(n) ?? [];
        if (!files.includes(name)) files.push(name);
        found.set(n, files);
      }
    }
  }
  return found;
}

/** The numbered sections of the page: `### <n>. title`, each up to the next heading of its level or above. */
function pageSections(page: string): { n: number; text: string }[] {
  return page.split(/^(?=#{1,3} )/m).flatMap((part) => {
    const heading = /^### (\d+)\. /.exec(part);
    return heading ? [{ n: Number(heading[1]), text: part }] : [];
  });
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

describe('the pitfalls list keeps a test for every item', () => {
  const found = mentions();

  it.each(Array.from({ length: PITFALLS }, (_, i) => i + 1))('PITFALLS %i is named by at least one test file', (n) => {
    expect(found.get(n)?.length ?? 0).toBeGreaterThan(0);
  });

  it('reads titles, not comments', () => {
    const text = `// PITFALLS 1 in a comment\nit('PITFALLS 2: a title', () => {});\nit.each([1])('PITFALLS 3 and 4, %p', () => {});\ndescribe("PITFALLS 5 isn't", () => {});`;
    expect(titles(text)).toEqual(['PITFALLS 2: a title', 'PITFALLS 3 and 4, %p', "PITFALLS 5 isn't"]);
  });

  it('no test names a pitfall that does not exist', () => {
    expect([...found.keys()].filter((n) => n < 1 || n > PITFALLS)).toEqual([]);
  });

  it('docs/pitfalls.md has a section per item, in order, naming exactly the test files that cite it', () => {
    const sections = pageSections(readFileSync(PAGE, 'utf8'));
    expect(sections.map(({ n }) => n)).toEqual(Array.from({ length: PITFALLS }, (_, i) => i + 1));
    const listed = sections.map(({ n, text }) => [n, [...new Set(text.match(/\b(?:spec|marble-tests)\/[\w./-]+\.spec\.ts\b/g))].sort()]);
    expect(listed).toEqual(sections.map(({ n }) => [n, [...(found.get(n) ?? [])].sort()]));
  });

  it('every link to a section of docs/pitfalls.md leads to one of its headings', () => {
    const page = readFileSync(PAGE, 'utf8');
    const anchors = new Set([...page.matchAll(/^#{2,3} (.+)$/gm)].map((match) => slug(match[1]!)));
    expect([...page.matchAll(/\]\(#([^)]+)\)/g)].map((match) => match[1]!).filter((anchor) => !anchors.has(anchor))).toEqual([]);
  });
});
