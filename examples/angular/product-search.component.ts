import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { AsyncPipe } from '@angular/common';
import { Subject, catchError, debounceTime, distinctUntilChanged, map, of, switchMap } from 'rxjs';
import { CatalogService, type Product } from './catalog.service';

@Component({
  selector: 'app-product-search',
  standalone: true,
  imports: [AsyncPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <input type="search" placeholder="Search products" (input)="query$.next($any($event.target).value)" />
    @if (results$ | async; as results) {
      <ul>
        @for (product of results; track product.id) {
          <li>{{ product.name }}</li>
        }
      </ul>
    }
  `,
})
export class ProductSearchComponent {
  private readonly catalog = inject(CatalogService);
  readonly query$ = new Subject<string>();

  /**
   * The async pipe subscribes, and unsubscribes when the component is destroyed; switchMap
   * unsubscribes from a search when a newer query arrives. Either way the request in flight is
   * aborted, its token goes back to the service's limiter, and a pending retry never fires.
   */
  readonly results$ = this.query$.pipe(
    map((query) => query.trim()),
    debounceTime(250),
    distinctUntilChanged(),
    switchMap((query) =>
      query === '' ? of<Product[]>([]) : this.catalog.search(query).pipe(catchError(() => of<Product[]>([]))),
    ),
  );
}
