/**
 * The web demo (examples/web) in headless Chromium: built with its own build script, served
 * with model bundles next to it; a synthetic drum file is set on the file input, decoded on
 * the page, transcribed in a Web Worker on the webgl backend, drawn as a grid and offered as
 * a MIDI download.
 *
 * Two bundles:
 * - an "energy detector" (a hand-weighted Conv2D: band energy of the standardized spectrogram
 *   → logits) whose events are known: the page's MIDI must hold the events that
 *   `transcribe()` finds in Node on the cpu backend;
 * - a small random-weight CRNN (adtkit's custom layers, loaded from model.json in the worker):
 *   the pipeline must complete on webgl and give a valid MIDI file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING, encodeWav, parseMidiAnnotations } from '../../src/io/index.js';
import { createCRNN } from '../../src/models/index.js';
import { createBundle, saveBundle, transcribe } from '../../src/transcribe/index.js';
import type { DrumEvent } from '../../src/index.js';
import { chromiumPath, chromiumSkipReason, openStaticSite, type BrowserSession } from '../helpers/browser.js';
import { energyDetector, SAMPLE_RATE, syntheticDrums } from '../helpers/syntheticDrums.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

if (chromiumPath === null) console.warn(chromiumSkipReason);

interface PageOutcome {
  state: string;
  status: string;
  backend: string;
  events: string;
  midi: number[];
  bluePixels: number;
}

/** Drops the file on the page (through the file input) and waits for the result. */
async function runPage(session: BrowserSession, query: string, wavPath: string): Promise<PageOutcome> {
  const { page } = session;
  await page.goto(`${session.baseUrl}/${query}`);
  await page.waitForFunction(() => ['ready', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 90_000 });
  await page.setInputFiles('#file', wavPath);
  await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 150_000 });
  return page.evaluate(async () => {
    const text = (id: string): string => document.getElementById(id)?.textContent ?? '';
    const link = document.getElementById('download') as HTMLAnchorElement;
    const midi = link.hidden ? [] : Array.from(new Uint8Array(await (await fetch(link.href)).arrayBuffer()));
    const canvas = document.getElementById('grid') as HTMLCanvasElement;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let bluePixels = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i + 2] > 150 && pixels[i] < 120) bluePixels++;
    return { state: document.body.dataset.state ?? '', status: text('status'), backend: text('backend'), events: text('events'), midi, bluePixels };
  });
}

