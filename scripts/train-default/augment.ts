/**
 * Spectral augmentation of training segments for the built-in model (not shipped).
 *
 * Why: the synthetic mixes come from three General MIDI sound fonts with one render chain, and
 * a model trained on them alone learns those timbres (the first default model reached 0.85
 * micro-F1 on synthetic validation but 0.58 on real mixes, cymbals 0.07). Real recordings
 * differ mostly in level, microphone / room colour and noise floor, all of which act on the
 * filtered magnitudes multiplicatively (colour) or additively (noise). The features are
 * `f = log10(1 + s)` of the filtered magnitudes `s`, so each augmentation is applied exactly:
 * `s = 10^f − 1`, then `s' = a_k · s + n_k`, then `f' = log10(1 + s')`, with per segment:
 * - overall gain: uniform in [−12, +6] dB;
 * - spectral tilt: linear in bin index, uniform in [−8, +8] dB from lowest to highest bin;
 * - two resonances / notches: Gaussian bumps of ±10 dB, 2–10 bins wide, anywhere;
 * - with probability 0.3, a noise floor: a smoothly varying level per bin, −70..−45 dB of the
 *   segment's peak magnitude, jittered per frame.
 * Labels are untouched. Reproducible: the random stream is seeded by (seed, epoch, segment).
 */
import type { SegmentBatch, SegmentDataset } from '../../src/train/index.js';
import { overlaySegment, type OverlayClip, type OverlayOptions } from './overlays.js';
import { mulberry32 } from './prng.js';

const dbToLinear = (db: number): number => 10 ** (db / 20);

/** Augments one segment `[frames, bins]` in place. */
export function augmentSegment(features: Float32Array, frames: number, bins: number, random: () => number): void {
  const uniform = (lo: number, hi: number): number => lo + (hi - lo) * random();
  const gainDb = uniform(-12, 6);
  const tiltDb = uniform(-8, 8);
  const bumps = Array.from({ length: 2 }, () => ({ centre: uniform(0, bins - 1), width: uniform(2, 10), db: uniform(-10, 10) }));
  const colour = new Float64Array(bins);
  for (let k = 0; k < bins; k++) {
    let db = gainDb + tiltDb * (k / (bins - 1) - 0.5);
    for (const b of bumps) db += b.db * Math.exp(-0.5 * ((k - b.centre) / b.width) ** 2);
    colour[k] = dbToLinear(db);
  }
  let noise: Float64Array | null = null;
  if (random() < 0.3) {
    let peak = 0;
    for (let i = 0; i < features.length; i++) peak = Math.max(peak, features[i]);
    const peakMagnitude = 10 ** peak - 1;
    const levelDb = uniform(-70, -45);
    const slopeDb = uniform(-12, 6);
    noise = new Float64Array(bins);
    for (let k = 0; k < bins; k++) noise[k] = peakMagnitude * dbToLinear(levelDb + slopeDb * (k / (bins - 1)));
  }
  for (let t = 0; t < frames; t++) {
    const row = t * bins;
    for (let k = 0; k < bins; k++) {
      let s = (10 ** features[row + k] - 1) * colour[k];
      if (noise !== null) s += noise[k] * (0.5 + random());
      features[row + k] = Math.log10(1 + Math.max(0, s));
    }
  }
}

/**
 * A dataset whose segments are augmented on read ({@link augmentSegment}); `epoch` is set by
 * the training script at the start of every epoch so that each epoch draws new augmentations.
 */
export class AugmentedDataset implements SegmentDataset {
  readonly length: number;
  readonly frames: number;
  readonly bins: number;
  readonly classes: number;
  epoch = 0;

  /**
   * @param overlays - clip bank and options of overlays.ts, mixed in before the spectral
   *   augmentation (from their own random stream, so the spectral stream stays stage 2's)
   * @param spectral - apply {@link augmentSegment} (default true; false for an overlay-only
   *   validation set)
   */
  constructor(
    private readonly base: SegmentDataset & { mapIndex?: (i: number) => number },
    private readonly seed: number,
    private readonly overlays: { bank: readonly OverlayClip[]; options?: OverlayOptions } | null = null,
    private readonly spectral = true,
  ) {
    this.length = base.length;
    this.frames = base.frames;
    this.bins = base.bins;
    this.classes = base.classes;
  }

  async read(indices: readonly number[]): Promise<SegmentBatch> {
    const batch = await this.base.read(indices);
    const size = this.frames * this.bins;
    const targetSize = this.frames * this.classes;
    for (let n = 0; n < indices.length; n++) {
      if (this.overlays !== null) {
        const overlayRandom = mulberry32((this.seed * 1000003 + this.epoch * 7919 + indices[n] * 104729 + 0x5bd1e995) >>> 0);
        const features = batch.features.subarray(n * size, (n + 1) * size);
        const targets = batch.targets.subarray(n * targetSize, (n + 1) * targetSize);
        overlaySegment(features, targets, this.frames, this.bins, this.classes, this.overlays.bank, overlayRandom, this.overlays.options);
      }
      if (!this.spectral) continue;
      const random = mulberry32((this.seed * 1000003 + this.epoch * 7919 + indices[n] * 104729) >>> 0);
      augmentSegment(batch.features.subarray(n * size, (n + 1) * size), this.frames, this.bins, random);
    }
    return batch;
  }
}
