/**
 * Standardisation of spectrograms: `(x - mean) / std` with statistics fitted on a training
 * set (SPEC §2). The fitted statistics are a plain JSON-serialisable object, so they can be
 * stored next to a model and applied at inference.
 *
 * Two ways of fitting:
 * - `'pooled'` (default): the mean and the unbiased standard deviation (divisor n - 1, as
 *   `torch.std`) of all values of all spectrograms together.
 * - `'thesis'`: what the thesis reference's `compute_normalization` does with its default
 *   batch size 1: the mean of each spectrogram's mean and the mean of each spectrogram's
 *   unbiased standard deviation. Pass the 400-frame training segments as the spectrograms
 *   to reproduce it. (A mean of standard deviations is not the standard deviation of the
 *   set; the difference is small when segments have similar statistics.)
 *
 * Either way one scalar pair by default, or one pair per bin with `perBand: true`.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../errors.js';
import type { FrameMatrix } from './spectrogram.js';
import { assertMatrix, assertOneOf, assertOptions, describe } from './validate.js';

/** Fitting method; see the module comment. */
export type StandardizationMethod = 'pooled' | 'thesis';

/** Options of {@link fitStandardization}. */
export interface FitStandardizationOptions {
  /** One mean/std per bin instead of one scalar pair. @defaultValue false */
  perBand?: boolean;
  /** How the statistics are combined over spectrograms. @defaultValue 'pooled' */
  method?: StandardizationMethod;
}

/** Fitted standardisation statistics (plain JSON). */
export interface StandardizationStats {
  /** Format version of this object. */
  version: 1;
  /** How the statistics were fitted. */
  method: StandardizationMethod;
  /** Whether `mean` and `std` hold one value per bin. */
  perBand: boolean;
  /** Number of bins of the spectrograms the statistics were fitted on. */
  bins: number;
  /** Mean: one value, or one per bin. */
  mean: number[];
  /** Standard deviation: one value, or one per bin. */
  std: number[];
  /** Number of values (pooled, per mean entry) or spectrograms (thesis) fitted on. */
  count: number;
}

/**
 * Fits standardisation statistics on a set of spectrograms.
 * @param spectrograms - `[frames, bins]` matrices, all with the same `bins`
 * @param options - see {@link FitStandardizationOptions}
 * @returns statistics for {@link applyStandardization}
 * @throws {@link InvalidArgumentError} when the set is empty or holds no values,
 *   {@link ShapeError} when the bin counts differ, {@link NonFiniteError} when the values
 *   contain NaN or infinities.
 * @example
 * ```ts
 * import { applyStandardization, fitStandardization, logFilteredSpectrogram, segmentFrames } from 'adtkit/dsp';
 * const signal = Float32Array.from({ length: 9 * 44100 }, (_, i) => Math.sin(i / 7) * Math.sin(i / 9000));
 * const spec = logFilteredSpectrogram(signal, 44100, { padToSegments: true });
 * const { segments, segmentLength, bins } = segmentFrames(spec);
 * const training = segments.map((data) => ({ data, frames: segmentLength, bins }));
 * const stats = fitStandardization(training, { method: 'thesis' }); // JSON-serialisable
 * const input = applyStandardization(spec, JSON.parse(JSON.stringify(stats)));
 * console.log(stats.mean, stats.std, input.scale);
 * ```
 */
export function fitStandardization(spectrograms: readonly FrameMatrix[], options: FitStandardizationOptions = {}): StandardizationStats {
  assertOptions(options);
  const perBand = options.perBand ?? false;
  const method = options.method ?? 'pooled';
  assertOneOf(perBand, [true, false], 'options.perBand');
  assertOneOf(method, ['pooled', 'thesis'] as const, 'options.method');
  if (!Array.isArray(spectrograms) || spectrograms.length === 0) {
    throw new InvalidArgumentError(`spectrograms must be a non-empty array of { data, frames, bins }, got ${describe(spectrograms)}`, {
      field: 'spectrograms',
    });
  }
  spectrograms.forEach((s, i) => assertMatrix(s, `spectrograms[${i}]`));
  const bins = spectrograms[0].bins;
  spectrograms.forEach((s, i) => {
    if (s.bins !== bins) throw new ShapeError(`spectrograms[${i}] has ${s.bins} bins but spectrograms[0] has ${bins}`, { field: `spectrograms[${i}]` });
  });
  const groups = perBand ? bins : 1;
  const mean = new Array<number>(groups).fill(0);
  const std = new Array<number>(groups).fill(0);
  let count = 0;
  if (method === 'pooled') {
    // Chan et al.'s pairwise merge of (n, mean, M2), each spectrogram done in two passes.
    const n = new Float64Array(groups);
    const m = new Float64Array(groups);
    const m2 = new Float64Array(groups);
    for (const s of spectrograms) {
      const part = momentsOf(s, perBand);
      for (let g = 0; g < groups; g++) {
        const nb = part.n[g];
        if (nb === 0) continue;
        const na = n[g];
        const delta = part.mean[g] - m[g];
        const total = na + nb;
        m[g] += (delta * nb) / total;
        m2[g] += part.m2[g] + (delta * delta * na * nb) / total;
        n[g] = total;
      }
    }
    count = n[0];
    if (count === 0) throw new InvalidArgumentError('spectrograms hold no values (all have 0 frames)', { field: 'spectrograms' });
    for (let g = 0; g < groups; g++) {
      mean[g] = m[g];
      std[g] = n[g] > 1 ? Math.sqrt(m2[g] / (n[g] - 1)) : 0;
    }
  } else {
    for (const s of spectrograms) {
      if (s.frames === 0) continue;
      const part = momentsOf(s, perBand);
      for (let g = 0; g < groups; g++) {
        mean[g] += part.mean[g];
        std[g] += part.n[g] > 1 ? Math.sqrt(part.m2[g] / (part.n[g] - 1)) : 0;
      }
      count++;
    }
    if (count === 0) throw new InvalidArgumentError('spectrograms hold no values (all have 0 frames)', { field: 'spectrograms' });
    for (let g = 0; g < groups; g++) {
      mean[g] /= count;
      std[g] /= count;
    }
  }
  for (let g = 0; g < groups; g++) {
    if (!Number.isFinite(mean[g]) || !Number.isFinite(std[g])) {
      throw new NonFiniteError(`fitted statistics are not finite (mean ${mean[g]}, std ${std[g]}): the spectrograms contain NaN or infinite values`, {
        field: 'spectrograms',
      });
    }
  }
  return { version: 1, method, perBand, bins, mean, std, count };
}

