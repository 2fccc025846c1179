import fc from 'fast-check';
import { EMPTY, type Subscription } from 'rxjs';
import { RateLimiter } from 'rxjs-concurrency';
import { params } from './params';
import { rateBreaches } from '../setup/rate';
import { ManualClock } from '../setup/manual-clock';
import { testScheduler } from '../setup/test-scheduler';

/*
 * A RateLimiter in virtual time against a reference written the long way: absolute theoretical
 * arrival times (in units of 1/limit ms, so exact), a plain array for the line, frame by frame. Over
 * random limits, intervals (down to 1 ms, so several grants share a frame), bursts, arrival times,
 * weights, tryAcquires and cancellations (before the grant, in its frame, after it), the limiter
 * grants exactly the model's waiters at exactly the model's frames, and the grants never exceed
 * the bound: in any w whole frames, at most burst + limit * w / interval.
 *
 * Within a frame, the test's own actions (scheduled first) run before the limiter's timer, so the
 * model plays a frame's events first, then the grants that fall due in it.
 */

interface Call {
  readonly at: number;
  readonly weight: number;
  /** `try`: a tryAcquire, which never waits. */
  readonly kind: 'acquire' | 'try';
  /** Unsubscribed this many frames after `at`; null: never. */
  readonly cancelAfter: number | null;
}

interface Config {
  readonly limit: number;
  readonly interval: number;
  readonly burst: number;
  readonly calls: readonly Call[];
}

interface Event {
  readonly at: number;
  readonly id: number;
  readonly type: 'arrive' | 'cancel';
}

/** The calls' events in the order the scheduler runs them: by frame, then as scheduled (here: as sorted). */
function events(calls: readonly Call[]): Event[] {
  const list: Event[] = [];
  calls.forEach((call, id) => {
    list.push({ at: call.at, id, type: 'arrive' });
    if (call.kind === 'acquire' && call.cancelAfter !== null) list.push({ at: call.at + call.cancelAfter, id, type: 'cancel' });
  });
  // Stable: at one frame, arrivals and cancellations keep the order of their calls, an arrival
  // before its own cancellation.
  return list.sort((x, y) => x.at - y.at);
}

interface Granted {
  readonly id: number;
  readonly at: number;
}

function model({ limit, interval, burst, calls }: Config): Granted[] {
  const grants: Granted[] = [];
  const line: number[] = [];
  const state = new Map<number, 'waiting' | 'granted' | 'gone'>();
  let tat = -Infinity;
  // The frame a grant of `weight` rounds to: its exact time is (tat + (weight - burst) * interval) / limit ms.
  const dueFrame = (weight: number): number => Math.floor((2 * (tat + (weight - burst) * interval) + limit) / (2 * limit));
  const grant = (id: number, frame: number, waited: boolean): void => {
    // A waiter counts from when it fell due, which rounded to this frame: half a frame back at most.
    const from = waited ? frame * limit - limit / 2 : frame * limit;
    tat = Math.max(tat, from) + calls[id]!.weight * interval;
    state.set(id, 'granted');
    grants.push({ id, at: frame });
  };
  const grantDue = (frame: number): void => {
    while (line.length > 0 && dueFrame(calls[line[0]!]!.weight) <= frame) grant(line.shift()!, frame, true);
  };
  const pending = events(calls);
  let next = 0;
  while (next < pending.length || line.length > 0) {
    const eventFrame = next < pending.length ? pending[next]!.at : Infinity;
    const headFrame = line.length > 0 ? dueFrame(calls[line[0]!]!.weight) : Infinity;
    if (eventFrame <= headFrame) {
      const { id, type, at } = pending[next++]!;
      const call = calls[id]!;
      if (type === 'arrive') {
        const fits = line.length === 0 && dueFrame(call.weight) <= at;
        if (fits) grant(id, at, false);
        else if (call.kind === 'acquire') {
          line.push(id);
          state.set(id, 'waiting');
        }
      } else if (state.get(id) !== 'gone') {
        // A waiter leaves; a holder gives nothing back. Either way the line is looked at again.
        if (state.get(id) === 'waiting') line.splice(line.indexOf(id), 1);
        state.set(id, 'gone');
        grantDue(at);
      }
    } else {
      grantDue(headFrame);
    }
  }
  return grants;
}

