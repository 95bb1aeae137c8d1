/**
 * The audio decoders in headless Chromium (bundled with esbuild like an app would): the
 * WASM FLAC/MP3 decoders load, results match Node's, errors stay typed, and the Node-only
 * readAudioFile fails with a typed error instead of breaking the bundle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio, downmixToMono } from '../src/io/audio/index.js';
import { chromiumPath, chromiumSkipReason, openBrowserPage, type BrowserSession } from './helpers/browser.js';
import type { BrowserAudioSummary } from './audioBrowserEntry.js';

const here = dirname(fileURLToPath(import.meta.url));
const audioDir = join(here, 'fixtures', 'audio');
const names = readdirSync(audioDir).filter((f) => /\.(flac|oga|mp3|wav|ogg)$/.test(f)).sort();

describe.skipIf(chromiumPath === null)('audio decoding in headless Chromium', () => {
  let session: BrowserSession;
  let results: BrowserAudioSummary[];

  beforeAll(async () => {
    session = await openBrowserPage(join(here, 'audioBrowserEntry.ts'), { staticDirs: { '/audio/': audioDir } });
    await session.page.waitForFunction(() => typeof (globalThis as any).runAudio === 'function');
    results = await session.page.evaluate((list) => (globalThis as any).runAudio(list), names);
  });
  afterAll(async () => {
    await session?.close();
  });

  it('decodes every reference file like Node does', async () => {
    for (const name of names) {
      const inBrowser = results.find((r) => r.name === name);
      expect(inBrowser, `${name}: ${session.consoleLines.join('\n')}`).toBeDefined();
      let expected: BrowserAudioSummary;
      try {
        const audio = await decodeAudio(new Uint8Array(readFileSync(join(audioDir, name))), { fileName: name });
        const mono = downmixToMono(audio);
        let monoSum = 0;
        for (let i = 0; i < mono.length; i++) monoSum += mono[i];
        expected = { name, ok: true, format: audio.format, numberOfChannels: audio.numberOfChannels, sampleRate: audio.sampleRate, length: audio.length, monoSum };
      } catch (e) {
        expected = { name, ok: false, code: (e as { code: string }).code };
      }
      expect(inBrowser).toEqual(expected);
    }
  });

  it('cut files give typed errors in the browser', () => {
    for (const r of results.filter((x) => x.name.endsWith('(cut)'))) {
      expect(r.ok, r.name).toBe(false);
      expect(['CORRUPT_FILE', 'UNSUPPORTED_FORMAT'], `${r.name}: ${r.code}`).toContain(r.code);
    }
  });

  it('encodeWav works and readAudioFile fails with a typed IO_ERROR', () => {
    expect(results.find((r) => r.name === 'encoded.wav')).toMatchObject({ ok: true, length: 2, format: 'wav' });
    expect(results.find((r) => r.name === 'readAudioFile')).toEqual({ name: 'readAudioFile', ok: false, code: 'IO_ERROR' });
  });
});

it.skipIf(chromiumPath !== null)(`audio decoding in Chromium: ${chromiumSkipReason}`, () => {});
