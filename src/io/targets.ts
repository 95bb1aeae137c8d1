/**
 * Onset events → frame-wise training targets (SPEC §3).
 *
 * Frame index of an onset at `t` seconds = round-half-even(t / 10 * (10 · frameRate)),
 * evaluated in double precision in exactly that order; for 100 fps this is the thesis
 * reference's `int(round(float(t) / 10 * 1000))` bit for bit (0.125 → 12, 0.035 → 4,
 * 0.105 → 10). Targets are frame-major `[frames × classes]` Float32Arrays: 1 at an onset,
 * 0 elsewhere; {@link widenTargets} then adds the 0.5 neighbours.
 */
import { AnnotationError, InvalidArgumentError } from '../errors.js';
import { DEFAULT_CLASS_NAMES, DEFAULT_FRAME_RATE, type DrumEvent } from '../types.js';
import { roundHalfEven } from '../numeric.js';

export { roundHalfEven } from '../numeric.js';

/**
 * Frame index of a time, as the thesis reference computes it.
 *
 * @param timeSeconds - time [s]
 * @param frameRate - frames per second [Hz] @defaultValue 100
 * @returns round-half-even(timeSeconds / 10 * (10 · frameRate)); for 100 fps exactly
 *   `round(t / 10 * 1000)` in double precision
 */
export function timeToFrame(timeSeconds: number, frameRate: number = DEFAULT_FRAME_RATE): number {
  return roundHalfEven((timeSeconds / 10) * (frameRate * 10));
}

/** Frame-wise targets with their metadata. */
export interface FrameTargets {
  /** Values, frame-major: `data[frame * classes + classIndex]` [frames × classes]. */
  data: Float32Array;
  /** Number of frames. */
  frames: number;
  /** Number of classes. */
  classes: number;
  /** Frames per second [Hz]. */
  frameRate: number;
  /** Class names, `classes` of them. */
  classNames: readonly string[];
}

/** Largest target array eventsToTargets allocates (1 GiB of float32), against runaway time units. */
const MAX_TARGET_VALUES = 2 ** 28;

/** What to do with an onset whose frame is not below `numFrames`. */
export type OutOfRangePolicy = 'drop' | 'extend' | 'error';

/** Options of {@link eventsToTargets}. */
export interface EventsToTargetsOptions {
  /**
   * Number of frames of the targets (e.g. the spectrogram's frame count).
   * @defaultValue one past the frame of the last onset (0 without events)
   */
  numFrames?: number;
  /** Class names; their count is the number of classes. @defaultValue `DEFAULT_CLASS_NAMES` */
  classNames?: readonly string[];
  /** Frames per second [Hz]. @defaultValue 100 */
  frameRate?: number;
  /**
   * Onsets at frame ≥ `numFrames`: `'drop'` them with a warning, `'extend'` the targets to
   * hold them, or `'error'` (the thesis reference raises, so this reproduces it).
   * @defaultValue `'drop'`
   */
  outOfRange?: OutOfRangePolicy;
  /** Called once per call with a summary when onsets are dropped. @defaultValue none */
  onWarning?: (message: string) => void;
}

/** Result of {@link eventsToTargets}. */
export interface EventsToTargetsResult extends FrameTargets {
  /** Number of events dropped because their frame was out of range. */
  droppedEvents: number;
  /** Warning messages (also passed to `onWarning`). */
  warnings: string[];
}

function checkFrameRate(frameRate: unknown, fn: string): number {
  if (typeof frameRate !== 'number' || !Number.isFinite(frameRate) || frameRate <= 0) {
    throw new InvalidArgumentError(`${fn}: frameRate must be a positive number of frames per second, got ${String(frameRate)}`, { field: 'frameRate' });
  }
  return frameRate;
}

function checkClassNames(classNames: unknown, fn: string): readonly string[] {
  if (!Array.isArray(classNames) || classNames.length === 0 || !classNames.every((c) => typeof c === 'string')) {
    throw new InvalidArgumentError(`${fn}: classNames must be a non-empty array of strings, got ${JSON.stringify(classNames)}`, { field: 'classNames' });
  }
  return classNames;
}

/**
 * Checks an event list: an array of objects with a finite, non-negative `timeSeconds` and an
 * integer `classIndex` in `[0, numClasses)`.
 * @internal
 */
