import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'dsp/index': 'src/dsp/index.ts',
    'io/index': 'src/io/index.ts',
    'eval/index': 'src/eval/index.ts',
    'models/index': 'src/models/index.ts',
    'train/index': 'src/train/index.ts',
    'transcribe/index': 'src/transcribe/index.ts',
    'cli/main': 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: true,
  // import.meta.url in the CommonJS build (enableWasmThreads resolves tfjs-backend-wasm's files from it).
  shims: true,
  // TF.js is a peer: the app and adtkit must share one instance (one registry of backends and layers).
  external: [/^@tensorflow\//],
});
