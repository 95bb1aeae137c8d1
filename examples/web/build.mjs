// Builds the web demo into examples/web/dist/ (or the directory given as the first argument):
// main.js and worker.js bundled with esbuild, plus index.html. Put a model bundle directory
// at dist/model/ (or open the page with ?model=URL) and serve dist/ over http.
//   node examples/web/build.mjs [outdir]
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] ?? join(here, 'dist'));
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: { main: join(here, 'main.ts'), worker: join(here, 'worker.ts') },
  outdir,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  // adtkit's Node-only file functions load node:fs lazily; never reached in a browser.
  external: ['node:*'],
  // adtkit/models registers its custom layers (AdtBidirectionalRNN, ...) for model loading as
  // a side effect of importing their modules. package.json's "sideEffects" lists those modules
  // under dist/; this demo bundles the repository's src/, which the list does not name, so
  // esbuild would drop the registration ("Unknown layer" when loading a bundle). An app that
  // imports the published package needs no such flag.
  ignoreAnnotations: true,
});
await copyFile(join(here, 'index.html'), join(outdir, 'index.html'));
console.log(`web demo built in ${outdir}`);
