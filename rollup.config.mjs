import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const external = (id) => id === 'rxjs' || id.startsWith('rxjs/');

// Two entries built together: what both use (the async context and deadline scope, the
// trampoline, fromTask, validation) lands in one shared chunk, so a Redis gate subscribed inside
// `failAfter()` of the main entry sees that deadline. Two separate bundles would each hold a copy
// of that module state and the Redis entry would see none of it.
const input = { index: 'lib/index.ts', redis: 'lib/redis/index.ts' };

export default [
  {
    input,
    external,
    output: [
      { dir: 'dist', format: 'es', sourcemap: true, entryFileNames: '[name].mjs', chunkFileNames: 'shared.mjs' },
      { dir: 'dist', format: 'cjs', sourcemap: true, exports: 'named', entryFileNames: '[name].cjs', chunkFileNames: 'shared.cjs' },
    ],
    plugins: [typescript({ tsconfig: './tsconfig.json', declaration: false, sourceMap: true, outDir: 'dist', rootDir: 'lib' })],
  },
  // Types: declarations emitted by `tsc --stripInternal` (npm run build does it first), so what is
  // tagged @internal (the engine's hooks, Queue.deliver...) stays out of the types users see; each
  // entry bundled on its own (the few shared interfaces are declared in both files; they are
  // structural, so a Redis gate is a GateLike of the main entry all the same).
  ...Object.entries(input).map(([name, file]) => ({
    input: file.replace(/^lib\//, 'dist/types/').replace(/\.ts$/, '.d.ts'),
    external,
    output: [
      { file: `dist/${name}.d.ts`, format: 'es' },
      { file: `dist/${name}.d.mts`, format: 'es' },
    ],
    plugins: [dts()],
  })),
];
