import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as main from 'rxjs-concurrency';
import * as redis from 'rxjs-concurrency/redis';
import { filesUnder } from './setup/files';

/*
 * The two entries of the package. `rxjs-concurrency` must not grow with the Redis code (a browser
 * bundle of it must not pull any of it in), and `lib/internal/` serves both entries without
 * depending on either.
 */

const LIB = join(__dirname, '..', 'lib');

/** The files of lib/ that `file` imports, relative to lib/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\b[^;]*?from\s+'(\.[^']*)'/gm)].map((match) =>
    relative(LIB, `${resolve(dirname(file), match[1]!)}.ts`),
  );
}

/** Every file of lib/ reachable by imports from `entry`. */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const next of importsOf(join(LIB, path))) visit(next);
  };
  visit(entry);
  return seen;
}

describe('the entries', () => {
  it('nothing the main entry imports, however indirectly, is in lib/redis/', () => {
    const files = [...reachable('index.ts')];
    expect(files.length).toBeGreaterThan(20);
    expect(files.filter((path) => path.startsWith('redis/'))).toEqual([]);
  });

  it('lib/internal/ imports only lib/internal/: neither the public files nor lib/redis/', () => {
    const outside = filesUnder(join(LIB, 'internal'), '.ts').flatMap((file) =>
      importsOf(file)
        .filter((path) => !path.startsWith('internal/'))
        .map((path) => `${relative(LIB, file)} -> ${path}`),
    );
    expect(outside).toEqual([]);
  });

  it('lib/redis/ imports lib/internal/ and itself, never the public files of the main entry', () => {
    const outside = filesUnder(join(LIB, 'redis'), '.ts').flatMap((file) =>
      importsOf(file)
        .filter((path) => !/^(internal|redis)\//.test(path))
        .map((path) => `${relative(LIB, file)} -> ${path}`),
    );
    expect(outside).toEqual([]);
  });

  it('the two entries export different names: the Redis gates only from rxjs-concurrency/redis', () => {
    const both = Object.keys(redis).filter((name) => name in main);
    expect(both).toEqual([]);
    expect(Object.keys(redis)).toContain('LeaseLostError');
  });
});
