// Just enough of Angular's public types for the examples in this folder to type-check without
// installing Angular. Signatures are narrowed copies of the real ones (Angular 17+): decorators
// are declared as standard TypeScript decorators, which is all the type-checker needs here.

declare module '@angular/core' {
  type ClassDecorator = <C extends abstract new (...args: never[]) => unknown>(target: C, context: ClassDecoratorContext<C>) => void;
  export function Injectable(options?: { providedIn?: 'root' | null }): ClassDecorator;
  export function Component(metadata: {
    selector: string;
    standalone?: boolean;
    imports?: readonly unknown[];
    template: string;
    changeDetection?: ChangeDetectionStrategy;
  }): ClassDecorator;
  export enum ChangeDetectionStrategy { OnPush = 0, Default = 1 }
  export function inject<T>(token: abstract new (...args: never[]) => T): T;
  export abstract class DestroyRef {
    abstract onDestroy(callback: () => void): () => void;
  }
}

declare module '@angular/core/rxjs-interop' {
  import type { DestroyRef } from '@angular/core';
  import type { MonoTypeOperatorFunction } from 'rxjs';
  /** Completes the source when the component (or the given DestroyRef) is destroyed. */
  export function takeUntilDestroyed<T>(destroyRef?: DestroyRef): MonoTypeOperatorFunction<T>;
}

declare module '@angular/common/http' {
  import type { Observable } from 'rxjs';
  type Params = Record<string, string | number | boolean | readonly (string | number | boolean)[]>;
  /** Its Observables are cold: subscribing sends the request, unsubscribing aborts it. */
  export class HttpClient {
    get<T>(url: string, options?: { params?: Params }): Observable<T>;
    put<T>(url: string, body: unknown, options?: { params?: Params }): Observable<T>;
  }
}

declare module '@angular/common' {
  export class AsyncPipe {}
}
