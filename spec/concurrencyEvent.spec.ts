import type { Subscription } from 'rxjs';
import { ConcurrencyEvent } from 'rxjs-concurrency';

describe('ConcurrencyEvent', () => {
  it('wait() waits until set(), then every waiter emits once and completes, in order', () => {
    const event = new ConcurrencyEvent();
    const log: string[] = [];
    const waiter = (name: string): Subscription =>
      event.wait().subscribe({ next: () => log.push(name), complete: () => log.push(`${name}|`) });
    waiter('a');
    const b = waiter('b');
    waiter('c');
    expect([event.isSet, event.waiting, log]).toEqual([false, 3, []]);
    b.unsubscribe();
    expect(event.waiting).toBe(2);
    event.set();
    expect([event.isSet, event.waiting, log]).toEqual([true, 0, ['a', 'a|', 'c', 'c|']]);
    event.set();
    waiter('d');
    expect(log).toEqual(['a', 'a|', 'c', 'c|', 'd', 'd|']);
    expect(event.waiting).toBe(0);
  });

  it('a waiter unsubscribed by an earlier waiter during set() is not woken', () => {
    const event = new ConcurrencyEvent();
    const log: string[] = [];
    event.wait().subscribe(() => {
      log.push('first');
      second.unsubscribe();
    });
    const second = event.wait().subscribe(() => log.push('second'));
    event.set();
    expect(log).toEqual(['first']);
  });

  it('set() from inside a waiter of another event, and waits subscribed during set(), behave', () => {
    const a = new ConcurrencyEvent();
    const b = new ConcurrencyEvent();
    const log: string[] = [];
    b.wait().subscribe(() => log.push('b'));
    a.wait().subscribe(() => {
      log.push('a');
      b.set();
      a.wait().subscribe(() => log.push('a again'));
    });
    a.set();
    expect(log).toEqual(['a', 'a again', 'b']);
  });
});
