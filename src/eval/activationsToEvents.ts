import { ShapeError } from '../errors.js';
import { DEFAULT_CLASS_NAMES, DEFAULT_FRAME_RATE, type DrumEvent } from '../types.js';
import { normalizeActivations, type ActivationsInput } from './activations.js';
import { peakPickNormalized, resolvePeakOptions, type PeakPickOptions, type PeakPickResult } from './peakPick.js';
import { readClassNames, readNumber } from './validation.js';

/** Options of {@link activationsToEvents}: peak picking plus the time axis and vocabulary. */
export interface ActivationsToEventsOptions extends PeakPickOptions {
  /**
   * Frame rate of the activations [frames / s]; frame n is at `n / frameRate` seconds.
   * @defaultValue 100
   */
  frameRate?: number;
  /**
   * Class names in class-index order (e.g. `mapping.classNames` of an adtkit/io class
   * mapping); must have one name per activation class.
   * @defaultValue DEFAULT_CLASS_NAMES (KD, SD, TT, HH, CY)
   */
  classNames?: readonly string[];
  /**
   * Time of frame 0 [s], e.g. the start of a segment within a longer recording.
   * @defaultValue 0
   */
  startTimeSeconds?: number;
}

/** Turns per-class peaks into events sorted by time, then class (internal). */
export function peaksToEvents(
  peaks: PeakPickResult,
  frameRate: number,
  classNames: readonly string[],
  startTimeSeconds = 0,
): DrumEvent[] {
  const events: { frame: number; event: DrumEvent }[] = [];
  for (let c = 0; c < peaks.classes; c++) {
    const frames = peaks.peakFrames[c];
    const heights = peaks.peakHeights[c];
    for (let i = 0; i < frames.length; i++) {
      events.push({
        frame: frames[i],
        event: { timeSeconds: startTimeSeconds + frames[i] / frameRate, classIndex: c, className: classNames[c], velocity: heights[i] },
      });
    }
  }
  // Stable sort by frame: classes stay in index order within a frame.
  events.sort((x, y) => x.frame - y.frame);
  return events.map((x) => x.event);
}

/**
 * Peak-picks activations and returns drum events: one event per onset, at
 * `startTimeSeconds + frame / frameRate` seconds, with the class name from `classNames` and
 * `velocity` = the activation at the peak (the peak height, in [0, 1] for sigmoid outputs).
 * Events are sorted by time, then class index.
 *
 * @param activations - a curve [frames], a frame-major {@link ActivationMatrix}
 *   [frames × classes] or rows `number[frame][class]`, finite.
 * @param options - peak picking ({@link PeakPickOptions}), frame rate and class names.
 * @returns the events, sorted by time.
 * @throws {@link ShapeError} if the number of classes differs from `classNames.length`.
 * @throws {@link NonFiniteError} if an activation is NaN or infinite.
 * @throws {@link InvalidArgumentError} for unknown options or values out of range.
 * @example
 * ```ts
 * import { activationsToEvents } from 'adtkit/eval';
 * const rows = [[0, 0], [0.9, 0], [0, 0.8], [0, 0]];
 * activationsToEvents(rows, { classNames: ['KD', 'SD'] });
 * // [{ timeSeconds: 0.01, classIndex: 0, className: 'KD', velocity: 0.9 },
 * //  { timeSeconds: 0.02, classIndex: 1, className: 'SD', velocity: 0.8 }]
 * ```
 */
export function activationsToEvents(activations: ActivationsInput, options: ActivationsToEventsOptions = {}): DrumEvent[] {
  const where = 'activationsToEvents';
  const { resolved, record } = resolvePeakOptions(options, where, ['frameRate', 'classNames', 'startTimeSeconds']);
  const frameRate = readNumber(record, 'frameRate', DEFAULT_FRAME_RATE, where, Number.MIN_VALUE);
  const startTimeSeconds = readNumber(record, 'startTimeSeconds', 0, where, 0);
  const classNames = readClassNames(record, 'classNames', DEFAULT_CLASS_NAMES, where);
  const act = normalizeActivations(activations, where);
  if (act.classes !== classNames.length) {
    throw new ShapeError(
      `${where}: activations have ${act.classes} class${act.classes === 1 ? '' : 'es'} but classNames has ${classNames.length} ` +
        `([${classNames.join(', ')}]); pass classNames with one name per activation column`,
      { field: 'classNames' },
    );
  }
  return peaksToEvents(peakPickNormalized(act, resolved), frameRate, classNames, startTimeSeconds);
}
