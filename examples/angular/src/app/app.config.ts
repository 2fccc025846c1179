import { type ApplicationConfig, provideZonelessChangeDetection } from '@angular/core';
import { provideHttpClient, withFetch } from '@angular/common/http';
import { provideRouter } from '@angular/router';
import { routes } from './app.routes';

export const appConfig: ApplicationConfig = {
  providers: [
    // No zone.js: signals (toSignal over the package's Observables) tell Angular what to refresh.
    provideZonelessChangeDetection(),
    // HttpClient on fetch: unsubscribing aborts the request, as with the XHR backend.
    provideHttpClient(withFetch()),
    provideRouter(routes),
  ],
};
