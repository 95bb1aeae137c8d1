/**
 * adtkit's wasm kernels in headless Chromium (bundled with esbuild like an app would; the
 * page is not cross-origin isolated, so TF.js runs its single-threaded wasm build): the Winograd
 * convolution, its filter gradient and a CRNN's logits equal the cpu backend's on the same page,
 * with no leaked tensors.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, chromiumSkipReason, openBrowserPage, type BrowserSession } from './helpers/browser.js';
import type { BrowserWasmSummary } from './wasmBrowserEntry.js';

const here = dirname(fileURLToPath(import.meta.url));
const wasmDir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '/');
if (chromiumPath === null) console.warn(`wasmBrowser.test.ts: ${chromiumSkipReason}`);

describe.skipIf(chromiumPath === null)('adtkit wasm kernels in headless Chromium', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await openBrowserPage(join(here, 'wasmBrowserEntry.ts'), { staticDirs: { '/wasm/': wasmDir } });
    await session.page.waitForFunction(() => typeof (globalThis as any).runWasmKernels === 'function');
  }, 60_000);
  afterAll(async () => {
    await session?.close();
  });

  it('Winograd convolution and filter gradient, and a CRNN, equal the cpu backend', async () => {
    const r: BrowserWasmSummary = await session.page.evaluate(() => (globalThis as any).runWasmKernels());
    expect(r.backend, session.consoleLines.join('\n')).toBe('wasm');
    // Forward conv, the gradient's forward, input gradient skipped (x constant), filter gradient.
    expect(r.winogradCalls).toBeGreaterThanOrEqual(3);
    expect(r.convRelErr).toBeLessThan(1e-5);
    expect(r.gradRelErr).toBeLessThan(1e-5);
    expect(r.crnnRelErr).toBeLessThan(1e-4);
    expect(r.leakedTensors).toBe(0);
  }, 60_000);
});
