import { from, lastValueFrom, queueScheduler } from 'rxjs';
import { retry, retrying, type RetryOptions } from 'rxjs-concurrency';

// Promises settle in microtasks, not in virtual time: these tests count calls, not frames. The
// queueScheduler runs a 0 ms delay at once, so no timer is involved.
const options: RetryOptions = { attempts: 3, baseDelay: 0, scheduler: queueScheduler };

describe('retrying over a Promise-returning call (issue 13.6)', () => {
  it('from(promise).pipe(retry()) never re-runs the call: the one rejection is replayed; retrying(() => call()) calls it per attempt', async () => {
    let calls = 0;
    const call = (): Promise<never> => Promise.reject(new Error(`call ${++calls} failed`));

    await expect(lastValueFrom(from(call()).pipe(retry(options)))).rejects.toEqual(new Error('call 1 failed'));
    expect(calls).toBe(1);

    calls = 0;
    await expect(lastValueFrom(retrying(() => call(), options))).rejects.toEqual(new Error('call 3 failed'));
    expect(calls).toBe(3);
  });

  it("a call that succeeds on its second attempt: its value, and the first attempt's signal aborted, the second's not", async () => {
    const signals: AbortSignal[] = [];
    const call = async (signal: AbortSignal): Promise<string> => {
      signals.push(signal);
      if (signals.length === 1) throw new Error('503');
      return 'report';
    };
    await expect(lastValueFrom(retrying(call, options))).resolves.toBe('report');
    expect(signals.map((s) => s.aborted)).toEqual([true, false]);
  });
});
