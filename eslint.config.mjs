// ESLint (`npm run lint`): typescript-eslint's strict and stylistic type-checked rules on the
// TypeScript, ESLint's recommended rules on the JavaScript; Prettier owns the layout. Each rule
// turned off or down says why beside it (and the README lists them).
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'dist/',
    'coverage/',
    'reports/',
    '.stryker-tmp/',
    'docs/api/',
    // Its own package, TypeScript and Angular compiler (it has no ESLint of its own to agree with),
    // and examples/angular.md quotes its sources verbatim.
    'examples/angular/',
  ]),
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  {
    // Scripts, benchmarks and the plain-JavaScript examples: no type information to lint with.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.strictTypeChecked, tseslint.configs.stylisticTypeChecked],
    languageOptions: {
      // lib/ has the root tsconfig.json; spec/ and marble-tests/ have one each (tsconfig.spec.json's
      // settings), examples/browser its own.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // noUncheckedIndexedAccess types every `a[i]` as possibly undefined, also where the index is in
      // range by construction (ring buffers, the trampoline, SHA-1's rounds, Redis replies), and a
      // Promise executor arms a waiter's `resolve` before anything can use it. A check there would be
      // a branch that cannot run; `!` says the same and stays visible at the site.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // `() => subscriber.complete()` is how RxJS callbacks are written; the rule still catches a void
      // value used anywhere else.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Numbers in messages ("received 1.5", "tasks[3]") print as expected; objects, null and
      // undefined are still refused.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // An aborted wait rejects with `signal.reason`, whatever the caller aborted with, as fetch and
      // every platform API do; and a failure handed on keeps its value. Literals are still refused.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // RxJS deprecates constructing its errors to users; this package's operators fail as RxJS's
      // own do (first() with EmptyError, timeout() with TimeoutError, an unsubscribe with
      // UnsubscriptionError) so that `instanceof` checks written for RxJS keep working.
      '@typescript-eslint/no-deprecated': [
        'error',
        { allow: [{ from: 'package', package: 'rxjs', name: ['EmptyError', 'TimeoutError', 'UnsubscriptionError'] }] },
      ],
      // The `_` prefix is how TypeScript's noUnusedParameters (on here) lets a hook's parameter
      // stay unused in the base class.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['spec/**', 'marble-tests/**'],
    rules: {
      // Tests build async inputs that settle at a known turn: async generators and Promise-returning
      // tasks with nothing to await are the point there.
      '@typescript-eslint/require-await': 'off',
      // `() => {}` is the observer or callback a test passes on purpose to ignore what it gets.
      '@typescript-eslint/no-empty-function': 'off',
    },
  },
);
