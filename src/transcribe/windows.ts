/**
 * Overlapping model windows (internal), shared by `transcribe` and `Transcriber` so that both
 * cut, batch and stitch in exactly the same way.
 *
 * With window length L = `segmentFrames`, context C = `contextFrames` and hop H = L - 2C,
 * window s covers frames [sH, sH + L). A frame's activation is taken from the window in whose
 * centre part [sH + C, sH + C + H) it lies; the first window also supplies frames [0, C) and
 * the last window every frame from its centre to the end. So every frame is predicted with at
 * least C frames of real context on both sides (except near the ends of the audio, where the
 * context is the silence the audio ends in), and consecutive windows overlap by 2C frames.
 * The number of windows is 1 for up to L frames, else 1 + ceil((frames - L) / H). Frames after
 * the end of the audio are filled with standardized silence (a zero spectrogram frame), as the
 * thesis pads the audio.
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyStandardization, type StandardizationStats } from '../dsp/standardize.js';
import { ShapeError } from '../errors.js';
import type { DrumEvent } from '../types.js';
import { frameLocalSplit, predictSplitWindows } from './frameLocalSplit.js';
import type { ResolvedTranscription } from './options.js';

/**
 * Frames of real context the batch computation needs beyond each window span: the model's
 * frame-local front end runs once per batch over the span (frameLocalSplit.ts), else 0.
 */
export function frontEndMargin(r: ResolvedTranscription): number {
  return frameLocalSplit(r.bundle.model)?.margin ?? 0;
}

/** Number of windows for a signal of `frames` frames. */
export function windowCount(frames: number, r: ResolvedTranscription): number {
  return frames <= r.segmentFrames ? 1 : 1 + Math.ceil((frames - r.segmentFrames) / r.hopFrames);
}

/**
 * Frames [start, end) whose activations come from window `s`. `isLast` marks the last window
 * (then `frames`, the total, bounds the range).
 */
export function keptRange(s: number, isLast: boolean, frames: number, r: ResolvedTranscription): [number, number] {
  const start = s === 0 ? 0 : s * r.hopFrames + r.contextFrames;
  const end = isLast ? frames : s * r.hopFrames + r.contextFrames + r.hopFrames;
  return [start, end];
}

/** The card's statistics in the form `applyStandardization` takes. */
export function standardizationStats(r: ResolvedTranscription): StandardizationStats {
  const perBand = Array.isArray(r.card.standardization.mean) || Array.isArray(r.card.standardization.std);
  return {
    version: 1,
    method: 'pooled',
    perBand,
    bins: r.bins,
    mean: perBand ? Array.from(r.mean) : [r.mean[0]],
    std: perBand ? Array.from(r.std) : [r.std[0]],
    count: 0,
  };
}

/** Standardizes `frames` rows of log-filtered spectrogram values (a new array). */
export function standardizeFrames(data: Float32Array, frames: number, stats: StandardizationStats): Float32Array {
  return applyStandardization({ data, frames, bins: stats.bins }, stats).data;
}

/**
 * Runs windows `first .. first + count - 1` through the model as one batch.
 *
 * @param r - resolved options
 * @param features - standardized frames [rows × bins], row 0 being global frame `featureStart`
 * @param featureStart - global index of the first row of `features`
 * @param validEnd - frames from this global index on are padding (silence)
 * @param silence - the standardized silence frame [bins]
 * @returns sigmoid activations [count × segmentFrames × classes]
 */
export async function predictWindows(
  r: ResolvedTranscription,
  features: Float32Array,
  featureStart: number,
  validEnd: number,
  silence: Float32Array,
  first: number,
  count: number,
): Promise<Float32Array> {
  const { segmentFrames: L, hopFrames: H, bins, classes } = r;
  const model = r.bundle.model;
  const split = frameLocalSplit(model);
  if (split !== null) {
    // One span: frames [first·H − margin, (first + count − 1)·H + L + margin); zeros before the
    // audio (the front end's own padding of the first window), silence after it.
    const start = first * H - split.margin;
    const length = (count - 1) * H + L + 2 * split.margin;
    const span = new Float32Array(length * bins);
    for (let t = 0; t < length; t++) {
      const g = start + t;
      if (g < 0) continue;
      if (g >= validEnd) span.set(silence, t * bins);
      else {
        if (g < featureStart) throw new Error(`predictWindows: internal error, frame ${g} was already dropped (features start at ${featureStart})`);
        span.set(features.subarray((g - featureStart) * bins, (g - featureStart + 1) * bins), t * bins);
      }
    }
    const x = tf.tensor4d(span, [1, length, bins, 1]);
    let logits: tf.Tensor;
    try {
      logits = await predictSplitWindows(split, x, count, H, L);
    } finally {
      x.dispose();
    }
    const y = tf.tidy(() => tf.sigmoid(logits));
    logits.dispose();
    return readWindows(y, count, L, bins, classes);
  }
  const batch = new Float32Array(count * L * bins);
  for (let k = 0; k < count; k++) {
    const start = (first + k) * H;
    const real = Math.max(0, Math.min(L, validEnd - start));
    const from = (start - featureStart) * bins;
    batch.set(features.subarray(from, from + real * bins), k * L * bins);
    for (let t = real; t < L; t++) batch.set(silence, (k * L + t) * bins);
  }
  const y = tf.tidy(() => {
    const x = tf.tensor4d(batch, [count, L, bins, 1]);
    return tf.sigmoid(model.predict(x, { batchSize: count }) as tf.Tensor);
  });
  return readWindows(y, count, L, bins, classes);
}

/** Checks the shape of the activations [count, L, classes], reads and disposes them. */
async function readWindows(y: tf.Tensor, count: number, L: number, bins: number, classes: number): Promise<Float32Array> {
  try {
    const shape = y.shape;
    if (shape.length !== 3 || shape[0] !== count || shape[1] !== L || shape[2] !== classes) {
      throw new ShapeError(`the model returned shape [${shape.join(', ')}] for input [${count}, ${L}, ${bins}, 1]; expected [${count}, ${L}, ${classes}]`, { field: 'model' });
    }
    return (await y.data()) as Float32Array;
  } finally {
    y.dispose();
  }
}

/** Merges per-class onsets into events sorted by frame, then class index. */
export function framesToEvents(
  peaks: { frame: number; classIndex: number; height: number }[],
  frameRate: number,
  classNames: readonly string[],
): DrumEvent[] {
  // Stable sort: equal frames keep class order when the input lists classes in order.
  peaks.sort((a, b) => a.frame - b.frame || a.classIndex - b.classIndex);
  return peaks.map((p) => ({ timeSeconds: p.frame / frameRate, classIndex: p.classIndex, className: classNames[p.classIndex], velocity: p.height }));
}
