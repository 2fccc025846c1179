// The package under test: the build in dist/ (`npm run bench` builds it first), or another build
// named by BENCH_SUBJECT (a path to an ESM bundle), to compare a change against what it replaces:
//   cp dist/index.mjs /tmp/before.mjs; ...edit lib/...; npm run build
//   BENCH_SUBJECT=/tmp/before.mjs node --expose-gc bench/index.mjs gate
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const where = process.env.BENCH_SUBJECT;
export default await import(where ? pathToFileURL(resolve(where)).href : '../dist/index.mjs');

/** The `rxjs-concurrency/redis` entry of the same build (BENCH_REDIS_SUBJECT names another). */
export const redisSubject = await import(
  process.env.BENCH_REDIS_SUBJECT ? pathToFileURL(resolve(process.env.BENCH_REDIS_SUBJECT)).href : '../dist/redis.mjs'
);
