/**
 * The built-in model's overlay augmentation (scripts/train-default/overlays.ts): synthesized
 * cymbals labelled CY and pitched distractors labelled nothing, mixed in power on the filtered
 * magnitudes, reproducible from the seed.
 */
import { describe, expect, it } from 'vitest';
import { AugmentedDataset } from '../scripts/train-default/augment.js';
import { buildOverlayBank, mulberry32, overlaySegment, SAMPLE_RATE, synthesizeCymbal, synthesizeDistractor } from '../scripts/train-default/overlays.js';
import { InMemorySegmentDataset } from '../src/train/index.js';

const FRAMES = 120;
const BINS = 84;
const CLASSES = 5;

function logFeatures(seed: number): Float32Array {
  const random = mulberry32(seed);
  return Float32Array.from({ length: FRAMES * BINS }, () => Math.log10(1 + random() * 50));
}

/** Mean magnitude of bins [from, to) over the frames [t0, t1): of log features (10^f − 1) or linear clip magnitudes. */
function bandMean(data: Float32Array, bins: number, t0: number, t1: number, from: number, to: number, linear = false): number {
  let sum = 0;
  for (let t = t0; t < t1; t++) for (let k = from; k < to; k++) sum += linear ? data[t * bins + k] : 10 ** data[t * bins + k] - 1;
  return sum / ((t1 - t0) * (to - from));
}
const clipBandMean = (data: Float32Array, bins: number, t0: number, t1: number, from: number, to: number) => bandMean(data, bins, t0, t1, from, to, true);

