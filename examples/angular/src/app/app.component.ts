import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { toSignal } from '@angular/core/rxjs-interop';
import { CatalogService } from './catalog.service';

@Component({
  selector: 'app-root',
  imports: [RouterLink, RouterLinkActive, RouterOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <header>
      <h1>rxjs-concurrency in Angular</h1>
      <nav>
        <a routerLink="/search" routerLinkActive="active">Search</a>
        <a routerLink="/dashboard" routerLinkActive="active">Dashboard</a>
      </nav>
      @let gate = api();
      <p class="meta gate">
        requests in flight: <b class="in-flight">{{ gate.total - gate.available }}</b> / {{ gate.total }}
        · waiting for a permit: <b class="waiting">{{ gate.waiting }}</b>
      </p>
    </header>
    <main><router-outlet /></main>
  `,
})
export class AppComponent {
  /** state$ emits the current state on subscribe, so the signal has a value at once. */
  readonly api = toSignal(inject(CatalogService).api.state$, { requireSync: true });
}
