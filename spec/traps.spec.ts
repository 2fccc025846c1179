/**
 * Issues 13 and 17: traps a new user fell into, each refused now, at compile time where the types
 * can say it (the `@ts-expect-error` lines fail `npm run lint` if the types accept the call) and at
 * run time with an error that shows what to write instead.
 */
import { NEVER, from, lastValueFrom, of } from 'rxjs';
import { CapacityLimiter, Lock, Semaphore, asCompleted, gather, race, taskGroup, withPermit, type GateState } from 'rxjs-concurrency';
import { thrown } from './setup/thrown';

const FACTORY = 'pass a factory such as () => fetch(url)';

describe('a string is not a task (issue 17, item 1)', () => {
  const refusal = (where: string, name = 'task', value = '"/a"'): TypeError =>
    new TypeError(
      `${where}: ${name} must be an ObservableInput or a function (signal) => ObservableInput, not a string (it would run as one task per character); for work ${FACTORY}, received ${value}`,
    );

  it.each([
    ['gather', () => lastValueFrom(from(['/a', '/b'] as never[]).pipe(gather()))],
    ['race', () => lastValueFrom(from(['/a'] as never[]).pipe(race()))],
    ['asCompleted', () => lastValueFrom(from(['/a'] as never[]).pipe(asCompleted()))],
  ])('%s errors with a TypeError that names it and shows the factory form', async (where, run) => {
    await expect(run()).rejects.toEqual(refusal(where));
  });

  it('taskGroup: startSoon and start throw at the call', () => {
    const errors: unknown[] = [];
    taskGroup((tg) => {
      errors.push(
        thrown(() => tg.startSoon('/a' as never)),
        thrown(() => tg.start('/a' as never)),
      );
    }).subscribe();
    expect(errors).toEqual([refusal('TaskGroup.startSoon'), refusal('TaskGroup.start')]);
  });

  it('gates: run throws at the call', () => {
    expect(thrown(() => new Lock().run('/a' as never))).toEqual(refusal('run', 'work'));
  });

  it('a factory that returns a string errors its subscription', async () => {
    await expect(lastValueFrom(from([() => 'abc' as never]).pipe(gather()))).rejects.toEqual(
      new TypeError('gather: what task() returned must be an ObservableInput, not a string, received "abc"'),
    );
  });

  it('the types refuse one', () => {
    // @ts-expect-error a string is not a Task
    const tasks = from(['/a', '/b']).pipe(gather());
    expect(tasks).toBeDefined();
    // @ts-expect-error nor is what a factory returns
    expect(new Lock().run(() => 'abc')).toBeDefined();
  });
});

describe('an already-started Promise does not slip past a limit (issue 13, item 2)', () => {
  const refusal = (where: string, name: string): TypeError =>
    new TypeError(
      `${where}: ${name} must be an ObservableInput or a function (signal) => ObservableInput that has not started yet, not a Promise (its work began when it was made: it can neither wait for a permit nor run again); ${FACTORY}, received an object`,
    );

  it('Gate.run and withPermit over run refuse it at the call, and the types refuse it', () => {
    const started = Promise.resolve(1);
    // @ts-expect-error a Promise has started already
    expect(thrown(() => new Semaphore(2).run(started))).toEqual(refusal('run', 'work'));
    // @ts-expect-error the same for a Lock
    expect(thrown(() => new Lock().run(started))).toEqual(refusal('run', 'work'));
  });

  it('asCompleted({ limit }) errors with it; without a limit a Promise is fine (nothing waits)', async () => {
    const started = Promise.resolve(1);
    // @ts-expect-error a Promise has started already: under a limit it would not wait
    const limited = from([started]).pipe(asCompleted({ limit: 2 }));
    await expect(lastValueFrom(limited)).rejects.toEqual(refusal('asCompleted', 'task'));
    expect(await lastValueFrom(from([started]).pipe(asCompleted()))).toEqual([0, 1]);
  });

  it('the factory form waits for its permit: with Semaphore(2), 2 calls at once, never 6', async () => {
    const sem = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const call = async (): Promise<number> => {
      peak = Math.max(peak, ++running);
      // eslint-disable-next-line @typescript-eslint/await-thenable -- one microtask turn
      await null;
      running--;
      return peak;
    };
    await lastValueFrom(from(Array.from({ length: 6 }, () => sem.run(call))).pipe(gather()));
    expect(peak).toBe(2);
  });
});

describe('a weight the gate can never grant (issue 17, item 3)', () => {
  it('throws RangeError at the call where the gate can know', () => {
    expect([
      thrown(() => new Lock().run(NEVER, 2)),
      thrown(() => new CapacityLimiter(4).acquire(2)),
      thrown(() => new Semaphore(4, { maxValue: 4 }).run(NEVER, 6)),
      thrown(() => withPermit(new Lock(), 2)),
    ]).toEqual([
      new RangeError('Lock: weight must be 1 for a gate that is not a Semaphore, received 2'),
      new RangeError('CapacityLimiter: weight must be 1 for a gate that is not a Semaphore, received 2'),
      new RangeError('Semaphore: weight must be <= maxValue 4, received 6'),
      new RangeError('withPermit: weight must be 1 for a gate that is not a Semaphore, received 2'),
    ]);
  });

  it('without maxValue a Semaphore cannot know: the line waits for releases, and state$ shows it waiting with permits free', () => {
    const sem = new Semaphore(4);
    const states: GateState[] = [];
    sem.state$.subscribe((state) => states.push(state));
    const heavy: string[] = [];
    sem.run(of('heavy'), 6).subscribe((v) => heavy.push(v));
    const light: string[] = [];
    sem.run(of('light')).subscribe((v) => light.push(v));
    expect([heavy, light, states.at(-1)]).toEqual([[], [], { total: 4, available: 4, waiting: 2 }]);
    sem.release(2);
    expect([heavy, light, sem.value, sem.waiting]).toEqual([['heavy'], ['light'], 6, 0]);
  });
});

describe('Semaphore.acquireAsync({ signal, weight }) (issue 13, item 7)', () => {
  it('takes weight permits, waits in FIFO order behind a heavier head, and an abort withdraws it', async () => {
    const sem = new Semaphore(3);
    const two = await sem.acquireAsync({ weight: 2 });
    expect(sem.value).toBe(1);
    const controller = new AbortController();
    const waiting = sem.acquireAsync({ weight: 3, signal: controller.signal });
    const behind = sem.acquireAsync({ weight: 1 });
    expect([sem.value, sem.waiting]).toEqual([1, 2]);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toEqual(new Error('gave up'));
    const one = await behind;
    expect([sem.value, sem.waiting]).toEqual([0, 0]);
    two.release();
    one.release();
    expect(sem.value).toBe(3);
  });

  it('refuses a weight it can never grant, before touching the gate', () => {
    expect([
      thrown(() => new Semaphore(1, { maxValue: 2 }).acquireAsync({ weight: 3 })),
      thrown(() => new Lock().acquireAsync({ weight: 2 })),
      thrown(() => new Semaphore(1).acquireAsync({ weight: 0 })),
    ]).toEqual([
      new RangeError('acquireAsync: options.weight must be <= maxValue 2, received 3'),
      new RangeError('acquireAsync: options.weight must be 1 for a gate that is not a Semaphore, received 2'),
      new RangeError('acquireAsync: options.weight must be an integer >= 1, received 0'),
    ]);
  });
});
