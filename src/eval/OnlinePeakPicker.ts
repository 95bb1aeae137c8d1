import { InvalidArgumentError, ShapeError } from '../errors.js';
import { DEFAULT_CLASS_NAMES } from '../types.js';
import { normalizeActivations, type ActivationsInput } from './activations.js';
import { passesPeakTests } from './peakCore.js';
import { resolvePeakOptions, type PeakPickOptions, type ResolvedPeakOptions } from './peakPick.js';
import { isNumericArray, readBoolean, readInteger, show } from './validation.js';

/** Options of {@link OnlinePeakPicker}. */
export interface OnlinePeakPickerOptions extends Omit<PeakPickOptions, 'compat' | 'causal'> {
  /**
   * Number of classes (activation columns) of every pushed frame.
   * @defaultValue 5 (DEFAULT_CLASS_NAMES.length)
   */
  classes?: number;
  /**
   * `true`: Böck's online mode, windows end at the current frame, latency 0 frames.
   * `false`: the offline rules of {@link peakPick} (symmetric windows), decided as soon as the
   * look-ahead has arrived, latency max(m, a) frames.
   * @defaultValue true
   */
  causal?: boolean;
}

/** An onset found by the {@link OnlinePeakPicker}. */
export interface StreamPeak {
  /** Absolute frame index since the start (or the last reset). */
  frame: number;
  /** Class index (activation column). */
  classIndex: number;
  /** Activation at the peak. */
  height: number;
}

/**
 * Streaming peak picker: push activation frames chunk by chunk, get onsets as soon as they
 * are certain. The decisions are exactly those of {@link peakPick} with the same options (and
 * the same `causal` flag) on the whole stream, whatever the chunking.
 *
 * Latency ({@link OnlinePeakPicker.latencyFrames}): with `causal: true` (default) the windows
 * only look back (`max(a_{n-m}..a_n)`, mean of `a_{n-a}..a_n`), so an onset at frame n is
 * returned by the push that delivers frame n: 0 frames. With `causal: false` frame n needs
 * frames up to n + max(m, a), so it is returned max(m, a) frames later (20 ms with the
 * defaults at 100 fps); {@link OnlinePeakPicker.flush} decides the last frames at the end of
 * the stream, treating the frames after it as zeros as the offline picker does.
 *
 * Memory is O((m + a) × classes) whatever the stream length.
 *
 * @example
 * ```ts
 * import { OnlinePeakPicker } from 'adtkit/eval';
 * const picker = new OnlinePeakPicker({ classes: 1 });
 * picker.push(new Float32Array([0, 0.2, 0.9])); // [{ frame: 2, classIndex: 0, height: 0.9... }]
 * picker.push(new Float32Array([0.3, 0]));      // []
 * ```
 */
export class OnlinePeakPicker {
  /** Number of classes of each frame. */
  readonly classes: number;
  /** Frames between the arrival of a frame and the decision about it. */
  readonly latencyFrames: number;
  private readonly params: ResolvedPeakOptions;
  /** Frames of history kept before the next frame to decide. */
  private readonly history: number;
  private buffer: Float64Array;
  /** Absolute frame index of `buffer[0]`. */
  private base = 0;
  /** Frames pushed so far. */
  private pushed = 0;
  /** Next frame to decide. */
  private next = 0;
  private lastOnset: Float64Array;
  private flushed = false;

  /**
   * @param options - peak picking ({@link PeakPickOptions} without `compat`), `classes` and `causal`.
   * @throws {@link InvalidArgumentError} for unknown options or values out of range.
   */
  constructor(options: OnlinePeakPickerOptions = {}) {
    const where = 'OnlinePeakPicker';
    if (options !== null && typeof options === 'object' && 'compat' in options) {
      throw new InvalidArgumentError(`${where}: compat is not supported (the thesis reference is offline; use peakPick)`, { field: 'compat' });
    }
    const { resolved, record } = resolvePeakOptions(options, where, ['classes']);
    this.params = { ...resolved, causal: readBoolean(record, 'causal', true, where) };
    this.classes = readInteger(record, 'classes', DEFAULT_CLASS_NAMES.length, where, 1);
    const radius = Math.max(this.params.maxRadius, this.params.meanRadius);
    this.latencyFrames = this.params.causal ? 0 : radius;
    this.history = radius;
    const capacity = Math.max(64, 4 * (radius + this.latencyFrames + 1));
    this.buffer = new Float64Array(capacity * this.classes);
    this.lastOnset = new Float64Array(this.classes).fill(-Infinity);
  }

