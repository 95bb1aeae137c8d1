import { ShapeError } from '../errors.js';
import { normalizeActivations, type ActivationCurve } from './activations.js';
import { combineTimes } from './combineOnsetTimes.js';
import { madmomPeakPicking, MADMOM_HINTS } from './madmomPeakPicking.js';
import { checkOptionKeys, readNumber, roundHalfEven } from './validation.js';

/** Options of {@link madmomOnsetPeakPicking}: madmom `OnsetPeakPickingProcessor` arguments in seconds. */
export interface MadmomOnsetPeakPickingOptions {
  /**
   * Detection threshold (madmom `threshold`).
   * @defaultValue 0.5
   */
  threshold?: number;
  /**
   * Smoothing window (madmom `smooth`) [s]; `round(smoothSeconds * frameRate)` frames.
   * @defaultValue 0
   */
  smoothSeconds?: number;
  /**
   * Past part of the moving average (madmom `pre_avg`) [s].
   * @defaultValue 0
   */
  preAvgSeconds?: number;
  /**
   * Future part of the moving average (madmom `post_avg`) [s].
   * @defaultValue 0
   */
  postAvgSeconds?: number;
  /**
   * Past part of the moving maximum (madmom `pre_max`) [s].
   * @defaultValue 0
   */
  preMaxSeconds?: number;
  /**
   * Future part of the moving maximum (madmom `post_max`) [s].
   * @defaultValue 0
   */
  postMaxSeconds?: number;
  /**
   * Report only one onset within this time, keeping the first (madmom `combine`) [s]; 0 = off.
   * @defaultValue 0.03
   */
  combineSeconds?: number;
  /**
   * Shift added to every onset (madmom `delay`) [s].
   * @defaultValue 0
   */
  delaySeconds?: number;
  /**
   * Frame rate of the activations (madmom `fps`) [frames / s].
   * @defaultValue 100
   */
  frameRate?: number;
}

/**
 * madmom's `OnsetPeakPickingProcessor(...)(activations)` in offline mode: the window lengths
 * in seconds become `np.round(seconds * fps)` frames (half to even), {@link madmomPeakPicking}
 * finds the peaks, each peak frame becomes `frame / fps + delay` seconds, and onsets within
 * `combineSeconds` of the previous kept one are dropped (`combine_events(..., 'left')`,
 * see {@link combineOnsetTimes}).
 *
 * @param activations - one onset activation curve [frames], finite.
 * @param options - see {@link MadmomOnsetPeakPickingOptions}.
 * @returns onset times [s], increasing.
 * @throws {@link InvalidArgumentError} for negative durations, a smoothing window of one
 *   frame, a non-positive frame rate, or unknown options.
 * @throws {@link ShapeError} for a matrix (use one column) or a smoothing window longer than the input.
 * @throws {@link NonFiniteError} if an activation is NaN or infinite.
 */
export function madmomOnsetPeakPicking(activations: ActivationCurve, options: MadmomOnsetPeakPickingOptions = {}): Float64Array {
  const where = 'madmomOnsetPeakPicking';
  const keys = ['threshold', 'smoothSeconds', 'preAvgSeconds', 'postAvgSeconds', 'preMaxSeconds', 'postMaxSeconds', 'combineSeconds', 'delaySeconds', 'frameRate'];
  const hints: Record<string, string> = {
    fps: 'frameRate',
    combine: 'combineSeconds',
    delay: 'delaySeconds',
    smooth: 'smoothSeconds',
    pre_avg: 'preAvgSeconds',
    post_avg: 'postAvgSeconds',
    pre_max: 'preMaxSeconds',
    post_max: 'postMaxSeconds',
  };
  for (const [madmomName, ours] of Object.entries(MADMOM_HINTS)) if (!(madmomName in hints)) hints[madmomName] = ours.replace('Frames', 'Seconds');
  const record = checkOptionKeys(options, keys, where, hints);
  const threshold = readNumber(record, 'threshold', 0.5, where);
  const frameRate = readNumber(record, 'frameRate', 100, where, Number.MIN_VALUE);
  const toFrames = (key: string): number => {
    const seconds = readNumber(record, key, 0, where, 0, Infinity, ' (durations are in seconds)');
    return roundHalfEven(seconds * frameRate);
  };
  const smooth = toFrames('smoothSeconds');
  const preAvg = toFrames('preAvgSeconds');
  const postAvg = toFrames('postAvgSeconds');
  const preMax = toFrames('preMaxSeconds');
  const postMax = toFrames('postMaxSeconds');
  const combineSeconds = readNumber(record, 'combineSeconds', 0.03, where, 0);
  const delaySeconds = readNumber(record, 'delaySeconds', 0, where);
  const act = normalizeActivations(activations, where);
  if (act.classes !== 1) {
    throw new ShapeError(`${where}: activations must be one curve; pick one column of the ${act.classes}-class matrix`, {
      field: 'activations',
    });
  }
  const peaks = madmomPeakPicking(activations, {
    threshold,
    smoothFrames: smooth,
    preAvgFrames: preAvg,
    postAvgFrames: postAvg,
    preMaxFrames: preMax,
    postMaxFrames: postMax,
  });
  const onsets = new Float64Array(peaks.frames.length);
  for (let i = 0; i < onsets.length; i++) {
    onsets[i] = peaks.frames[i] / frameRate;
    if (delaySeconds !== 0) onsets[i] += delaySeconds;
  }
  return combineSeconds !== 0 ? combineTimes(onsets, combineSeconds, 'left') : onsets;
}