export function validateEvents(events: unknown, numClasses: number, fn: string): asserts events is DrumEvent[] {
  if (!Array.isArray(events)) {
    throw new InvalidArgumentError(`${fn}: events must be an array of { timeSeconds, classIndex }, got ${events === null ? 'null' : typeof events}`, { field: 'events' });
  }
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as Partial<DrumEvent> | null;
    if (typeof e !== 'object' || e === null) {
      throw new InvalidArgumentError(`${fn}: events[${i}] must be an object { timeSeconds, classIndex }, got ${e === null ? 'null' : typeof e}`, { field: `events[${i}]` });
    }
    const t = e.timeSeconds;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
      throw new InvalidArgumentError(
        `${fn}: events[${i}].timeSeconds must be a finite time >= 0 in seconds, got ${String(t)}` +
          (typeof t === 'number' && t > 1e4 ? ' (milliseconds instead of seconds?)' : ''),
        { field: `events[${i}].timeSeconds` },
      );
    }
    const c = e.classIndex;
    if (typeof c !== 'number' || !Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new InvalidArgumentError(`${fn}: events[${i}].classIndex must be an integer in [0, ${numClasses}), got ${String(c)}`, { field: `events[${i}].classIndex` });
    }
    if (e.velocity !== undefined && (typeof e.velocity !== 'number' || !(e.velocity >= 0 && e.velocity <= 1))) {
      throw new InvalidArgumentError(`${fn}: events[${i}].velocity must be in [0, 1] when given, got ${String(e.velocity)}`, { field: `events[${i}].velocity` });
    }
  }
}

/**
 * Onset events → frame targets: 1 in the frame of each onset, 0 elsewhere. Two onsets of
 * one class in one frame count once. No widening (see {@link widenTargets}).
 *
 * @param events - onsets; `timeSeconds` [s] ≥ 0, `classIndex` in `[0, classNames.length)`;
 *   any order. For the thesis' MIDI behaviour pass times through `Math.fround` first
 *   (`parseMidiAnnotations(..., { timePrecision: 'float32' })` does).
 * @param options - see {@link EventsToTargetsOptions}
 * @returns targets `[frames × classes]` (frame-major Float32Array) with metadata and warnings
 * @throws {@link InvalidArgumentError} for malformed events or options, or targets of more
 *   than 2^28 values (usually times given in milliseconds)
 * @throws {@link AnnotationError} with `outOfRange: 'error'` when an onset's frame is ≥ `numFrames`
 */
export function eventsToTargets(events: readonly DrumEvent[], options: EventsToTargetsOptions = {}): EventsToTargetsResult {
  const fn = 'eventsToTargets';
  const frameRate = checkFrameRate(options.frameRate ?? DEFAULT_FRAME_RATE, fn);
  const classNames = checkClassNames(options.classNames ?? DEFAULT_CLASS_NAMES, fn);
  const classes = classNames.length;
  validateEvents(events, classes, fn);
  const outOfRange = options.outOfRange ?? 'drop';
  if (outOfRange !== 'drop' && outOfRange !== 'extend' && outOfRange !== 'error') {
    throw new InvalidArgumentError(`${fn}: outOfRange must be 'drop', 'extend' or 'error', got ${JSON.stringify(outOfRange)}`, { field: 'outOfRange' });
  }

  const frameOf = new Array<number>(events.length);
  let maxFrame = -1;
  for (let i = 0; i < events.length; i++) {
    const f = timeToFrame(events[i].timeSeconds, frameRate);
    frameOf[i] = f;
    if (f > maxFrame) maxFrame = f;
  }

  let frames: number;
  if (options.numFrames === undefined) {
    frames = maxFrame + 1;
  } else {
    const n = options.numFrames;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw new InvalidArgumentError(`${fn}: numFrames must be a non-negative integer, got ${String(n)}`, { field: 'numFrames' });
    }
    frames = outOfRange === 'extend' ? Math.max(n, maxFrame + 1) : n;
  }

  if (frames * classes > MAX_TARGET_VALUES) {
    throw new InvalidArgumentError(
      `${fn}: targets of ${frames} frames × ${classes} classes (last onset at ${frames / frameRate} s) exceed ` +
        `${MAX_TARGET_VALUES} values; are the times in milliseconds instead of seconds?`,
      { field: options.numFrames !== undefined && outOfRange !== 'extend' ? 'numFrames' : 'events' },
    );
  }
  const data = new Float32Array(frames * classes);
  let dropped = 0;
  let firstDropped = -1;
  for (let i = 0; i < events.length; i++) {
    const f = frameOf[i];
    if (f >= frames) {
      if (outOfRange === 'error') {
        throw new AnnotationError(
          `${fn}: the onset at ${events[i].timeSeconds} s (events[${i}], class ${events[i].classIndex}) falls in frame ${f}, ` +
            `but the targets have ${frames} frames (size is ${frames} but found index ${f}); ` +
            `pass a larger numFrames, or outOfRange: 'drop' or 'extend'`,
          { field: `events[${i}].timeSeconds` },
        );
      }
      if (firstDropped < 0) firstDropped = i;
      dropped++;
      continue;
    }
    data[f * classes + events[i].classIndex] = 1;
  }

  const warnings: string[] = [];
  if (dropped > 0) {
    const e = events[firstDropped];
    warnings.push(
      `${fn}: dropped ${dropped} onset(s) beyond the last frame (${frames} frames = ${frames / frameRate} s); ` +
        `first: ${e.timeSeconds} s → frame ${frameOf[firstDropped]} (class ${e.classIndex})`,
    );
  }
  for (const w of warnings) options.onWarning?.(w);
  return { data, frames, classes, frameRate, classNames: [...classNames], droppedEvents: dropped, warnings };
}

