/** The wasm backend in Node tests. */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Points TF.js's wasm backend at the `.wasm` files of the installed package. */
export function locateWasmBinaries(): void {
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
}
