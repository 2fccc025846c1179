import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

const external = (id) => id === 'rxjs' || id.startsWith('rxjs/');

export default [
  {
    input: 'lib/index.ts',
    external,
    output: [
      { file: 'dist/index.mjs', format: 'es', sourcemap: true },
      { file: 'dist/index.cjs', format: 'cjs', sourcemap: true, exports: 'named' },
    ],
    plugins: [typescript({ tsconfig: './tsconfig.json', declaration: false, sourceMap: true, outDir: 'dist', rootDir: 'lib' })],
  },
  {
    // Declarations emitted by `tsc --stripInternal` (npm run build does it first): what is tagged
    // @internal (the engine's hooks, Queue.deliver...) stays out of the types users see.
    input: 'dist/types/index.d.ts',
    external,
    output: [{ file: 'dist/index.d.ts', format: 'es' }, { file: 'dist/index.d.mts', format: 'es' }],
    plugins: [dts()],
  },
];