describe.skipIf(chromiumPath === null)('web demo (examples/web) in headless Chromium', () => {
  let tmp: string;
  let session: BrowserSession;
  let wavPath: string;
  let nodeEvents: DrumEvent[];
  let dirs: Record<string, string>;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'adtkit-web-demo-'));
    const site = join(tmp, 'site');
    execFileSync(process.execPath, [join(repoRoot, 'examples', 'web', 'build.mjs'), site], { stdio: 'pipe' });

    await tf.setBackend('cpu');
    const signal = syntheticDrums();
    wavPath = join(tmp, 'hits.wav');
    writeFileSync(wavPath, encodeWav({ channels: [signal], sampleRate: SAMPLE_RATE }));

    const detector = energyDetector(signal);
    const detectorBundle = createBundle(detector.model, {
      name: 'energy-detector',
      license: 'MIT',
      standardization: { mean: detector.mean, std: detector.std },
    });
    await saveBundle(join(tmp, 'detector'), detectorBundle);
    // What the page must find: the same pipeline in Node, on the audio as the page decodes it.
    const { decodeAudio } = await import('../../src/io/index.js');
    const decoded = await decodeAudio(encodeWav({ channels: [signal], sampleRate: SAMPLE_RATE }));
    nodeEvents = (await transcribe(decoded, { model: detectorBundle })).events;
    detector.model.dispose();

    const crnn = createCRNN({ numLayers: 2, hiddenSize: 72 });
    await saveBundle(join(tmp, 'crnn'), createBundle(crnn, { name: 'random-crnn', license: 'MIT', standardization: { mean: detector.mean, std: detector.std } }));
    crnn.dispose();

    dirs = { '/': site, '/detector/': join(tmp, 'detector'), '/crnn/': join(tmp, 'crnn') };
    session = await openStaticSite(dirs);
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('transcribes a file from the file input in the worker on webgl: grid drawn, MIDI holds the Node events', async () => {
    expect(nodeEvents.length, 'the energy detector finds the synthetic hits in Node').toBeGreaterThan(8);
    const outcome = await runPage(session, '?model=/detector/', wavPath);
    const context = `status "${outcome.status}"\nconsole:\n${session.consoleLines.join('\n')}`;
    expect(outcome.state, context).toBe('done');
    expect(outcome.backend).toBe('webgl');
    expect(outcome.events).toMatch(new RegExp(`^${nodeEvents.length} \\(KD \\d+`));
    expect(outcome.bluePixels, 'onset marks on the grid').toBeGreaterThan(0);
    // ADTKIT_WEB_DEMO_SCREENSHOT=page.png saves a picture of the page for a look by eye.
    if (process.env.ADTKIT_WEB_DEMO_SCREENSHOT) await session.page.screenshot({ path: process.env.ADTKIT_WEB_DEMO_SCREENSHOT, fullPage: true });

    const midi = new Uint8Array(outcome.midi);
    expect(new TextDecoder().decode(midi.subarray(0, 4))).toBe('MThd');
    const fromPage = parseMidiAnnotations(midi, { mapping: DEFAULT_MAPPING }).events;
    expect(fromPage.map((e) => e.className)).toEqual(nodeEvents.map((e) => e.className));
    fromPage.forEach((e, i) => expect(Math.abs(e.timeSeconds - nodeEvents[i].timeSeconds), `event ${i}`).toBeLessThan(1e-3));
  }, 240_000);

  it('runs a random-weight CRNN bundle (adtkit layers) in the worker on webgl and offers a valid MIDI file', async () => {
    const outcome = await runPage(session, '?model=/crnn/&threshold=0.05', wavPath);
    const context = `status "${outcome.status}"\nconsole:\n${session.consoleLines.join('\n')}`;
    expect(outcome.state, context).toBe('done');
    expect(outcome.backend).toBe('webgl');
    expect(outcome.events).toMatch(/^\d+ \(KD \d+, SD \d+, TT \d+, HH \d+, CY \d+\)$/);
    const midi = new Uint8Array(outcome.midi);
    expect(new TextDecoder().decode(midi.subarray(0, 4))).toBe('MThd');
    expect(parseMidiAnnotations(midi, { mapping: DEFAULT_MAPPING }).events.length).toBe(Number(outcome.events.split(' ')[0]));
  }, 240_000);

  it('takes a file dropped on the drop zone', async () => {
    const { page } = session;
    await page.goto(`${session.baseUrl}/?model=/detector/`);
    await page.waitForFunction(() => document.body.dataset.state === 'ready', null, { timeout: 90_000 });
    const bytes = Array.from(readFileSync(wavPath));
    await page.evaluate((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'dropped.wav', { type: 'audio/wav' }));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes);
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout: 150_000 });
    expect(await page.textContent('#status')).toMatch(/^done/);
    expect(await page.getAttribute('#download', 'download')).toBe('dropped.mid');
    expect(await page.textContent('#events')).toMatch(new RegExp(`^${nodeEvents.length} `));
  }, 240_000);

  it('falls back to the cpu backend when WebGL is unavailable, with the same events', async () => {
    const noWebgl = await openStaticSite(dirs, { extraArgs: ['--use-gl=disabled'] });
    try {
      const outcome = await runPage(noWebgl, '?model=/detector/', wavPath);
      expect(outcome.state, `status "${outcome.status}"`).toBe('done');
      expect(outcome.backend).toBe('cpu');
      expect(await noWebgl.page.textContent('#backend-note')).toMatch(/fallback/);
      const events = parseMidiAnnotations(new Uint8Array(outcome.midi), { mapping: DEFAULT_MAPPING }).events;
      expect(events.map((e) => e.className)).toEqual(nodeEvents.map((e) => e.className));
    } finally {
      await noWebgl.close();
    }
  }, 180_000);

  it('reports a missing model bundle on the page', async () => {
    await session.page.goto(`${session.baseUrl}/?model=/no-such-bundle/`);
    await session.page.waitForFunction(() => document.body.dataset.state === 'error', null, { timeout: 60_000 });
    expect(await session.page.textContent('#status')).toMatch(/card\.json/);
  }, 120_000);
});
