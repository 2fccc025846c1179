import fc from 'fast-check';
import { params } from './params';
import { EmptyError, Observable, Subject, type Subscription } from 'rxjs';
import { TaskGroupError, isCancelled, taskGroup, type TaskGroup } from 'rxjs-concurrency';

/*
 * Model-based: random schedules of startSoon, start (and unsubscribing from start() before its first
 * value), child values, completions, failures and cancellation echoes, host values/completion/error,
 * tg.cancel() and unsubscribing from the group, against a model of the structured-concurrency rules.
 * After every step: the group's notifications, every start() subscriber's notifications, tg.size,
 * which children are still subscribed (counted at the child's own subscribe/teardown), which child
 * signals and the group signal are aborted. Nothing is still subscribed once its owner has gone.
 */

type ChildKind = 'soon' | 'start';
type ChildStatus = 'running' | 'done' | 'cancelled';
type End = null | 'complete' | 'failed' | 'cancelled' | 'unsubscribed';

interface MChild {
  readonly id: number;
  readonly kind: ChildKind;
  status: ChildStatus;
  /** start(): the first value was seen (or the starter ended): the child no longer belongs to start(). */
  started: boolean;
  /** Ended with an error (a cancellation echo included): its signal is aborted, like a cancelled child's. */
  failed: boolean;
  startEvents: unknown[];
}

interface Model {
  children: MChild[];
  hostRunning: boolean;
  end: End;
  events: unknown[];
  failures: unknown[];
}

interface RChild {
  readonly work: Subject<number>;
  signal?: AbortSignal;
  subscribed: number;
  running: number;
  starter?: Subscription;
  startEvents: unknown[];
}

interface Real {
  tg: TaskGroup;
  readonly host: Subject<number>;
  readonly children: RChild[];
  readonly events: unknown[];
  subscription: Subscription;
}

const recorder = (events: unknown[]) => ({
  next: (value: unknown) => events.push(['next', value]),
  error: (error: unknown) => events.push(['error', error instanceof TaskGroupError ? ['TaskGroupError', error.errors] : error]),
  complete: () => events.push(['complete']),
});

const cancelEcho = (): Error => new DOMException('echo', 'AbortError');

// ---- model ---------------------------------------------------------------------------------------

const running = (m: Model): MChild[] => m.children.filter((c) => c.status === 'running');

function settle(m: Model): void {
  if (m.end === null && !m.hostRunning && running(m).length === 0) {
    m.end = 'complete';
    m.events.push(['complete']);
  }
}

/** Cancels the host and every child in start order; starters that were waiting get a cancellation. */
function stop(m: Model, end: Exclude<End, null | 'complete'>): void {
  m.end = end;
  m.hostRunning = false;
  for (const child of running(m)) {
    child.status = 'cancelled';
    if (child.kind === 'start' && !child.started) {
      child.started = true;
      child.startEvents.push(['error', 'cancelled']);
    }
  }
}

function fail(m: Model, error: unknown): void {
  if (m.end !== null) return;
  m.failures.push(error);
  stop(m, 'failed');
  m.events.push(['error', ['TaskGroupError', m.failures]]);
}

function childEnd(m: Model, child: MChild, error: unknown, failed: boolean): void {
  child.status = 'done';
  child.failed = failed;
  if (child.kind === 'start' && !child.started) {
    child.started = true;
    child.startEvents.push(['error', !failed ? 'empty' : isCancelled(error) ? 'cancelled' : error]);
    settle(m);
  } else if (failed && !isCancelled(error)) {
    fail(m, error);
  } else {
    settle(m);
  }
}

// ---- real ----------------------------------------------------------------------------------------

function makeChild(r: Real): { child: RChild; task: (signal: AbortSignal) => Observable<number> } {
  const child: RChild = { work: new Subject<number>(), subscribed: 0, running: 0, startEvents: [] };
  r.children.push(child);
  const task = (signal: AbortSignal): Observable<number> =>
    new Observable<number>((subscriber) => {
      child.signal = signal;
      child.subscribed++;
      child.running++;
      const inner = child.work.subscribe(subscriber);
      return () => {
        child.running--;
        inner.unsubscribe();
      };
    });
  return { child, task };
}

function normalise(events: unknown[]): unknown[] {
  return events.map((e) => {
    const [kind, value] = e as [string, unknown];
    if (kind !== 'error') return e;
    if (value instanceof EmptyError) return ['error', 'empty'];
    if (isCancelled(value)) return ['error', 'cancelled'];
    return e;
  });
}

function expectSame(m: Model, r: Real): void {
  expect(r.events).toEqual(m.events);
  expect(r.tg.size).toBe(running(m).length);
  expect(r.tg.signal.aborted).toBe(m.end === 'failed' || m.end === 'cancelled' || m.end === 'unsubscribed');
  m.children.forEach((mc, i) => {
    const rc = r.children[i]!;
    expect([rc.subscribed, rc.running]).toEqual([1, mc.status === 'running' ? 1 : 0]);
    expect(rc.signal!.aborted).toBe(mc.status === 'cancelled' || mc.failed);
    if (mc.kind === 'start') expect(normalise(rc.startEvents)).toEqual(mc.startEvents);
  });
}

// ---- commands ------------------------------------------------------------------------------------

type Cmd = fc.Command<Model, Real>;

