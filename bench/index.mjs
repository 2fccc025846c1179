// `npm run bench [-- filter...]`: builds dist/, then runs every case of bench/cases/*.mjs (or those
// whose name contains a filter) against its peers and writes bench/results.json.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runAll } from './harness.mjs';

const dir = new URL('./cases/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs'))
  .sort();
const cases = [];
for (const f of files) cases.push(...(await import(new URL(f, dir).href)).default);

await runAll(cases, {
  filters: process.argv.slice(2),
  outFile: fileURLToPath(new URL('./results.json', import.meta.url)),
});
// The Redis cases keep a server and its connections open until the process ends.
process.exit(0);
