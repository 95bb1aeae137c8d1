import { checkOptionKeys, checkTimes, DEFAULT_MAX_TIME_SECONDS, readChoice, readNumber } from './validation.js';

/** How {@link combineOnsetTimes} merges two close onsets. */
export type CombineMode = 'left' | 'right' | 'mean';

/** Options of {@link combineOnsetTimes}. */
export interface CombineOnsetTimesOptions {
  /**
   * Onsets at most this far after the onset kept before them are merged into it [s].
   * @defaultValue 0.03
   */
  combineSeconds?: number;
  /**
   * `'left'` keeps the earlier onset, `'right'` the later, `'mean'` their mean.
   * @defaultValue 'left'
   */
  mode?: CombineMode;
}

/** madmom `utils.combine_events` on checked input (internal). */
export function combineTimes(times: ArrayLike<number>, combineSeconds: number, mode: CombineMode): Float64Array {
  const out = Float64Array.from(times as ArrayLike<number>);
  if (out.length <= 1) return out;
  // madmom adds 1e-12 "otherwise we end up in floating point hell".
  const delta = combineSeconds + 1e-12;
  let idx = 0;
  for (let i = 1; i < out.length; i++) {
    const right = out[i];
    if (right - out[idx] > delta) {
      idx++;
      out[idx] = right;
    } else if (mode === 'mean') {
      out[idx] = 0.5 * (right + out[idx]);
    } else if (mode === 'right') {
      out[idx] = right;
    }
  }
  return out.slice(0, idx + 1);
}

/**
 * Merges onsets closer than `combineSeconds`, as madmom's `utils.combine_events`: walking the
 * sorted times, an onset more than `combineSeconds` (+ 1e-12) after the current kept onset
 * starts a new one; otherwise it is merged into the kept onset (`'left'`: dropped). Distances
 * are measured from the kept onset, so a dense run keeps every onset that is more than
 * `combineSeconds` after the previously kept one.
 *
 * @param timesSeconds - onset times [s], sorted increasing, >= 0.
 * @param options - see {@link CombineOnsetTimesOptions}.
 * @returns the combined times [s].
 * @throws {@link InvalidArgumentError} for unsorted or negative times, a negative
 *   `combineSeconds`, or unknown options.
 * @throws {@link NonFiniteError} for NaN or infinite times.
 */
export function combineOnsetTimes(
  timesSeconds: Float64Array | Float32Array | readonly number[],
  options: CombineOnsetTimesOptions = {},
): Float64Array {
  const where = 'combineOnsetTimes';
  const record = checkOptionKeys(options, ['combineSeconds', 'mode'], where, { combine: 'combineSeconds', delta: 'combineSeconds' });
  const combineSeconds = readNumber(record, 'combineSeconds', 0.03, where, 0);
  const mode = readChoice(record, 'mode', ['left', 'right', 'mean'] as const, 'left', where);
  const times = checkTimes(timesSeconds, 'timesSeconds', where, DEFAULT_MAX_TIME_SECONDS);
  return combineTimes(times, combineSeconds, mode);
}
