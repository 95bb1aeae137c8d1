/**
 * Fitting the input standardization on a (possibly disk-backed) training set, streaming:
 * `adtkit/dsp`'s `fitStandardization` runs on chunks of segments and the chunk statistics are
 * merged, so the dataset need not fit in memory. The result is dsp's JSON statistics object,
 * applied with `applyStandardization` at training and at inference time.
 */
import { fitStandardization } from '../dsp/index.js';
import type { FitStandardizationOptions, StandardizationStats } from '../dsp/index.js';
import { InvalidArgumentError } from '../errors.js';
import { iterateDataset } from './dataset.js';
import type { SegmentDataset } from './dataset.js';

/**
 * Standardization statistics of every feature value of a training set (SPEC §2/§5: one
 * scalar mean and std by default, fitted on the training set only).
 *
 * - `method: 'pooled'` (default): mean and unbiased std of all values (`torch.std`), merged
 *   exactly over chunks (Chan et al.'s pairwise update).
 * - `method: 'thesis'`: mean over segments of each segment's mean and unbiased std (what the
 *   thesis `compute_normalization` does on 400-frame segments).
 *
 * @param dataset - the training segments.
 * @param options - `perBand`, `method` as for dsp's `fitStandardization`.
 * @returns statistics for dsp's `applyStandardization`.
 * @throws InvalidArgumentError for an empty dataset or a constant one (std 0).
 */
export async function fitDatasetStandardization(dataset: SegmentDataset, options: FitStandardizationOptions = {}): Promise<StandardizationStats> {
  const bins = dataset.bins;
  const frames = dataset.frames;
  let merged: { n: number[]; mean: number[]; m2: number[] } | null = null;
  let template: StandardizationStats | null = null;
  for await (const batch of iterateDataset(dataset)) {
    const segments = Array.from({ length: batch.size }, (_, k) => ({ data: batch.features.subarray(k * frames * bins, (k + 1) * frames * bins), frames, bins }));
    const s = fitStandardization(segments, options);
    template ??= s;
    // thesis: average of per-segment statistics, weighted by segment count; pooled: Chan's merge.
    const n = s.mean.map(() => s.count);
    const m2 = s.method === 'pooled' ? s.std.map((sd) => sd * sd * (s.count - 1)) : s.std.map((sd) => sd * s.count);
    if (merged === null) {
      merged = { n, mean: [...s.mean], m2 };
    } else {
      for (let g = 0; g < s.mean.length; g++) {
        const na = merged.n[g];
        const nb = n[g];
        const total = na + nb;
        const delta = s.mean[g] - merged.mean[g];
        merged.mean[g] += (delta * nb) / total;
        merged.m2[g] += s.method === 'pooled' ? m2[g] + (delta * delta * na * nb) / total : m2[g];
        merged.n[g] = total;
      }
    }
  }
  if (merged === null || template === null) {
    throw new InvalidArgumentError('cannot fit a standardization: the training set holds no segments', { field: 'dataset' });
  }
  const m = merged;
  const std = template.method === 'pooled' ? m.m2.map((v, g) => Math.sqrt(v / (m.n[g] - 1))) : m.m2.map((v, g) => v / m.n[g]);
  std.forEach((sd, g) => {
    if (!(sd > 0)) {
      throw new InvalidArgumentError(`the training features are constant${std.length > 1 ? ` in bin ${g}` : ''} (std 0); standardization would not scale them`, { field: 'dataset' });
    }
  });
  return { ...template, mean: m.mean, std, count: m.n[0] };
}