/** Options of {@link widenTargets}. */
export interface WidenTargetsOptions {
  /** Frames on each side of an onset that get `value`. @defaultValue 1 */
  radius?: number;
  /** Value given to the neighbours of an onset (frames that are onsets themselves keep theirs). @defaultValue 0.5 */
  value?: number;
}

/**
 * Target widening (SPEC §3): every frame within `radius` frames of an onset of the same
 * class gets `value` unless it is an onset itself. For radius 1 and value 0.5 this equals
 * the reference's `y += 0.5 * (maxpool1d(y, k=3, stride=1, pad=1) - y)` on 0/1 targets.
 * In general `out[t] = max(y[t], value · max_{0<|d|≤radius} y[t+d])`.
 *
 * @param targets - frame targets (not modified)
 * @param options - see {@link WidenTargetsOptions}
 * @returns new targets with the same metadata
 * @throws {@link InvalidArgumentError} for a negative or non-integer radius, a non-finite value
 *   or targets whose data length is not frames × classes
 */
export function widenTargets<T extends FrameTargets>(targets: T, options: WidenTargetsOptions = {}): T {
  const fn = 'widenTargets';
  const radius = options.radius ?? 1;
  const value = options.value ?? 0.5;
  if (!Number.isInteger(radius) || radius < 0) {
    throw new InvalidArgumentError(`${fn}: radius must be a non-negative integer number of frames, got ${String(radius)}`, { field: 'radius' });
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${fn}: value must be a finite number, got ${String(value)}`, { field: 'value' });
  }
  const { data, frames, classes } = targets ?? ({} as T);
  if (!(data instanceof Float32Array) || !Number.isInteger(frames) || !Number.isInteger(classes) || data.length !== frames * classes) {
    throw new InvalidArgumentError(
      `${fn}: targets must be { data: Float32Array, frames, classes } with data.length = frames × classes, ` +
        `got data length ${data?.length}, frames ${String(frames)}, classes ${String(classes)}`,
      { field: 'targets' },
    );
  }
  const out = new Float32Array(data);
  for (let c = 0; c < classes; c++) {
    for (let t = 0; t < frames; t++) {
      let m = -Infinity;
      const lo = Math.max(0, t - radius);
      const hi = Math.min(frames - 1, t + radius);
      for (let u = lo; u <= hi; u++) if (u !== t && data[u * classes + c] > m) m = data[u * classes + c];
      if (m === -Infinity) continue; // no neighbour (radius 0 or a single frame)
      const widened = Math.fround(value * m);
      if (widened > out[t * classes + c]) out[t * classes + c] = widened;
    }
  }
  return { ...targets, data: out };
}