function real({ limit, interval, burst, calls }: Config): { grants: Granted[]; waiting: number; timers: number } {
  const grants: Granted[] = [];
  let waiting = -1;
  let timers = -1;
  const scheduler = testScheduler();
  scheduler.run(({ flush }) => {
    const rate = new RateLimiter({ limit, interval, burst, scheduler });
    const subscriptions = new Map<number, { unsubscribe(): void }>();
    for (const { at, id, type } of events(calls)) {
      const call = calls[id]!;
      scheduler.schedule(() => {
        if (type === 'cancel') {
          subscriptions.get(id)!.unsubscribe();
        } else if (call.kind === 'try') {
          if (rate.tryAcquire(call.weight) !== undefined) grants.push({ id, at: scheduler.now() });
        } else {
          subscriptions.set(
            id,
            rate.acquire(call.weight).subscribe(() => grants.push({ id, at: scheduler.now() })),
          );
        }
      }, at);
    }
    flush();
    waiting = rate.waiting;
    timers = scheduler.actions.length;
  });
  return { grants, waiting, timers };
}

const configs: fc.Arbitrary<Config> = fc
  .record({
    limit: fc.integer({ min: 1, max: 8 }),
    // Short intervals put several grants in one frame; long ones need rounding of 1000/3 and the like.
    interval: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 13, max: 1000 })),
    burst: fc.integer({ min: 1, max: 5 }),
    calls: fc.array(
      fc.record({
        at: fc.nat({ max: 60 }),
        weight: fc.nat(),
        kind: fc.constantFrom<Call['kind']>('acquire', 'acquire', 'acquire', 'try'),
        cancelAfter: fc.option(fc.nat({ max: 60 }), { freq: 3 }),
      }),
      { maxLength: 25 },
    ),
  })
  .map(({ limit, interval, burst, calls }) => ({
    limit,
    interval,
    burst,
    // Arrival frames scaled to the interval, so calls land before, during and after each refill.
    calls: calls.map((call) => ({ ...call, at: Math.floor((call.at * interval) / 20), weight: 1 + (call.weight % burst) })),
  }));

describe('RateLimiter against a model, over random arrivals, weights and cancellations', () => {
  it('grants exactly the model’s waiters at the model’s frames, never past the bound, and leaves no waiter or timer behind', () => {
    fc.assert(
      fc.property(configs, (config) => {
        const { grants, waiting, timers } = real(config);
        expect(grants).toEqual(model(config));
        expect(
          rateBreaches(
            grants.map(({ id, at }) => ({ at, weight: config.calls[id]!.weight })),
            config,
          ),
        ).toEqual([]);
        expect([waiting, timers]).toEqual([0, 0]);
      }),
      params,
    );
  });

  it('work that takes time as it starts (the clock moves while a grant is delivered) never bunches the starts past the bound', () => {
    const slowCalls = fc.array(
      // Arrivals close together, so that a slow work leaves several waiters due when it ends.
      fc.record({
        at: fc.nat({ max: 20 }),
        weight: fc.nat(),
        lasts: fc.oneof(fc.constant(0), fc.nat({ max: 50 })),
        cancelAfter: fc.option(fc.nat({ max: 100 }), { freq: 3 }),
      }),
      { maxLength: 25 },
    );
    const config = fc.record({
      limit: fc.integer({ min: 1, max: 8 }),
      interval: fc.integer({ min: 1, max: 100 }),
      burst: fc.integer({ min: 1, max: 5 }),
      calls: slowCalls,
    });
    fc.assert(
      fc.property(config, ({ limit, interval, burst, calls }) => {
        const clock = new ManualClock();
        const rate = new RateLimiter({ limit, interval, burst, scheduler: clock });
        const starts: { at: number; weight: number }[] = [];
        for (const { at, weight: w, lasts, cancelAfter } of calls) {
          const weight = 1 + (w % burst);
          let subscription: Subscription | undefined;
          // The work takes `lasts` ms synchronously as it starts: the clock moves during delivery.
          const work = () => {
            starts.push({ at: clock.now(), weight });
            clock.late(lasts);
            return EMPTY;
          };
          clock.schedule(() => (subscription = rate.run(work, weight).subscribe()), at);
          if (cancelAfter !== null) clock.schedule(() => subscription!.unsubscribe(), at + cancelAfter);
        }
        clock.advance(100_000);
        expect(rateBreaches(starts, { limit, interval, burst })).toEqual([]);
        expect([rate.waiting, clock.pending]).toEqual([0, 0]);
      }),
      params,
    );
  });

  it('saturated, it is as fast as the bound allows: the k-th of many queued at 0 is granted at the frame nearest (k + 1 - burst) * interval / limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 5 }),
        (limit, interval, burst) => {
          const calls: Call[] = Array.from({ length: burst + 2 * limit }, () => ({ at: 0, weight: 1, kind: 'acquire', cancelAfter: null }));
          // Rounded half up: floor(x + 1/2), multiplied out to stay in integers.
          const expected = calls.map((_, k) => ({
            id: k,
            at: k < burst ? 0 : Math.floor((2 * (k + 1 - burst) * interval + limit) / (2 * limit)),
          }));
          expect(real({ limit, interval, burst, calls }).grants).toEqual(expected);
        },
      ),
      params,
    );
  });
});
