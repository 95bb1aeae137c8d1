/**
 * The built-in model's training augmentation (scripts/train-default/augment.ts): exact in the
 * magnitude domain, reproducible from its seed, labels untouched.
 */
import { describe, expect, it } from 'vitest';
import { AugmentedDataset, augmentSegment } from '../scripts/train-default/augment.js';
import { InMemorySegmentDataset } from '../src/train/index.js';

const FRAMES = 20;
const BINS = 84;

function logFeatures(seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: FRAMES * BINS }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.log10(1 + (s / 2 ** 32) * 50);
  });
}

describe('augmentSegment', () => {
  it('applies one colour curve per bin to the magnitudes (without noise): 10^f − 1 scales by the same factor in every frame', () => {
    // Draws: gain, tilt, 2 × (centre, width, level), then the noise draw (9th, 0.95 ≥ 0.3: no noise floor).
    const values = [0.5, 0.5, 0.2, 0.3, 0.9, 0.7, 0.6, 0.1, 0.95];
    let i = 0;
    const random = () => values[i++ % values.length];
    const before = logFeatures(1);
    const after = before.slice();
    augmentSegment(after, FRAMES, BINS, random);
    for (let k = 0; k < BINS; k++) {
      const ratio = (10 ** after[k] - 1) / (10 ** before[k] - 1);
      for (let t = 1; t < FRAMES; t++) {
        const r = (10 ** after[t * BINS + k] - 1) / (10 ** before[t * BINS + k] - 1);
        expect(Math.abs(r / ratio - 1)).toBeLessThan(1e-3);
      }
    }
  });

  it('gives finite, non-negative features and is deterministic per (seed, epoch, segment); targets are untouched', async () => {
    const base = new InMemorySegmentDataset({ frames: FRAMES, bins: BINS, classes: 5 });
    for (let n = 0; n < 4; n++) {
      const targets = new Float32Array(FRAMES * 5).map((_, i) => (i % 7 === n ? 1 : 0));
      base.add({ features: logFeatures(n + 2), targets });
    }
    const a = new AugmentedDataset(base, 3);
    const b = new AugmentedDataset(base, 3);
    const plain = await base.read([0, 1, 2, 3]);
    const x = await a.read([0, 1, 2, 3]);
    const y = await b.read([0, 1, 2, 3]);
    expect(x.features).toEqual(y.features);
    expect(x.targets).toEqual(plain.targets);
    expect(x.features.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    expect(x.features).not.toEqual(plain.features);
    a.epoch = 1;
    expect((await a.read([0, 1, 2, 3])).features).not.toEqual(x.features);
  });
});
