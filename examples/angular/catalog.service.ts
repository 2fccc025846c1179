import { Injectable, inject } from '@angular/core';
import { HttpClient } from '@angular/common/http';
import { type Observable, from } from 'rxjs';
import { CapacityLimiter, Lock, boundedMap, failAfter, retry, shield } from 'rxjs-concurrency';

export interface Product {
  id: number;
  name: string;
  price: number;
}

/**
 * The service is a singleton, so its CapacityLimiter is the budget of the whole app: however many
 * components call the API, at most 4 requests are in flight. HttpClient's Observables are cold and
 * abort their request when unsubscribed, so they are tasks as they are: no AbortSignal needed.
 */
@Injectable({ providedIn: 'root' })
export class CatalogService {
  private readonly http = inject(HttpClient);
  private readonly api = new CapacityLimiter(4);
  private readonly saving = new Lock();

  /** 5 s per attempt (not counting the wait for a token), 3 attempts with backoff. */
  search(query: string): Observable<Product[]> {
    const attempt = this.api.run(this.http.get<Product[]>('/api/products', { params: { q: query } }).pipe(failAfter(5_000)));
    return attempt.pipe(retry({ attempts: 3, baseDelay: 200 }));
  }

  /** Many products, at most 6 requests started at once, all within the app's API budget. */
  details(ids: readonly number[]): Observable<Product> {
    return from(ids).pipe(
      boundedMap((id) => this.http.get<Product>(`/api/products/${id}`), 6, { ordered: false, limiter: this.api }),
    );
  }

  /**
   * Saves one at a time (the Lock); a save that was asked for is not cut off half-way when the
   * component that asked goes away (shield): the caller just stops listening.
   */
  save(product: Product): Observable<Product> {
    return this.saving.run(this.api.run(this.http.put<Product>(`/api/products/${product.id}`, product))).pipe(shield());
  }
}
