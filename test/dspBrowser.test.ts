/**
 * The WebAssembly spectrogram path in headless Chromium (bundled with esbuild like an app
 * would): it is active there and gives exactly Node's values, and the JS path agrees.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logFilteredSpectrogram } from '../src/dsp/index.js';
import { chromiumPath, chromiumSkipReason, openBrowserPage, type BrowserSession } from './helpers/browser.js';
import { testSignal, type BrowserSpectrogramSummary } from './dspBrowserEntry.js';

const here = dirname(fileURLToPath(import.meta.url));
if (chromiumPath === null) console.warn(`dspBrowser.test.ts: ${chromiumSkipReason}`);

describe.skipIf(chromiumPath === null)('WebAssembly spectrogram in headless Chromium', () => {
  let session: BrowserSession;
  beforeAll(async () => {
    session = await openBrowserPage(join(here, 'dspBrowserEntry.ts'));
    await session.page.waitForFunction(() => typeof (globalThis as any).runSpectrogram === 'function');
  });
  afterAll(async () => {
    await session?.close();
  });

  it('runs on the WebAssembly path and equals Node bit for bit, for both presets', async () => {
    for (const [length, preset] of [[44100 * 6 + 17, 'thesis'], [44100 * 2, 'madmom'], [1500, 'thesis']] as const) {
      const summary: BrowserSpectrogramSummary = await session.page.evaluate(([n, p]) => (globalThis as any).runSpectrogram(n, p), [length, preset] as const);
      expect(summary.wasmActive).toBe(true);
      const node = logFilteredSpectrogram(testSignal(length), 44100, { preset });
      expect([summary.frames, summary.bins]).toEqual([node.frames, node.bins]);
      expect(Float32Array.from(summary.wasm)).toEqual(node.data);
      let maxDiff = 0;
      for (let i = 0; i < summary.js.length; i++) maxDiff = Math.max(maxDiff, Math.abs(summary.js[i] - summary.wasm[i]));
      expect(maxDiff).toBeLessThanOrEqual(2e-7);
    }
  });
});
