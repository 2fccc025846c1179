// The browser example: three ways a page loads data, each cancelled the RxJS way (unsubscribe).
// Bundled by server.mjs with esbuild from the package's ESM build.
import {
  EMPTY,
  catchError,
  debounceTime,
  defer,
  distinctUntilChanged,
  exhaustMap,
  finalize,
  from,
  fromEvent,
  map,
  mergeMap,
  of,
  switchMap,
  tap,
} from 'rxjs';
import { Semaphore, boundedMap, retry } from 'rxjs-concurrency';

interface Item {
  id: number;
  name: string;
}
interface ItemDetail extends Item {
  price: number;
}
interface SearchAnswer {
  q: string;
  results: string[];
}
interface Report {
  attempts: number;
  fruits: number;
}

function element(id: string): HTMLElement;
function element<T extends HTMLElement>(id: string, kind: new () => T): T;
function element(id: string, kind: new () => HTMLElement = HTMLElement): HTMLElement {
  const found = document.getElementById(id);
  if (!(found instanceof kind)) throw new Error(`#${id} is missing from the page, or not a ${kind.name}`);
  return found;
}

async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return (await response.json()) as T;
}

function show(list: HTMLElement, texts: readonly string[], className = ''): void {
  list.replaceChildren(...texts.map((text) => Object.assign(document.createElement('li'), { textContent: text, className })));
}

/** Every API call of the page goes through this gate: at most 3 requests in flight, whoever makes them. */
const permits = 3;
const api = new Semaphore(permits);

// --- 1. Search as you type: switchMap unsubscribes from the stale search, which aborts its fetch.
const search = element('search', HTMLInputElement);
let searches = 0;
let aborted = 0;
fromEvent(search, 'input')
  .pipe(
    map(() => search.value.trim().toLowerCase()),
    debounceTime(60),
    distinctUntilChanged(),
    switchMap((q) =>
      q === ''
        ? of<SearchAnswer>({ q, results: [] })
        : api
            .run((signal) => {
              element('searches').textContent = String(++searches);
              // The signal aborts only when this search is cancelled before its answer: a stale one.
              signal.addEventListener('abort', () => (element('aborted').textContent = String(++aborted)));
              return getJson<SearchAnswer>(`/api/search?q=${encodeURIComponent(q)}`, signal);
            })
            .pipe(catchError(() => of<SearchAnswer>({ q, results: ['(search failed)'] }))),
    ),
  )
  .subscribe(({ q, results }) => {
    element('query').textContent = q === '' ? '—' : q;
    show(element('results'), results);
  });

// --- 2. A list: boundedMap starts up to 8 item requests, the shared semaphore lets 3 run at once.
const items = element('items');
element('permits').textContent = String(permits);
let inFlight = 0;
let peak = 0;
const setInFlight = (delta: number): void => {
  inFlight += delta;
  peak = Math.max(peak, inFlight);
  element('inflight').textContent = String(inFlight);
  element('peak').textContent = String(peak);
};
fromEvent(element('load'), 'click')
  .pipe(
    // A second click while loading is ignored rather than starting a second load.
    exhaustMap(() =>
      api
        .run((signal) => getJson<Item[]>('/api/items', signal))
        .pipe(
          tap((list) => {
            element('total').textContent = String(list.length);
            element('loaded').textContent = '0';
            show(
              items,
              list.map(({ name }) => `${name}…`),
              'loading',
            );
          }),
          mergeMap((list) => from(list)),
          boundedMap(
            (item, _index, signal) =>
              defer(() => {
                setInFlight(1);
                return getJson<ItemDetail>(`/api/item?id=${item.id}`, signal);
              }).pipe(finalize(() => setInFlight(-1))),
            8,
            { ordered: false, limiter: api },
          ),
          tap(({ id, name, price }) => {
            const li = items.children[id];
            if (li === undefined) return;
            li.textContent = `${name} $${price.toFixed(2)}`;
            li.classList.remove('loading');
            element('loaded').textContent = String(items.querySelectorAll('li:not(.loading)').length);
          }),
          catchError(() => EMPTY),
        ),
    ),
  )
  .subscribe();

// --- 3. A flaky endpoint: retry with backoff, and a banner while it retries.
const banner = element('banner');
const setBanner = (kind: 'retrying' | 'ok' | 'failed', text: string): void => {
  banner.className = `banner ${kind}`;
  banner.textContent = text;
  banner.hidden = false;
};
const session = Math.random().toString(36).slice(2);
const attempts = 5;
fromEvent(element('report'), 'click')
  .pipe(
    exhaustMap(() =>
      api
        .run((signal) => getJson<Report>(`/api/report?session=${session}`, signal))
        .pipe(
          retry({
            attempts,
            baseDelay: 600,
            // Called only when another attempt remains (and never for a cancellation): show the banner.
            retryOn: (error, attempt) => {
              setBanner(
                'retrying',
                `retrying… attempt ${attempt} of ${attempts} failed (${error instanceof Error ? error.message : String(error)})`,
              );
              return true;
            },
          }),
          tap((report) => setBanner('ok', `report loaded after ${report.attempts} attempts: ${report.fruits} fruits`)),
          catchError((error: unknown) => {
            setBanner('failed', `gave up: ${error instanceof Error ? error.message : String(error)}`);
            return EMPTY;
          }),
        ),
    ),
  )
  .subscribe();
