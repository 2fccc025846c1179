// One worker of the fleet example (main.mjs): it enriches its share of batches through the partner
// API, at most LIMIT calls at once across the whole fleet, whatever each worker would like. The
// limit is a RedisSemaphore shared by name; each call also has its own timeout and retries.
import Redis from 'ioredis';
import { EMPTY, TimeoutError, catchError, defer, lastValueFrom, mergeMap, range, tap } from 'rxjs';
import { fromFetch } from 'rxjs/fetch';
import { failAfter, retry } from 'rxjs-concurrency';
import { RedisSemaphore } from 'rxjs-concurrency/redis';

const { id, redisPort, api, limit, batches, leaseMs } = JSON.parse(process.argv[2]);
const redis = new Redis({ port: redisPort, host: '127.0.0.1' });
redis.on('error', () => undefined);
const partnerApi = new RedisSemaphore(redis, 'partner-api', limit, { leaseMs });
const report = (event) => process.send({ id, ...event });
let inFlight = 0;

class HttpError extends Error {
  name = 'HttpError';
}

// One call: the permit is held while the request runs, and given back when it ends, fails, times
// out or is cancelled. The request's signal aborts with the permit's (LeaseLostError) if the lease
// is ever lost.
const call = (batch) =>
  partnerApi.run(() =>
    defer(() => {
      report({ event: 'start', inFlight: ++inFlight });
      const records = Array.from({ length: 20 }, (_, i) => ({ id: batch * 20 + i, value: batch + i }));
      return fromFetch(`${api}/enrich`, {
        method: 'POST',
        body: JSON.stringify(records),
        selector: (res) => (res.ok ? res.json() : Promise.reject(new HttpError(`HTTP ${res.status}`))),
      });
    }).pipe(failAfter(1_000), tap({ finalize: () => report({ event: 'end', inFlight: --inFlight }) })),
  );

let ok = 0;
let failed = 0;
await lastValueFrom(
  range(0, batches).pipe(
    // Every batch asks at once: the fleet-wide limit, not this worker, decides how many run.
    mergeMap((batch) =>
      call(batch).pipe(
        retry({ attempts: 4, baseDelay: 50, retryOn: (error) => error instanceof HttpError || error instanceof TimeoutError }),
        tap(() => ok++),
        catchError(() => {
          failed++;
          return EMPTY;
        }),
      ),
    ),
  ),
  { defaultValue: undefined },
);
report({ event: 'done', ok, failed });
await redis.quit();
