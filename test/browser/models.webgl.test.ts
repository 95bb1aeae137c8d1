/**
 * Every reference model of models.json on the webgl backend in headless Chromium
 * (SwiftShader): imported weights give the fixture logits within 1e-3, with no tensor leak,
 * and a save to / load from browser storage (IndexedDB, localStorage) gives identical logits.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, chromiumSkipReason, openBrowserPage, type BrowserSession } from '../helpers/browser.js';
import { loadArray, maxAbsDiff, readManifest } from '../helpers/fixtures.js';
import type { ReferenceCase, WebglCaseResult } from './modelsWebglEntry.js';

const here = dirname(fileURLToPath(import.meta.url));
const manifest = readManifest<any>('models.json');
const cases: Array<ReferenceCase & { output: any }> = manifest.cases;
const WEBGL_ATOL = 1e-3;

if (chromiumPath === null) console.warn(chromiumSkipReason);

describe.skipIf(chromiumPath === null)('reference models on webgl (headless Chromium)', () => {
  let session: BrowserSession;

  beforeAll(async () => {
    session = await openBrowserPage(join(here, 'modelsWebglEntry.ts'));
    await session.page.waitForFunction(() => typeof (globalThis as any).runWebglCase === 'function');
  }, 120_000);
  afterAll(async () => {
    await session?.close();
  });

  it('models.json lists reference cases', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(`${c.name}: logits within ${WEBGL_ATOL} of the reference, no leak, browser-storage round trip`, async () => {
      const { name, cls, params, weights } = c;
      const result: WebglCaseResult = await session.page.evaluate(
        ([rc, shape, file]) => (globalThis as any).runWebglCase(rc, shape, file),
        [{ name, cls, params, weights }, manifest.input_x.shape, manifest.input_x.file] as const,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\nbrowser console:\n${session.consoleLines.join('\n')}`);
      });
      expect(result.backend).toBe('webgl');
      const expected = loadArray(c.output);
      expect(result.shape).toEqual(expected.shape);
      const diff = maxAbsDiff(result.logits, expected.data);
      expect(diff.max, `${c.name}: max |webgl - reference| at ${diff.index}`).toBeLessThan(WEBGL_ATOL);
      expect(result.leakedTensors).toBe(0);
      // Saved to and reloaded from IndexedDB and localStorage: identical logits.
      expect(result.storageRoundTrip).toEqual({ indexeddb: 0, localstorage: 0 });
    }, 180_000);
  }
});
