import { Injectable, inject } from '@angular/core';
import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { type Observable, catchError, from, of } from 'rxjs';
import { Semaphore, boundedMap, failAfter, gather, retry } from 'rxjs-concurrency';

export interface ProductRef { id: number; name: string }
export interface Product extends ProductRef { price: number }
export interface Panel { name: string; title: string; value: string }
/** A panel that could not load says why, and the dashboard shows the others. */
export type PanelView = Panel | { name: string; error: string };

/** 4xx means the request itself is wrong: asking again gives the same answer. */
const worthRetrying = (error: unknown): boolean =>
  !(error instanceof HttpErrorResponse && error.status >= 400 && error.status < 500);

/**
 * Every request of the app goes through one Semaphore(2). The service is a root singleton, so the
 * limit holds whichever component asks, and a component that goes away gives its permits back: its
 * requests are Observables (HttpClient's) or `(signal) => fetch(..., { signal })` factories, and
 * unsubscribing aborts them.
 */
@Injectable({ providedIn: 'root' })
export class CatalogService {
  private readonly http = inject(HttpClient);
  /** Public so that the page can show it: `toSignal(catalog.api.state$)`. */
  readonly api = new Semaphore(2);

  /** The factory is called once a permit is granted; its signal aborts when the search goes stale. */
  search(query: string): Observable<Product[]> {
    return this.api.run(async (signal) => {
      const response = await fetch(`/api/search?q=${encodeURIComponent(query)}`, { signal });
      if (!response.ok) throw new Error(`search: HTTP ${response.status}`);
      return (await response.json()) as Product[];
    });
  }

  /**
   * The dashboard's panels, requested together; all of them within `deadline` ms (the wait for a
   * permit included), or the whole load fails with rxjs's TimeoutError and the requests still
   * running are aborted. Each panel retries a 5xx or a network error with backoff, outside the
   * semaphore (a retry waits without holding a permit), and never a 4xx; retry knows the deadline
   * and does not start a backoff that would end after it.
   */
  panels(names: readonly string[], deadline: number): Observable<PanelView[]> {
    const panel = (name: string): Observable<PanelView> =>
      this.api.run(this.http.get<Panel>(`/api/panels/${name}`)).pipe(
        retry({ attempts: 3, baseDelay: 300, retryOn: worthRetrying }),
        catchError((error: unknown) =>
          of({ name, error: error instanceof HttpErrorResponse ? `HTTP ${error.status}` : String(error) }),
        ),
      );
    return from(names.map(panel)).pipe(gather(), failAfter(deadline));
  }

  /** The products to show, without their details. */
  productList(): Observable<ProductRef[]> {
    return this.api.run(this.http.get<ProductRef[]>('/api/products'));
  }

  /**
   * Each product's details, in the order they arrive. boundedMap keeps at most 3 of this list's
   * requests started (the list's own share), and `limiter` makes each of them hold a permit of the
   * app's semaphore as well: at most 2 are in flight, whatever else the app is doing.
   */
  details(products: readonly ProductRef[]): Observable<Product> {
    return from(products).pipe(
      boundedMap(({ id }) => this.http.get<Product>(`/api/products/${id}`), 3, { ordered: false, limiter: this.api }),
    );
  }
}