describe('overlay sources', () => {
  it('synthesizes finite cymbals that are bright and decay, and pitched notes darker than cymbals', () => {
    const bank = buildOverlayBank(5, 10, 10);
    expect(bank).toHaveLength(20);
    for (const clip of bank) {
      expect(clip.bins).toBe(BINS);
      expect(clip.magnitudes.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      expect(clip.peak).toBeGreaterThan(0);
    }
    const cymbals = bank.filter((c) => c.label === 4);
    const pitched = bank.filter((c) => c.label === null);
    expect(cymbals).toHaveLength(10);
    expect(pitched).toHaveLength(10);
    for (const c of cymbals) {
      // Right after the onset vs. a second later: the cymbal decays.
      const early = clipBandMean(c.magnitudes, c.bins, c.onsetFrame, c.onsetFrame + 10, 0, BINS);
      const late = clipBandMean(c.magnitudes, c.bins, c.onsetFrame + 100, c.onsetFrame + 110, 0, BINS);
      expect(late).toBeLessThan(early);
      // Nothing before the onset (the clip starts with silence).
      expect(clipBandMean(c.magnitudes, c.bins, 0, 1, 0, BINS)).toBeLessThan(early * 1e-3);
    }
    // High-to-low band energy ratio (bins 60+ ≈ 4 kHz and up vs. below 1 kHz), median per kind.
    const brightness = (clips: typeof bank) =>
      clips
        .map((c) => clipBandMean(c.magnitudes, c.bins, c.onsetFrame, c.onsetFrame + 20, 60, BINS) / clipBandMean(c.magnitudes, c.bins, c.onsetFrame, c.onsetFrame + 20, 0, 36))
        .sort((a, b) => a - b)[5];
    expect(brightness(cymbals)).toBeGreaterThan(10 * brightness(pitched));
  });

  it('is reproducible from the seed', () => {
    expect(synthesizeCymbal('ride', mulberry32(9))).toEqual(synthesizeCymbal('ride', mulberry32(9)));
    expect(synthesizeDistractor(mulberry32(9))).toEqual(synthesizeDistractor(mulberry32(9)));
    expect(synthesizeCymbal('crash', mulberry32(9))).not.toEqual(synthesizeCymbal('crash', mulberry32(10)));
    expect(synthesizeCymbal('crash', mulberry32(1), 1).length).toBe(SAMPLE_RATE);
  });
});

describe('overlaySegment', () => {
  const bank = buildOverlayBank(3, 8, 8);

  it('only adds power, labels every cymbal onset inside the segment as CY (widened) and never labels distractors', () => {
    let cymbalSegments = 0;
    let distractorOnlySegments = 0;
    for (let seed = 0; seed < 40; seed++) {
      const before = logFeatures(seed + 100);
      const features = before.slice();
      const targets = new Float32Array(FRAMES * CLASSES);
      overlaySegment(features, targets, FRAMES, BINS, CLASSES, bank, mulberry32(seed));
      for (let i = 0; i < features.length; i++) expect(features[i]).toBeGreaterThanOrEqual(before[i] - 1e-6);
      // Only CY targets, only the values 0, 0.5, 1, and every 1 has 0.5 or 1 neighbours.
      for (let t = 0; t < FRAMES; t++) {
        for (let c = 0; c < CLASSES - 1; c++) expect(targets[t * CLASSES + c]).toBe(0);
        const v = targets[t * CLASSES + 4];
        expect([0, 0.5, 1]).toContain(v);
        if (v === 1) {
          if (t > 0) expect(targets[(t - 1) * CLASSES + 4]).toBeGreaterThanOrEqual(0.5);
          if (t < FRAMES - 1) expect(targets[(t + 1) * CLASSES + 4]).toBeGreaterThanOrEqual(0.5);
          // A labelled cymbal onset raises the high bands from the frame before to the frame after.
          if (t > 2 && t < FRAMES - 2) expect(bandMean(features, BINS, t + 1, t + 2, 60, BINS)).toBeGreaterThan(bandMean(before, BINS, t + 1, t + 2, 60, BINS));
        }
      }
      const labelled = targets.some((v) => v === 1);
      if (labelled) cymbalSegments++;
      else if (features.some((v, i) => v !== before[i])) distractorOnlySegments++;
    }
    // With p 0.5 each, both kinds of segment occur among 40 draws.
    expect(cymbalSegments).toBeGreaterThan(5);
    expect(distractorOnlySegments).toBeGreaterThan(2);
  });

  it('leaves the segment unchanged with both probabilities 0, and mixes in power (sqrt of summed squares)', () => {
    const before = logFeatures(7);
    const features = before.slice();
    const targets = new Float32Array(FRAMES * CLASSES);
    overlaySegment(features, targets, FRAMES, BINS, CLASSES, bank, mulberry32(1), { cymbalProbability: 0, distractorProbability: 0 });
    expect(features).toEqual(before);
    expect(targets.every((v) => v === 0)).toBe(true);
    // Same peak, same draws: the overlays alone (into silence) and into a segment; magnitudes add in power.
    const peak = Math.log10(1 + 60);
    const segment = logFeatures(8);
    segment[0] = peak;
    const silence = new Float32Array(FRAMES * BINS);
    silence[0] = peak;
    const mixed = segment.slice();
    const alone = silence.slice();
    overlaySegment(mixed, new Float32Array(FRAMES * CLASSES), FRAMES, BINS, CLASSES, bank, mulberry32(4), { cymbalProbability: 1, distractorProbability: 1 });
    overlaySegment(alone, new Float32Array(FRAMES * CLASSES), FRAMES, BINS, CLASSES, bank, mulberry32(4), { cymbalProbability: 1, distractorProbability: 1 });
    let changed = 0;
    for (let i = 1; i < segment.length; i++) {
      const expected = Math.hypot(10 ** segment[i] - 1, 10 ** alone[i] - 1);
      expect(Math.abs(10 ** mixed[i] - 1 - expected)).toBeLessThan(1e-4 * (1 + expected));
      if (alone[i] > 0) changed++;
    }
    expect(changed).toBeGreaterThan(FRAMES * BINS * 0.1);
  });

  it('is deterministic per (seed, epoch, segment) through AugmentedDataset, also without the spectral augmentation', async () => {
    const base = new InMemorySegmentDataset({ frames: FRAMES, bins: BINS, classes: CLASSES });
    for (let n = 0; n < 6; n++) base.add({ features: logFeatures(n), targets: new Float32Array(FRAMES * CLASSES) });
    const make = () => new AugmentedDataset(base, 2, { bank }, false);
    const x = await make().read([0, 1, 2, 3, 4, 5]);
    const y = await make().read([0, 1, 2, 3, 4, 5]);
    expect(x.features).toEqual(y.features);
    expect(x.targets).toEqual(y.targets);
    const other = make();
    other.epoch = 1;
    expect((await other.read([0, 1, 2, 3, 4, 5])).features).not.toEqual(x.features);
    // The stored segments are not modified by reading.
    expect((await base.read([0])).features).toEqual(logFeatures(0));
  });
});
