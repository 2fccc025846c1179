import { ChangeDetectionStrategy, Component, PLATFORM_ID, inject, signal } from '@angular/core';
import { CurrencyPipe, isPlatformServer } from '@angular/common';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { TimeoutError, catchError, map, of, switchMap, tap } from 'rxjs';
import { CatalogService, type PanelView, type Product } from './catalog.service';

type Panels = { state: 'loading' } | { state: 'ready'; panels: PanelView[] } | { state: 'failed'; reason: string };

@Component({
  selector: 'app-dashboard',
  imports: [CurrencyPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let view = panels();
    <div class="panels">
      @switch (view.state) {
        @case ('loading') { <p class="meta">Loading panels…</p> }
        @case ('failed') { <p class="error">{{ view.reason }}</p> }
        @case ('ready') {
          @for (panel of view.panels; track panel.name) {
            <section class="panel" [attr.data-panel]="panel.name">
              @if ('error' in panel) {
                <h3>{{ panel.name }}</h3><p class="error">unavailable ({{ panel.error }})</p>
              } @else {
                <h3>{{ panel.title }}</h3><p class="value">{{ panel.value }}</p>
              }
            </section>
          }
        }
      }
    </div>
    <h2>Products</h2>
    <p class="meta progress">loaded {{ products().length }} / {{ total() ?? '…' }}</p>
    @if (listFailed()) { <p class="error">The list could not be loaded.</p> }
    <ul class="products">
      @for (product of products(); track product.id) {
        <li>{{ product.name }} {{ product.price | currency }}</li>
      }
    </ul>
  `,
})
export class DashboardComponent {
  private readonly catalog = inject(CatalogService);
  /**
   * A server render should not wait 3 s for a slow panel: deadlines and retries run on the server's
   * clock there, so it gives the panels less time and the browser loads them if they miss it.
   */
  private readonly deadline = isPlatformServer(inject(PLATFORM_ID)) ? 500 : 3_000;

  /** toSignal subscribes now and unsubscribes when the component is destroyed. */
  readonly panels = toSignal(
    this.catalog.panels(['sales', 'stock', 'visitors', 'forecast'], this.deadline).pipe(
      map((panels): Panels => ({ state: 'ready', panels })),
      catchError((error: unknown) =>
        of<Panels>({
          state: 'failed',
          reason: error instanceof TimeoutError ? `The panels did not load within ${this.deadline / 1000} s.` : 'The panels could not be loaded.',
        }),
      ),
    ),
    { initialValue: { state: 'loading' } },
  );

  readonly total = signal<number | undefined>(undefined);
  readonly products = signal<Product[]>([]);
  readonly listFailed = signal(false);

  constructor() {
    // takeUntilDestroyed() completes the load when the component is destroyed (a route change):
    // boundedMap's requests in flight are aborted, its waiting ones never start, and the permits
    // go back to the semaphore for the next page.
    this.catalog
      .productList()
      .pipe(
        tap((list) => this.total.set(list.length)),
        switchMap((list) => this.catalog.details(list)),
        takeUntilDestroyed(),
      )
      .subscribe({
        next: (product) => this.products.update((products) => [...products, product]),
        error: () => this.listFailed.set(true),
      });
  }
}