class Spawn implements Cmd {
  constructor(readonly kind: ChildKind) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    if (m.end !== null) {
      // Once the group has ended nothing can join it.
      const { task } = makeChild(r);
      r.children.pop();
      if (this.kind === 'soon') {
        expect(() => r.tg.startSoon(task)).toThrow('taskGroup: the group has ended; a task can only be started while it runs');
      } else {
        const events: unknown[] = [];
        r.tg.start(task).subscribe(recorder(events));
        expect(events).toEqual([['error', expect.any(Error)]]);
      }
    } else {
      const { child, task } = makeChild(r);
      const id = m.children.length;
      m.children.push({ id, kind: this.kind, status: 'running', started: this.kind === 'soon', failed: false, startEvents: [] });
      if (this.kind === 'soon') r.tg.startSoon(task);
      else child.starter = r.tg.start(task).subscribe(recorder(child.startEvents));
    }
    expectSame(m, r);
  }
  toString(): string {
    return `spawn(${this.kind})`;
  }
}

type ChildAction = 'next' | 'complete' | 'error' | 'echo' | 'unsubscribeStarter';

class ChildStep implements Cmd {
  constructor(
    readonly pick: number,
    readonly action: ChildAction,
  ) {}
  private candidates(m: Model): MChild[] {
    return this.action === 'unsubscribeStarter' ? running(m).filter((c) => c.kind === 'start' && !c.started) : running(m);
  }
  check(m: Readonly<Model>): boolean {
    return this.candidates(m).length > 0;
  }
  run(m: Model, r: Real): void {
    const candidates = this.candidates(m);
    const mc = candidates[this.pick % candidates.length]!;
    const rc = r.children[mc.id]!;
    switch (this.action) {
      case 'next':
        rc.work.next(mc.id);
        if (!mc.started) {
          mc.started = true;
          mc.startEvents.push(['next', mc.id], ['complete']);
        }
        break;
      case 'complete':
        rc.work.complete();
        childEnd(m, mc, undefined, false);
        break;
      case 'error':
      case 'echo': {
        const error = this.action === 'echo' ? cancelEcho() : new Error(`child ${mc.id}`);
        rc.work.error(error);
        childEnd(m, mc, error, true);
        break;
      }
      case 'unsubscribeStarter':
        rc.starter!.unsubscribe();
        mc.started = true;
        mc.status = 'cancelled';
        settle(m);
        break;
    }
    expectSame(m, r);
  }
  toString(): string {
    return `child(${this.pick}).${this.action}`;
  }
}

type HostAction = 'next' | 'complete' | 'error' | 'echo';

class HostStep implements Cmd {
  constructor(readonly action: HostAction) {}
  check(m: Readonly<Model>): boolean {
    return m.hostRunning;
  }
  run(m: Model, r: Real): void {
    switch (this.action) {
      case 'next':
        r.host.next(7);
        m.events.push(['next', 7]);
        break;
      case 'complete':
        r.host.complete();
        m.hostRunning = false;
        settle(m);
        break;
      case 'error': {
        const error = new Error('host');
        r.host.error(error);
        m.hostRunning = false;
        fail(m, error);
        break;
      }
      case 'echo':
        r.host.error(cancelEcho());
        m.hostRunning = false;
        settle(m);
        break;
    }
    expectSame(m, r);
  }
  toString(): string {
    return `host.${this.action}`;
  }
}

class GroupStep implements Cmd {
  constructor(readonly action: 'cancel' | 'unsubscribe') {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    if (this.action === 'cancel') {
      r.tg.cancel();
      if (m.end === null) {
        stop(m, 'cancelled');
        m.events.push(['complete']);
      }
    } else {
      r.subscription.unsubscribe();
      if (m.end === null) stop(m, 'unsubscribed');
    }
    expectSame(m, r);
  }
  toString(): string {
    return `group.${this.action}`;
  }
}

const commands = fc.commands<Model, Real>(
  [
    fc.constantFrom<ChildKind>('soon', 'start').map((k) => new Spawn(k)),
    fc
      .tuple(fc.nat(10), fc.constantFrom<ChildAction>('next', 'complete', 'error', 'echo', 'unsubscribeStarter'))
      .map(([p, a]) => new ChildStep(p, a)),
    fc.tuple(fc.nat(10), fc.constantFrom<ChildAction>('next', 'complete', 'complete')).map(([p, a]) => new ChildStep(p, a)),
    fc.constantFrom<HostAction>('next', 'complete', 'error', 'echo').map((a) => new HostStep(a)),
    fc.constantFrom('cancel', 'unsubscribe').map((a) => new GroupStep(a)),
  ],
  { maxCommands: 30 },
);

describe('taskGroup, model-based (fast-check commands)', () => {
  it('notifications, size, signals and running children match the model after every step; nothing outlives the group (PITFALLS 15)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.integer({ min: 0, max: 2 }), commands, (withHost, initial, cmds) => {
        const host = new Subject<number>();
        const real: Real = { tg: undefined as never, host, children: [], events: [], subscription: undefined as never };
        const model: Model = { children: [], hostRunning: withHost, end: null, events: [], failures: [] };
        real.subscription = taskGroup<number>((tg) => {
          real.tg = tg;
          for (let i = 0; i < initial; i++) tg.startSoon(makeChild(real).task);
          return withHost ? host : undefined;
        }).subscribe(recorder(real.events));
        for (let i = 0; i < initial; i++)
          model.children.push({ id: i, kind: 'soon', status: 'running', started: true, failed: false, startEvents: [] });
        settle(model);
        expectSame(model, real);
        fc.modelRun(() => ({ model, real }), cmds);
        // Whatever happened, unsubscribing leaves nothing running and no starter waiting.
        new GroupStep('unsubscribe').run(model, real);
        for (const child of real.children) expect(child.running).toBe(0);
        expect(host.observed).toBe(false);
      }),
      params,
    );
  });
});
