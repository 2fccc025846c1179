import type { Observable, Subscription } from 'rxjs';

/** What a subscription was told: the whole log, and each kind of notification on its own. */
export interface Recording<T> {
  /** Every notification in order: `['next', value]`, `['error', error]`, `['complete']`. */
  readonly events: unknown[];
  readonly values: T[];
  completed: boolean;
  error: unknown;
  readonly subscription: Subscription;
}

/** Subscribes and records every notification, synchronously. */
export function record<T>(source: Observable<T>): Recording<T> {
  const recording = { events: [] as unknown[], values: [] as T[], completed: false, error: undefined as unknown };
  const subscription = source.subscribe({
    next: (value) => {
      recording.events.push(['next', value]);
      recording.values.push(value);
    },
    error: (error: unknown) => {
      recording.events.push(['error', error]);
      recording.error = error;
    },
    complete: () => {
      recording.events.push(['complete']);
      recording.completed = true;
    },
  });
  return Object.assign(recording, { subscription });
}
