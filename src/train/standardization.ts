/**
 * Fitting the input standardization on a (possibly disk-backed) training set, streaming.
 */
import { InvalidArgumentError } from '../errors.js';
import { iterateDataset } from './dataset.js';
import type { SegmentDataset, Standardization } from './dataset.js';

/** Options of {@link fitDatasetStandardization}. */
export interface FitDatasetStandardizationOptions {
  /** One mean/std per bin instead of one scalar each (the thesis uses scalars). @defaultValue false */
  perBin?: boolean;
}

/**
 * Mean and standard deviation of every feature value of a dataset (the thesis: one scalar
 * each, fitted on the training set only; std with Bessel's correction like `torch.std`).
 * Two streaming passes in double precision, so the dataset need not fit in memory.
 *
 * @param dataset - the training segments.
 * @param options - see {@link FitDatasetStandardizationOptions}.
 * @returns `{ mean, std }` (scalars, or Float32Arrays of one value per bin).
 * @throws InvalidArgumentError when the dataset is empty or constant (std 0).
 */
export async function fitDatasetStandardization(dataset: SegmentDataset, options: FitDatasetStandardizationOptions = {}): Promise<Standardization> {
  const bins = dataset.bins;
  const perBin = options.perBin ?? false;
  const groups = perBin ? bins : 1;
  const sums = new Float64Array(groups);
  const counts = new Float64Array(groups);
  for await (const batch of iterateDataset(dataset)) {
    const f = batch.features;
    if (perBin) {
      for (let i = 0; i < f.length; i++) sums[i % bins] += f[i];
      for (let b = 0; b < bins; b++) counts[b] += f.length / bins;
    } else {
      let s = 0;
      for (let i = 0; i < f.length; i++) s += f[i];
      sums[0] += s;
      counts[0] += f.length;
    }
  }
  if (counts[0] < 2) {
    throw new InvalidArgumentError(`cannot fit a standardization on ${counts[0]} values; the training set is empty`, { field: 'dataset' });
  }
  const means = sums.map((s, g) => s / counts[g]);
  const squares = new Float64Array(groups);
  for await (const batch of iterateDataset(dataset)) {
    const f = batch.features;
    for (let i = 0; i < f.length; i++) {
      const g = perBin ? i % bins : 0;
      const d = f[i] - means[g];
      squares[g] += d * d;
    }
  }
  const stds = squares.map((s, g) => Math.sqrt(s / (counts[g] - 1)));
  for (let g = 0; g < groups; g++) {
    if (!(stds[g] > 0)) {
      throw new InvalidArgumentError(`the training features are constant${perBin ? ` in bin ${g}` : ''} (std 0); standardization would divide by zero`, { field: 'dataset' });
    }
  }
  return perBin ? { mean: Float32Array.from(means), std: Float32Array.from(stds) } : { mean: Math.fround(means[0]), std: Math.fround(stds[0]) };
}
