import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { devDataDir, devDataSkipReason, loadArray, maxAbsDiff, readManifest } from './helpers/fixtures.js';
import { buildSegmentDataset, exampleSegments, openShardedDataset, writeExampleShards } from '../src/train/index.js';
import { MDB_MAPPING, createAudioData, defineMapping } from '../src/io/index.js';
import { logFilteredSpectrogram } from '../src/dsp/index.js';

const dsp = readManifest('dsp.json');

function clicks(seconds: number, rate: number, at: number[]): Float32Array {
  const x = new Float32Array(Math.round(seconds * rate));
  for (const t of at) for (let k = 0; k < 200; k++) x[Math.round(t * rate) + k] = Math.sin(k * 0.3) * Math.exp(-k / 50);
  return x;
}

describe('exampleSegments', () => {
  it('thesis preset: features equal the reference readAudio spectrogram (dsp.json, atol 1e-5) for every case, at its own rate', async () => {
    const cases = dsp.cases as any[];
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const signal = loadArray(c.signal).data as Float32Array;
      const expected = loadArray(c.thesis_readAudio.log_filtered);
      const segs = await exampleSegments({ audio: createAudioData([signal], c.sample_rate), annotations: [], name: 'dsp' }, { sampleRate: null });
      const [frames, bins] = expected.shape;
      expect(segs.length).toBe(frames / 400);
      const joined = new Float32Array(segs.length * 400 * bins);
      segs.forEach((s, i) => joined.set(s.features, i * 400 * bins));
      expect(maxAbsDiff(joined, expected.data).max).toBeLessThanOrEqual(1e-5);
      expect(segs.every((s) => s.targets.every((v) => v === 0))).toBe(true);
    }
  });

  it('maps annotations to widened frame targets in the right segment, resamples to 44.1 kHz, custom mappings', async () => {
    const rate = 48000;
    const onsets = [0.5, 1.2, 4.255, 6.0];
    const text = `0.5 KD\n1.2\tSD \n4.255 HH\n6.0 CY\n`;
    const audio = createAudioData([clicks(6.5, rate, onsets), clicks(6.5, rate, onsets)], rate);
    const segs = await exampleSegments({ audio, annotations: { text }, name: 'synthetic' });
    expect(segs.length).toBe(2); // 651 frames → padded to 800
    expect(segs[0].features.length).toBe(400 * 84);
    const at = (frame: number, cls: number) => segs[Math.floor(frame / 400)].targets[(frame % 400) * 5 + cls];
    expect([at(49, 0), at(50, 0), at(51, 0)]).toEqual([0.5, 1, 0.5]);
    expect(at(120, 1)).toBe(1);
    expect(at(426, 3)).toBe(1); // 4.255 / 10 * 1000 = 425.5 exactly in double → half-even 426
    expect(at(600, 4)).toBe(1);
    expect(segs[1].validFrames).toBe(400);
    // a 3-class vocabulary
    const three = defineMapping({ name: 'three', classNames: ['KD', 'SD', 'HH'], labels: { KD: 'KD', SD: 'SD', HH: 'HH', CY: null } });
    const s3 = await exampleSegments({ audio, annotations: { text }, name: 'three' }, { mapping: three, widening: false, preset: 'madmom' });
    expect(s3[0].targets.length).toBe(400 * 3);
    expect(s3[0].targets[50 * 3]).toBe(1);
    expect(s3[0].targets[49 * 3]).toBe(0);
  });

  it('in-memory and disk-backed builds hold the same segments', async () => {
    const rate = 44100;
    const examples = [0, 1, 2].map((k) => ({ audio: createAudioData([clicks(4.2 + k, rate, [0.3, 1.0 + k])], rate), annotations: [{ timeSeconds: 0.3, classIndex: 0 }, { timeSeconds: 1.0 + k, classIndex: 3 }], name: `ex${k}` }));
    const mem = await buildSegmentDataset(examples);
    expect(mem.length).toBe(2 + 2 + 2);
    expect(mem.sources.map((s) => s.source)).toEqual(['ex0', 'ex0', 'ex1', 'ex1', 'ex2', 'ex2']);
    const dir = mkdtempSync(join(tmpdir(), 'adtkit-seg-'));
    try {
      const manifest = await writeExampleShards(dir, examples, { segmentsPerShard: 4 });
      expect(manifest.length).toBe(6);
      const disk = await openShardedDataset(dir);
      const all = [0, 1, 2, 3, 4, 5];
      const a = await disk.read(all);
      const b = await mem.read(all);
      expect(maxAbsDiff(a.features, b.features).max).toBe(0);
      expect(maxAbsDiff(a.targets, b.targets).max).toBe(0);
      await disk.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(devDataDir === null)('real recordings (MDB Drums dev)', () => {
  it('a drum track and its subclass annotations (thesis MDB mapping) give consistent segments', async () => {
    const dir = devDataDir as string;
    const segs = await exampleSegments({ audio: join(dir, 'Shadows.drums.flac'), annotations: join(dir, 'Shadows.subclass.txt') }, { mapping: MDB_MAPPING });
    expect(segs.length).toBeGreaterThan(1);
    const ones = segs.reduce((n, s) => n + s.targets.filter((v) => v === 1).length, 0);
    expect(ones).toBeGreaterThan(50);
    const spec = logFilteredSpectrogram(new Float32Array(44100), 44100);
    expect(spec.bins).toBe(84);
  });
});
if (devDataDir === null) console.warn(devDataSkipReason);
