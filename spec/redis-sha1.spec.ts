import { createHash } from 'node:crypto';
import { sha1 } from '../lib/redis/sha1';
import { ACQUIRE, LEAVE, REFRESH, RESIZE, STATE } from '../lib/redis/scripts';

/* The script names EVALSHA sends: a wrong hash would fall back to EVAL on every call. */

const node = (text: string): string => createHash('sha1').update(text, 'utf8').digest('hex');

describe('sha1', () => {
  it.each([
    ['empty', ''],
    ['abc', 'abc'],
    ['55 bytes (the padding fits the block)', 'a'.repeat(55)],
    ['56 bytes (the padding needs a second block)', 'a'.repeat(56)],
    ['64 bytes', 'b'.repeat(64)],
    ['non-ASCII (UTF-8)', 'é漢字🙂'],
  ])('%s: the same as node:crypto', (_name, text) => {
    expect(sha1(text)).toBe(node(text));
  });

  it('each Lua script of the Redis gates: the same as node:crypto', () => {
    for (const script of [ACQUIRE, LEAVE, REFRESH, STATE, RESIZE]) expect(sha1(script)).toBe(node(script));
  });
});