/** Count, mean and sum of squared deviations of one matrix (two passes, double precision). */
function momentsOf(s: FrameMatrix, perBand: boolean): { n: Float64Array; mean: Float64Array; m2: Float64Array } {
  const groups = perBand ? s.bins : 1;
  const n = new Float64Array(groups);
  const mean = new Float64Array(groups);
  const m2 = new Float64Array(groups);
  const { data, bins, frames } = s;
  if (frames === 0) return { n, mean, m2 };
  if (!perBand) {
    let sum = 0;
    for (let i = 0; i < data.length; i++) sum += data[i];
    const mu = sum / data.length;
    let ss = 0;
    for (let i = 0; i < data.length; i++) {
      const d = data[i] - mu;
      ss += d * d;
    }
    n[0] = data.length;
    mean[0] = mu;
    m2[0] = ss;
    return { n, mean, m2 };
  }
  for (let t = 0; t < frames; t++) for (let b = 0; b < bins; b++) mean[b] += data[t * bins + b];
  for (let b = 0; b < bins; b++) mean[b] /= frames;
  for (let t = 0; t < frames; t++) {
    for (let b = 0; b < bins; b++) {
      const d = data[t * bins + b] - mean[b];
      m2[b] += d * d;
    }
  }
  n.fill(frames);
  return { n, mean, m2 };
}

/**
 * Standardises a spectrogram: `(x - mean) / std` (a zero `std`, e.g. of a band that is
 * silent in the whole training set, is treated as 1: the band is only centred).
 * @param spectrogram - `[frames, bins]`
 * @param stats - from {@link fitStandardization} (or parsed from its JSON)
 * @returns a new spectrogram with `scale: 'standardized'` (other metadata kept)
 * @throws {@link InvalidArgumentError} on malformed statistics, {@link ShapeError} when
 *   per-band statistics were fitted on a different number of bins.
 */
export function applyStandardization<T extends FrameMatrix>(spectrogram: T, stats: StandardizationStats): T {
  assertMatrix(spectrogram, 'spectrogram');
  const { mean, std } = checkStats(stats);
  const { data, bins } = spectrogram;
  const out = new Float32Array(data.length);
  if (mean.length === 1) {
    const mu = mean[0];
    const inv = 1 / (std[0] > 0 ? std[0] : 1);
    for (let i = 0; i < data.length; i++) out[i] = (data[i] - mu) * inv;
  } else {
    if (mean.length !== bins) {
      throw new ShapeError(`per-band statistics have ${mean.length} bands but the spectrogram has ${bins} bins`, { field: 'stats' });
    }
    const inv = std.map((s) => 1 / (s > 0 ? s : 1));
    for (let i = 0, b = 0; i < data.length; i++, b = b + 1 === bins ? 0 : b + 1) out[i] = (data[i] - mean[b]) * inv[b];
  }
  return { ...spectrogram, data: out, scale: 'standardized' };
}

function checkStats(stats: StandardizationStats): { mean: number[]; std: number[] } {
  if (stats === null || typeof stats !== 'object') {
    throw new InvalidArgumentError(`stats must be the object returned by fitStandardization, got ${describe(stats)}`, { field: 'stats' });
  }
  const { mean, std } = stats;
  const ok = (a: unknown): a is number[] => Array.isArray(a) && a.length > 0 && a.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!ok(mean) || !ok(std) || mean.length !== std.length) {
    throw new InvalidArgumentError(
      `stats.mean and stats.std must be non-empty arrays of finite numbers of equal length, got ${describe(mean)} and ${describe(std)}`,
      { field: 'stats' },
    );
  }
  return { mean, std };
}
