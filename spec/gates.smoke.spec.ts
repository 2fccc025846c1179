import { of } from 'rxjs';
import { Semaphore } from 'rxjs-concurrency';

describe('smoke', () => {
  it('runs', () => {
    const s = new Semaphore(1);
    const out: number[] = [];
    s.run(of(1)).subscribe((v) => out.push(v));
    expect(out).toEqual([1]);
    expect(s.value).toBe(1);
  });
});
