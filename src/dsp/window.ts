/** Analysis windows. */
import { assertPositiveInteger } from './validate.js';

/** Options of {@link hannWindow}. */
export interface HannWindowOptions {
  /**
   * Periodic (DFT-even, `0.5 - 0.5 cos(2 pi n / L)`, as `torch.hann_window` and
   * `scipy.signal.get_window('hann', L)`) or symmetric (`0.5 - 0.5 cos(2 pi n / (L - 1))`,
   * as numpy's `hanning`, used by madmom).
   * @defaultValue true
   */
  periodic?: boolean;
}

/**
 * Hann window.
 * @param length - window length [samples], a positive integer
 * @param options - see {@link HannWindowOptions}
 * @returns Float64Array [length]
 * @throws {@link InvalidArgumentError} when `length` is not a positive integer.
 */
export function hannWindow(length: number, options: HannWindowOptions = {}): Float64Array {
  assertPositiveInteger(length, 'length');
  const periodic = options.periodic ?? true;
  const window = new Float64Array(length);
  const denominator = periodic ? length : length - 1;
  if (denominator === 0) {
    window[0] = 1; // numpy.hanning(1) = [1]
    return window;
  }
  for (let n = 0; n < length; n++) window[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / denominator);
  return window;
}
