import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { CurrencyPipe } from '@angular/common';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { toSignal } from '@angular/core/rxjs-interop';
import { catchError, debounceTime, distinctUntilChanged, map, of, switchMap } from 'rxjs';
import { CatalogService, type Product } from './catalog.service';

interface Answer { query: string; products: Product[]; failed?: true }

@Component({
  selector: 'app-search',
  imports: [ReactiveFormsModule, CurrencyPipe],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <input type="search" placeholder="Search fruit…" autocomplete="off" [formControl]="query" />
    @let shown = answer();
    @if (shown.failed) {
      <p class="error">The search for “{{ shown.query }}” failed.</p>
    } @else if (shown.query !== '') {
      <p class="meta">Results for <b class="query">{{ shown.query }}</b></p>
      <ul class="results">
        @for (product of shown.products; track product.id) {
          <li>{{ product.name }} {{ product.price | currency }}</li>
        } @empty {
          <li>no fruit matches</li>
        }
      </ul>
    }
  `,
})
export class SearchComponent {
  private readonly catalog = inject(CatalogService);
  readonly query = new FormControl('', { nonNullable: true });

  /**
   * switchMap unsubscribes from a search as soon as a newer query arrives: the stale fetch is
   * aborted (its signal) and its permit goes back to the semaphore. toSignal unsubscribes when the
   * component is destroyed, with the same effect.
   */
  readonly answer = toSignal(
    this.query.valueChanges.pipe(
      map((query) => query.trim()),
      debounceTime(150),
      distinctUntilChanged(),
      switchMap((query) =>
        query === ''
          ? of<Answer>({ query, products: [] })
          : this.catalog.search(query).pipe(
              map((products): Answer => ({ query, products })),
              catchError(() => of<Answer>({ query, products: [], failed: true })),
            ),
      ),
    ),
    { initialValue: { query: '', products: [] } },
  );
}
