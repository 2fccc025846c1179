import { Component, DestroyRef, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { exhaustMap, interval, startWith, toArray } from 'rxjs';
import { moveOnAfter } from 'rxjs-concurrency';
import { CatalogService, type Product } from './catalog.service';

@Component({
  selector: 'app-dashboard',
  standalone: true,
  template: `
    <ul>
      @for (product of products; track product.id) {
        <li>{{ product.name }}: {{ product.price }}</li>
      }
    </ul>
    <button type="button" (click)="raisePrices()">+10 %</button>
  `,
})
export class DashboardComponent {
  private readonly catalog = inject(CatalogService);
  private readonly destroyRef = inject(DestroyRef);
  products: Product[] = [];

  constructor() {
    // Refresh every 30 s; exhaustMap skips a tick while a refresh still runs, and moveOnAfter gives
    // a refresh 10 s, after which its remaining requests are cancelled and the old list stays.
    // takeUntilDestroyed() (here, in the injection context) cancels all of it with the component.
    interval(30_000)
      .pipe(
        startWith(0),
        exhaustMap(() => this.catalog.details([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).pipe(toArray(), moveOnAfter(10_000))),
        takeUntilDestroyed(),
      )
      .subscribe((products) => (this.products = products));
  }

  /** Outside the injection context, takeUntilDestroyed needs the DestroyRef. */
  raisePrices(): void {
    for (const product of this.products) {
      this.catalog
        .save({ ...product, price: Math.round(product.price * 110) / 100 })
        .pipe(takeUntilDestroyed(this.destroyRef))
        .subscribe((saved) => (this.products = this.products.map((p) => (p.id === saved.id ? saved : p))));
    }
  }
}
