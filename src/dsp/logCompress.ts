/** Logarithmic magnitude compression. */
import type { Spectrogram } from './spectrogram.js';
import { assertMatrix, assertOptions, assertPositiveNumber } from './validate.js';
import { InvalidArgumentError } from '../errors.js';

/** Options of {@link logCompress}. */
export interface LogCompressOptions {
  /** Factor applied before the logarithm. @defaultValue 1 */
  mul?: number;
  /** Offset added before the logarithm (keeps log finite at 0). @defaultValue 1 */
  add?: number;
}

/**
 * `log10(mul * x + add)` of every value (madmom's `LogarithmicSpectrogram(mul, add)`; with
 * the defaults the `log10(x + 1)` of both presets).
 * @param spectrogram - linear magnitudes (or powers) `[frames, bins]`
 * @param options - see {@link LogCompressOptions}
 * @returns a new spectrogram with `scale: 'log'`
 * @throws {@link InvalidArgumentError} on bad options or when `mul * x + add <= 0` somewhere.
 */
export function logCompress<T extends Spectrogram>(spectrogram: T, options: LogCompressOptions = {}): T {
  assertMatrix(spectrogram, 'spectrogram');
  assertOptions(options);
  const mul = options.mul ?? 1;
  const add = options.add ?? 1;
  assertPositiveNumber(mul, 'options.mul');
  assertPositiveNumber(add, 'options.add');
  const input = spectrogram.data;
  const out = new Float32Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const v = mul * input[i] + add;
    if (!(v > 0)) {
      throw new InvalidArgumentError(`spectrogram.data[${i}] = ${input[i]} gives log10(${v}); expected non-negative magnitudes`, { field: 'spectrogram' });
    }
    out[i] = Math.log10(v);
  }
  return { ...spectrogram, data: out, scale: 'log' };
}
