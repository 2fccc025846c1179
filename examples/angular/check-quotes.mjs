// Checks that every code block of examples/angular.md that names a file is that file, verbatim,
// so the page can never drift from the app that run.sh builds and tests. Regenerate the page
// from angular.md.in with --write.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const page = join(here, '..', 'angular.md');
const block = (name) => `<!-- examples/angular/${name} -->\n\`\`\`ts\n${readFileSync(join(here, name), 'utf8')}\`\`\``;

if (process.argv.includes('--write')) {
  const template = readFileSync(join(here, 'angular.md.in'), 'utf8');
  writeFileSync(page, template.replace(/^@@(.+)@@$/gm, (_, name) => block(name)));
}
const text = readFileSync(page, 'utf8');
const quoted = [...text.matchAll(/^<!-- examples\/angular\/(.+) -->$/gm)].map((match) => match[1]);
const stale = quoted.filter((name) => !text.includes(block(name)));
if (quoted.length === 0 || stale.length > 0) {
  console.error(`examples/angular.md: ${quoted.length === 0 ? 'no quoted file' : `out of date for ${stale.join(', ')}`} (run node examples/angular/check-quotes.mjs --write)`);
  process.exit(1);
}
console.log(`examples/angular.md: ${quoted.length} code blocks match their files`);
