/** One grant of a rate limiter: the frame it was made in and its weight. */
export interface Grant {
  readonly at: number;
  readonly weight: number;
}

/** What a rate limiter promises: `limit` per `interval` ms, `burst` at once. */
export interface RateBound {
  readonly limit: number;
  readonly interval: number;
  readonly burst: number;
}

/**
 * Every window of whole frames `[a, a + w)` in which more weight was granted than
 * `burst + limit * w / interval`, described; empty when the bound holds. Only the windows that
 * start and end at a grant are checked: any other window holds no more weight than the tightest
 * such window inside it, and is no shorter.
 */
export function rateBreaches(grants: readonly Grant[], { limit, interval, burst }: RateBound): string[] {
  const sorted = [...grants].sort((x, y) => x.at - y.at);
  const breaches: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let weight = 0;
    for (let j = i; j < sorted.length; j++) {
      weight += sorted[j]!.weight;
      const frames = sorted[j]!.at - sorted[i]!.at + 1;
      // Compared multiplied out: limit * frames / interval is rarely an integer.
      if (weight * interval > burst * interval + limit * frames) {
        breaches.push(
          `${weight} granted in the ${frames} frames from ${sorted[i]!.at}, bound ${burst} + ${limit} * ${frames} / ${interval}`,
        );
      }
    }
  }
  return breaches;
}
