import { Subscription, type Observer } from 'rxjs';

/**
 * A subscriber for the package's operators, made without RxJS's deprecated `Subscriber`
 * constructor: an Observer that is also a Subscription. RxJS 7 subscribes such an object as it is,
 * and RxJS 8 wraps it in a Subscriber chained to it; either way its owner holds the subscription
 * before the source runs, so it can stop a synchronous source from inside one of the source's own
 * notifications (a downstream `take(1)`), which a `subscribe()` that has not returned yet cannot.
 * It also costs one object, where an observer literal costs three.
 *
 * It keeps a Subscriber's promises: nothing is delivered once it is closed, and it is torn down
 * (the source's teardown has run) before its error or completion is handled.
 * @internal
 */
export abstract class InnerSubscriber<T> extends Subscription implements Observer<T> {
  next(value: T): void {
    if (!this.closed) this.onNext(value);
  }

  error(error: unknown): void {
    if (this.closed) return;
    try {
      this.unsubscribe();
    } finally {
      this.onError(error);
    }
  }

  complete(): void {
    if (this.closed) return;
    try {
      this.unsubscribe();
    } finally {
      this.onComplete();
    }
  }

  protected abstract onNext(value: T): void;
  protected abstract onError(error: unknown): void;
  protected abstract onComplete(): void;
}
