import { concatMap, endWith, ignoreElements, map, mergeMap, Subject, takeUntil, tap, type Observable } from 'rxjs';
import { queueState as state } from '../spec/setup/queue-state';
import { testScheduler } from '../spec/setup/test-scheduler';
import { EndOfStreamError, Queue, QueueClosedError, type QueueState } from 'rxjs-concurrency';

/** Puts every source value, one at a time, and emits each once the queue has accepted it. */
const putEach =
  <T>(queue: Queue<T>) =>
  (source: Observable<T>): Observable<T> =>
    source.pipe(concatMap((item) => queue.put(item).pipe(ignoreElements(), endWith(item))));

/** One `get()` per trigger, in order: a consumer that pulls at the pace of the trigger. */
const getEach =
  <T>(queue: Queue<T>) =>
  (trigger: Observable<unknown>): Observable<T> =>
    trigger.pipe(concatMap(() => queue.get()));

describe('Queue (marbles)', () => {
  it('holds a fast producer back: with maxSize 2 a put completes only as a get frees room', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const queue = new Queue<string>(2);
      const source = cold('(abcde|)');
      const accepted = source.pipe(putEach(queue), tap({ complete: () => queue.close() }));
      const got = hot('----g---g---g---g---g---g').pipe(getEach(queue));
      expectObservable(accepted).toBe('(ab)c---d---(e|)');
      expectObservable(got).toBe('----a---b---c---d---e---#', undefined, new EndOfStreamError());
      // The source completes at once; concatMap holds its values back until each put completes.
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('rendezvous (maxSize 0): a put waits for a get, and the item passes straight through', () => {
    const states: QueueState[] = [];
    testScheduler().run(({ cold, hot, expectObservable }) => {
      const queue = new Queue<string>(0);
      queue.state$.subscribe((s) => states.push(s));
      expectObservable(cold('a-b|').pipe(putEach(queue))).toBe('-----a----(b|)');
      expectObservable(hot('-----g----g').pipe(getEach(queue))).toBe('-----a----b');
    });
    // Never buffered: the item goes from the putter to the getter. (Read once the run has flushed.)
    expect(states.length).toBeGreaterThan(2);
    expect(states.filter((s) => s.size !== 0)).toEqual([]);
  });

  it('rendezvous the other way round: a get waits for a put', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const queue = new Queue<string>(0);
      expectObservable(hot('-g-g').pipe(getEach(queue))).toBe('----a--b');
      expectObservable(hot('----a--b').pipe(putEach(queue))).toBe('----a--b');
    });
  });

  it('two subscribers to one consume() stream share the items: each item exactly once, in turn', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const queue = new Queue<string>(Infinity);
      const stream = queue.consume();
      const source = hot('-a-b-c-d-e-f-|');
      expectObservable(source.pipe(putEach(queue), tap({ complete: () => queue.close() }))).toBe('-a-b-c-d-e-f-|');
      expectObservable(stream).toBe('-a---c---e---|');
      expectObservable(stream).toBe('---b---d---f-|');
    });
  });

  it('a consumer that leaves mid-stream takes nothing more; the other gets the rest', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const queue = new Queue<string>(Infinity);
      const stream = queue.consume();
      hot('-a-b-c-d-e-|')
        .pipe(putEach(queue), tap({ complete: () => queue.close() }))
        .subscribe();
      expectObservable(stream).toBe('-a---c-d-e-|');
      expectObservable(stream, '^----!').toBe('---b-');
    });
  });

  it('close while putters wait: they error with QueueClosedError, their items never appear; buffered items drain, then EndOfStreamError', () => {
    testScheduler().run(({ cold, hot, expectObservable }) => {
      const queue = new Queue<string>(1);
      expectObservable(cold('x').pipe(putEach(queue))).toBe('x');
      expectObservable(cold('-b').pipe(putEach(queue))).toBe('----#', undefined, new QueueClosedError());
      expectObservable(cold('--c').pipe(putEach(queue))).toBe('----#', undefined, new QueueClosedError());
      hot('----c').subscribe(() => queue.close());
      expectObservable(hot('------g-g').pipe(getEach(queue))).toBe('------x-#', undefined, new EndOfStreamError());
      expectObservable(cold('-----p').pipe(putEach(queue))).toBe('-----#', undefined, new QueueClosedError());
    });
  });

  it('close while getters wait: get errors with EndOfStreamError, consume() completes', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const queue = new Queue<string>(0);
      expectObservable(hot('-g').pipe(getEach(queue))).toBe('----#', undefined, new EndOfStreamError());
      expectObservable(queue.consume()).toBe('----|');
      hot('----c').subscribe(() => queue.close());
      expectObservable(queue.state$).toBe('ab--c', { a: state(0, 0, 1), b: state(0, 0, 2), c: state(0, 0, 0, true) });
    });
  });

  it('a getter cancelled in the frame a put arrives, before it: the item goes to the next getter', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const queue = new Queue<string>(0);
      const cancel = hot('---c');
      const put = hot('---x');
      expectObservable(queue.get().pipe(takeUntil(cancel))).toBe('---|');
      expectObservable(queue.get()).toBe('---(x|)');
      put.subscribe((x) => queue.putNowait(x));
    });
  });

  it('a getter cancelled in the frame a put arrives, after it: it has received the item, which goes nowhere else', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const queue = new Queue<string>(0);
      const put = hot('---x');
      const cancel = hot('---c');
      put.subscribe((x) => queue.putNowait(x));
      expectObservable(queue.get().pipe(takeUntil(cancel))).toBe('---(x|)');
      expectObservable(queue.get()).toBe('----');
    });
  });

  it('a getter cancelled after it was handed an item but before receiving it (same frame, PITFALLS 2): the item goes to the next getter', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const queue = new Queue<string>(0);
      const stop = new Subject<void>();
      // Inside the first delivery, 'y' is handed to the second getter, which is cancelled before its delivery runs.
      const first = queue.get().pipe(
        tap(() => {
          queue.putNowait('y');
          stop.next();
        }),
      );
      expectObservable(first).toBe('---(x|)');
      expectObservable(queue.get().pipe(takeUntil(stop))).toBe('---|');
      expectObservable(queue.get()).toBe('---(y|)');
      // Three getters wait; in frame 3 the first is served, the second handed 'y' (one left waiting), then
      // the second's cancellation hands 'y' to the third.
      expectObservable(queue.state$).toBe('a--(bc)', { a: state(0, 0, 3), b: state(0, 0, 1), c: state(0, 0, 0) });
      hot('---x').subscribe((x) => queue.putNowait(x));
    });
  });

  it('a putter cancelled before acceptance: its item never appears', () => {
    testScheduler().run(({ cold, hot, expectObservable }) => {
      const queue = new Queue<string>(1);
      expectObservable(cold('a').pipe(putEach(queue))).toBe('a');
      expectObservable(cold('b').pipe(putEach(queue), takeUntil(hot('--s')))).toBe('--|');
      expectObservable(cold('c').pipe(putEach(queue))).toBe('----c');
      expectObservable(hot('----g-g-g').pipe(getEach(queue))).toBe('----a-c--');
      // Subscribed at frame 1, once the three puts of frame 0 have run.
      expectObservable(queue.state$, '-^').toBe('-ab-c-d-e', {
        a: state(1, 2, 0),
        b: state(1, 1, 0), // withdrawn at once
        c: state(1, 0, 0), // the get took 'a' and accepted 'c'
        d: state(0, 0, 0),
        e: state(0, 0, 1),
      });
    });
  });

  it('a putter cancelled in the frame a get makes room: before the get it is withdrawn, after it it was accepted', () => {
    testScheduler().run(({ cold, hot, expectObservable }) => {
      const before = new Queue<string>(1);
      before.putNowait('a');
      const cancel = hot('--s');
      expectObservable(cold('b').pipe(putEach(before), takeUntil(cancel))).toBe('--|');
      expectObservable(hot('--g-g').pipe(getEach(before))).toBe('--a--');

      const after = new Queue<string>(1);
      after.putNowait('a');
      const get = hot('--g-g');
      const cancelLater = hot('--s');
      expectObservable(get.pipe(getEach(after))).toBe('--a-b');
      expectObservable(cold('b').pipe(putEach(after), takeUntil(cancelLater))).toBe('--(b|)');
    });
  });

  it('a putter cancelled in the frame a get makes room, after its item was accepted but before its completion arrived: the item is withdrawn', () => {
    testScheduler().run(({ cold, hot, expectObservable }) => {
      const queue = new Queue<string>(1);
      queue.putNowait('a');
      const stop = new Subject<void>();
      // 'b' is accepted as the get of frame 2 takes 'a'; that delivery cancels the put before its completion runs.
      expectObservable(cold('b').pipe(putEach(queue), takeUntil(stop))).toBe('--|');
      const got = hot('--g---g').pipe(
        getEach(queue),
        tap(() => stop.next()),
      );
      expectObservable(got).toBe('--a----');
      // Frame 2: 'a' taken and 'b' withdrawn, nothing left; frame 6: the second get finds nothing and waits.
      expectObservable(queue.state$, '-^').toBe('-ab---c', { a: state(1, 1, 0), b: state(0, 0, 0), c: state(0, 0, 1) });
    });
  });

  it('getNowait inside a delivery does not take the item promised to a getter waiting before it (FIFO among getters)', () => {
    const nowait: string[] = [];
    testScheduler().run(({ hot, expectObservable }) => {
      const queue = new Queue<string>(Infinity);
      const first = queue.get().pipe(
        tap(() => {
          queue.putNowait('y'); // promised to the getter waiting since frame 1
          queue.putNowait('z');
          nowait.push(queue.getNowait());
        }),
      );
      expectObservable(first).toBe('---(x|)');
      expectObservable(hot('-g').pipe(getEach(queue))).toBe('---y');
      hot('---x').subscribe((x) => queue.putNowait(x));
    });
    expect(nowait).toEqual(['z']);
  });

  it('state$ follows a producer and a consumer: current state on subscribe, then each change once', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const queue = new Queue<string>(1);
      hot('-ab').pipe(putEach(queue)).subscribe();
      hot('----g-g')
        .pipe(mergeMap(() => queue.get()))
        .subscribe();
      hot('--------c').subscribe(() => queue.close());
      expectObservable(queue.state$).toBe('zab-c-d-e', {
        z: state(0, 0, 0),
        a: state(1, 0, 0),
        b: state(1, 1, 0),
        c: state(1, 0, 0), // the get took 'a' and made room for 'b'
        d: state(0, 0, 0),
        e: state(0, 0, 0, true),
      });
      // The state at subscription time comes first.
      expectObservable(hot('--------s').pipe(mergeMap(() => queue.state$.pipe(map((s) => s.closed))))).toBe('--------t', { t: true });
    });
  });
});