  /** Frames pushed since the start or the last reset. */
  get framesPushed(): number {
    return this.pushed;
  }

  /**
   * Adds frames and returns the onsets that became certain, sorted by frame then class.
   *
   * @param frames - a frame-major Float32Array / Float64Array / number[] whose length is a
   *   multiple of `classes`, a {@link ActivationMatrix} with the same number of classes, or
   *   rows `number[frame][class]`. Values must be finite.
   * @returns new onsets (frame indices count from the first pushed frame).
   * @throws {@link ShapeError} if the chunk does not hold whole frames of `classes` values.
   * @throws {@link NonFiniteError} for NaN or infinite values.
   * @throws {@link InvalidArgumentError} after {@link OnlinePeakPicker.flush} (call reset first).
   */
  push(frames: ActivationsInput): StreamPeak[] {
    const where = 'OnlinePeakPicker.push';
    if (this.flushed) {
      throw new InvalidArgumentError(`${where}: the stream was flushed; call reset() before pushing a new stream`);
    }
    let data: ArrayLike<number>;
    let count: number;
    if (isNumericArray(frames) && this.classes > 1) {
      if (frames.length % this.classes !== 0) {
        throw new ShapeError(
          `${where}: a flat chunk of ${frames.length} values is not a whole number of frames of ${this.classes} classes`,
          { field: 'frames' },
        );
      }
      const act = normalizeActivations({ data: frames, frames: frames.length / this.classes, classes: this.classes }, where, 'frames');
      data = act.data;
      count = act.frames;
    } else {
      const act = normalizeActivations(frames, where, 'frames');
      if (act.classes !== this.classes) {
        throw new ShapeError(`${where}: frames have ${act.classes} classes, the picker was made for ${this.classes}`, { field: 'frames' });
      }
      data = act.data;
      count = act.frames;
    }
    const out: StreamPeak[] = [];
    const C = this.classes;
    for (let f = 0; f < count; f++) {
      this.append(data, f * C);
      while (this.next + this.latencyFrames < this.pushed) this.decide(this.next++, this.pushed, out);
    }
    return out;
  }

  /**
   * Ends the stream: decides the last `latencyFrames` frames (frames after the end count as
   * zeros, as in {@link peakPick}). Returns [] for a causal picker. Call `reset()` to start a
   * new stream.
   *
   * @returns the remaining onsets.
   */
  flush(): StreamPeak[] {
    const out: StreamPeak[] = [];
    if (!this.flushed) {
      while (this.next < this.pushed) this.decide(this.next++, this.pushed, out);
      this.flushed = true;
    }
    return out;
  }

  /** Forgets the stream: the next push starts again at frame 0. */
  reset(): void {
    this.base = 0;
    this.pushed = 0;
    this.next = 0;
    this.flushed = false;
    this.lastOnset.fill(-Infinity);
  }

  private append(data: ArrayLike<number>, offset: number): void {
    const C = this.classes;
    const capacityFrames = this.buffer.length / C;
    if (this.pushed - this.base >= capacityFrames) {
      // Keep only the frames still needed: the history of the next frame to decide and after.
      const keepFrom = Math.max(this.base, this.next - this.history);
      this.buffer.copyWithin(0, (keepFrom - this.base) * C, (this.pushed - this.base) * C);
      this.base = keepFrom;
      if (this.pushed - this.base >= capacityFrames) {
        // Cannot happen (capacity > history + latency + 1), kept as a guard.
        throw new Error(`OnlinePeakPicker: internal buffer overflow (${show(this.pushed - this.base)} frames)`);
      }
    }
    const at = (this.pushed - this.base) * C;
    for (let c = 0; c < C; c++) this.buffer[at + c] = data[offset + c];
    this.pushed++;
  }

  private decide(n: number, end: number, out: StreamPeak[]): void {
    const C = this.classes;
    for (let c = 0; c < C; c++) {
      if (n - this.lastOnset[c] >= this.params.minDistance && passesPeakTests(this.buffer, C, c, this.base, end, n, this.params)) {
        this.lastOnset[c] = n;
        out.push({ frame: n, classIndex: c, height: this.buffer[(n - this.base) * C + c] });
      }
    }
  }
}
