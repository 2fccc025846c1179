/**
 * Issue 18: the layering of lib/, checked by dependency-cruiser with the rules in
 * .dependency-cruiser.cjs: lib/internal/ imports nothing public, no import cycle, and the main
 * entry never loads lib/redis/. The fixture tree breaks each rule once, so the check can fail.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');

function violations(path: string): string[] {
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
      '--config',
      '.dependency-cruiser.cjs',
      '--output-type',
      'json',
      path,
    ],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (run.stdout === '') throw new Error(`dependency-cruiser did not run: ${run.stderr}`);
  const { summary } = JSON.parse(run.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).sort();
}

describe('the layering of lib/', () => {
  it('holds: internal/ needs nothing public, no cycle, the main entry never loads the Redis entry', () => {
    expect(violations('lib')).toEqual([]);
  }, 60_000);

  it('the rules catch each breach in a fixture tree', () => {
    const fixture = 'spec/fixtures/layers/lib';
    expect(violations(fixture)).toEqual([
      `internal-needs-nothing-public: ${fixture}/internal/engine.ts -> ${fixture}/public.ts`,
      `main-entry-never-loads-redis: ${fixture}/public.ts -> ${fixture}/redis/gate.ts`,
      // A cycle is reported once, from the module it was found at.
      `no-circular: ${fixture}/internal/engine.ts -> ${fixture}/public.ts`,
    ]);
  }, 60_000);
});
