#!/usr/bin/env bash
# Packs the package as npm would publish it, installs the tarball into scratch CommonJS and ESM
# projects, and uses it there: proves the exports map, both builds (each with every export of the
# contract, no more) and the bundled types.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cd "$root"
# Always from the current source: a dist/ left from an older build would prove nothing.
npm run build --silent >/dev/null
tarball=$(npm pack --silent --pack-destination "$scratch" | tail -n 1)
echo "packed $tarball: $(tar -tzf "$scratch/$tarball" | sed 's|^package/||' | tr '\n' ' ')"

rxjs_version=$(node -p "require('$root/node_modules/rxjs/package.json').version")
cd "$scratch"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "./$tarball" "rxjs@$rxjs_version" "$root/node_modules/typescript" "$root/node_modules/@types/node" >/dev/null 2>&1 \
  || npm install --no-audit --no-fund "./$tarball" "rxjs@$rxjs_version" "$root/node_modules/typescript" "$root/node_modules/@types/node"

# The runtime exports of API.md, the same in both builds.
exports='BorrowerError CapacityLimiter ConcurrencyEvent EndOfStreamError Lock Queue QueueClosedError RateLimiter Semaphore TaskGroupError WouldBlockError asCompleted boundedMap boundedMapFrom boundedMapIterable effectiveDeadline failAfter failAt gather gatherAll isCancelled moveOnAfter moveOnAt race retry retrying shield taskGroup withPermit'
cat > exports.mjs <<'JS'
import { createRequire } from 'node:module';
const expected = process.argv[2].split(' ');
const cjs = Object.keys(createRequire(import.meta.url)('rxjs-concurrency')).sort();
const esm = Object.keys(await import('rxjs-concurrency')).sort();
for (const [build, names] of [['CJS', cjs], ['ESM', esm]]) {
  if (names.join(' ') !== expected.join(' ')) throw new Error(`${build} exports ${names.join(' ')}; expected ${expected.join(' ')}`);
}
console.log(`exports: the same ${expected.length} names in the CJS and ESM builds`);
JS
node exports.mjs "$exports"

node -e "
const { Semaphore, Lock, CapacityLimiter, withPermit } = require('rxjs-concurrency');
const { of } = require('rxjs');
const s = new Semaphore(1); let got;
of(42).pipe(withPermit(s)).subscribe((v) => (got = v));
if (got !== 42 || s.value !== 1 || !new Lock() || !new CapacityLimiter(2)) throw new Error('CJS build misbehaves');
console.log('require(\"rxjs-concurrency\"): ok');
"
cat > esm.mjs <<'JS'
import { Semaphore, withPermit } from 'rxjs-concurrency';
import { of } from 'rxjs';
const s = new Semaphore(1);
let got;
of(7).pipe(withPermit(s)).subscribe((v) => (got = v));
if (got !== 7 || s.value !== 1) throw new Error('ESM build misbehaves');
console.log('import("rxjs-concurrency"): ok');
JS
node esm.mjs
# The Redis entry: its own names in both builds, loaded without ioredis installed (an optional
# peer: the gates take any client object, so importing the entry must not need it).
redis_exports='LeaseLostError RedisCapacityLimiter RedisLock RedisRateLimiter RedisSemaphore'
cat > redis-exports.mjs <<'JS'
import { createRequire } from 'node:module';
const expected = process.argv[2].split(' ');
const cjs = createRequire(import.meta.url)('rxjs-concurrency/redis');
const esm = await import('rxjs-concurrency/redis');
for (const [build, names] of [['CJS', Object.keys(cjs).sort()], ['ESM', Object.keys(esm).sort()]]) {
  if (names.join(' ') !== expected.join(' ')) throw new Error(`rxjs-concurrency/redis ${build} exports ${names.join(' ')}; expected ${expected.join(' ')}`);
}
if (new esm.LeaseLostError().name !== 'LeaseLostError' || new cjs.LeaseLostError().name !== 'LeaseLostError') throw new Error('LeaseLostError misbehaves');
console.log(`rxjs-concurrency/redis: the same ${expected.length} names from import and require`);
JS
node redis-exports.mjs "$redis_exports"
if [ -e node_modules/ioredis ]; then echo "ioredis should not have been installed" >&2; exit 1; fi

cat > types.ts <<'TS'
import { Semaphore, type Gate, type Permit } from 'rxjs-concurrency';
const gate: Gate = new Semaphore(2);
const permit: Permit | undefined = gate.tryAcquire();
permit?.release();
TS
cat >> types.ts <<'TS'
import { LeaseLostError, type RedisGateOptions } from 'rxjs-concurrency/redis';
const options: RedisGateOptions = { prefix: 'app', leaseMs: 5_000 };
export const lost: Error = new LeaseLostError(String(options.leaseMs));
import type { GateLike } from 'rxjs-concurrency';
import type { RedisRateLimiter, RedisRateLimiterOptions, RedisRatePermit } from 'rxjs-concurrency/redis';
export const rateOptions: RedisRateLimiterOptions = { limit: 100, interval: 60_000, burst: 1, prefix: 'app' };
export const asGate = (rate: RedisRateLimiter): GateLike => rate;
export const grantedAt = async (rate: RedisRateLimiter): Promise<number> => ((await rate.acquireAsync()) satisfies RedisRatePermit).grantedAt;
TS
# One tsconfig per case: `types` decides whether @types/node (installed here) is seen at all.
tsc() { # tsc LIBS TYPES MODULE RESOLUTION FILE
  cat > tsconfig.check.json <<JSON
{ "compilerOptions": { "noEmit": true, "strict": true, "skipLibCheck": false, "target": "es2022",
  "lib": $1, "types": $2, "module": "$3", "moduleResolution": "$4" }, "files": ["$5"] }
JSON
  node "$root/node_modules/typescript/bin/tsc" -p tsconfig.check.json
}
for resolution in node16 bundler; do
  module=$([ "$resolution" = node16 ] && echo node16 || echo preserve)
  tsc '["es2022", "esnext.disposable", "dom"]' '[]' "$module" "$resolution" types.ts
  echo "types (moduleResolution $resolution): ok"
done
# The libs of a default Angular or Node 20 project, without esnext.disposable: the types must
# compile there too (issue 17, item 2), and `using` must keep working where the lib has it.
tsc '["es2022", "dom"]' '[]' preserve bundler types.ts
echo 'types under lib ES2022 + DOM: ok'
tsc '["es2022"]' '["node"]' node16 node16 types.ts
echo 'types under lib ES2022 + @types/node: ok'
cat > using.ts <<'TS'
import { Semaphore } from 'rxjs-concurrency';
const sem = new Semaphore(1);
export function critical(): number {
  using permit = sem.tryAcquire();
  return permit === undefined ? -1 : sem.value;
}
TS
tsc '["es2022", "esnext.disposable", "dom"]' '[]' preserve bundler using.ts
echo 'using permit = gate.tryAcquire() (lib esnext.disposable): ok'
