// The layering `npm test` holds the code to (spec/architecture.spec.ts runs it): lib/internal/ is
// built from nothing public, nothing imports in a circle, and the main entry never loads the Redis
// entry. Paths match at any depth so the spec can prove each rule fails on a fixture tree.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes load order matter and hides which layer owns what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'internal-needs-nothing-public',
      severity: 'error',
      comment: 'lib/internal/ is the engine; the public files are thin layers on it, never the reverse.',
      from: { path: '(^|/)lib/internal/' },
      to: { path: '(^|/)lib/[^/]+\\.ts$' },
    },
    {
      name: 'main-entry-never-loads-redis',
      severity: 'error',
      comment: 'rxjs-concurrency/redis is its own entry: users of the main one must not pay for it.',
      from: { path: '(^|/)lib/', pathNot: '(^|/)lib/redis/' },
      to: { path: '(^|/)lib/redis/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
