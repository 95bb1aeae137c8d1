/**
 * Framing: where each analysis frame of a signal starts, and reading frames out of a
 * signal with padding at its edges. Shared by {@link frameSignal} and the STFT.
 *
 * Conventions (sample indices are 0-based):
 * - `'center'` (torch / librosa `center=True`): frame `i` is centred on sample `i * hop`;
 *   the signal is padded by half a frame at both ends (`padMode` `'reflect'` or
 *   `'constant'` zeros); `1 + floor(N / hop)` frames.
 * - `'start'` (`center=False`): frame `i` starts at sample `i * hop`; only frames that lie
 *   entirely inside the signal: `1 + floor((N - frameLength) / hop)` frames.
 * - `'madmom'` (madmom `FramedSignal`, origin 0): frame `i` is centred on sample
 *   `floor(i * hop)` (the hop may be fractional, e.g. 220.5), i.e. it starts at
 *   `floor(i * hop) - floor(frameLength / 2)`; zeros outside the signal;
 *   `ceil(N / hop)` frames.
 */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import {
  assertOneOf,
  assertOptions,
  assertPositiveInteger,
  assertPositiveNumber,
  checkSignal,
  type SignalLike,
} from './validate.js';

/** Where frames are anchored; see the module comment. */
export type Framing = 'center' | 'start' | 'madmom';

/** How `'center'` framing pads the signal edges. */
export type PadMode = 'reflect' | 'constant';

/** All framings, for validation messages. */
export const FRAMINGS: readonly Framing[] = ['center', 'start', 'madmom'];

/** All pad modes, for validation messages. */
export const PAD_MODES: readonly PadMode[] = ['reflect', 'constant'];

/**
 * Number of frames of a signal of `numSamples` samples.
 * @param numSamples - signal length [samples]
 * @param framing - see {@link Framing}
 * @param hopLength - hop [samples] (fractional only with `'madmom'`)
 * @param frameLength - frame length [samples] (only used by `'start'`)
 * @returns frame count (0 when a `'start'` frame does not fit)
 */
export function countFrames(numSamples: number, framing: Framing, hopLength: number, frameLength: number): number {
  switch (framing) {
    case 'center':
      return 1 + Math.floor(numSamples / hopLength);
    case 'start':
      return numSamples >= frameLength ? 1 + Math.floor((numSamples - frameLength) / hopLength) : 0;
    case 'madmom':
      return Math.ceil(numSamples / hopLength);
  }
}

/**
 * Index of the first sample of frame `frameIndex` (may be negative or beyond the end).
 * @param offset - constant added to the frame anchor (see {@link frameOffset})
 */
export function frameStart(frameIndex: number, framing: Framing, hopLength: number, offset: number): number {
  return (framing === 'madmom' ? Math.floor(frameIndex * hopLength) : frameIndex * hopLength) + offset;
}

/**
 * Offset of a frame's first sample from its anchor (`i * hop`), for a frame of
 * `frameLength` samples placed inside an FFT buffer of `nFft` samples.
 * torch centres a window shorter than `n_fft` inside the FFT buffer; madmom puts it first
 * (and zero-pads the FFT input at the end).
 */
export function frameOffset(framing: Framing, frameLength: number, nFft: number): number {
  const inner = Math.floor((nFft - frameLength) / 2);
  switch (framing) {
    case 'center':
      return -Math.floor(nFft / 2) + inner;
    case 'start':
      return inner;
    case 'madmom':
      return -Math.floor(frameLength / 2);
  }
}

/**
 * Maps an out-of-range index into the signal by reflection about the end samples
 * (numpy `pad(mode='reflect')`, repeated for pads longer than the signal; torch's reflect
 * pad agrees wherever torch accepts the pad, i.e. pad < N).
 */
export function reflectIndex(index: number, length: number): number {
  if (length === 1) return 0;
  const period = 2 * (length - 1);
  let i = index % period;
  if (i < 0) i += period;
  return i >= length ? period - i : i;
}

/**
 * Copies `count` samples starting at `start` (any integer) into `dest[destOffset + k * stride]`,
 * multiplied by `window[k]` when given, padding outside the signal by `padMode`.
 * Hand-written rather than allocating a padded copy of the signal: the fast in-range path
 * covers all but the first and last few frames.
 */
export function readFrame(
  signal: Float32Array | Float64Array,
  start: number,
  count: number,
  padMode: PadMode,
  dest: Float64Array,
  destOffset: number,
  stride: number,
  window: Float64Array | null,
): void {
  const n = signal.length;
  if (start >= 0 && start + count <= n) {
    if (window) {
      for (let k = 0, d = destOffset; k < count; k++, d += stride) dest[d] = signal[start + k] * window[k];
    } else {
      for (let k = 0, d = destOffset; k < count; k++, d += stride) dest[d] = signal[start + k];
    }
    return;
  }
  for (let k = 0, d = destOffset; k < count; k++, d += stride) {
    const index = start + k;
    let value: number;
    if (index >= 0 && index < n) value = signal[index];
    else if (padMode === 'reflect' && n > 0) value = signal[reflectIndex(index, n)];
    else value = 0;
    dest[d] = window ? value * window[k] : value;
  }
}

/** Options of {@link frameSignal}. */
export interface FrameSignalOptions {
  /** Frame length [samples]. @defaultValue 2048 */
  frameLength?: number;
  /** Hop between frames [samples]; fractional only with `framing: 'madmom'`. @defaultValue 441 */
  hopLength?: number;
  /** Frame placement, see {@link Framing}. @defaultValue 'center' */
  framing?: Framing;
  /** Edge padding of `'center'` framing. @defaultValue 'reflect' */
  padMode?: PadMode;
}

/** Result of {@link frameSignal}: frames stored frame-major. */
export interface FrameSignalResult {
  /** Samples, `[frames, frameLength]` row-major. */
  data: Float32Array;
  /** Number of frames. */
  frames: number;
  /** Frame length [samples]. */
  frameLength: number;
  /** Hop [samples]. */
  hopLength: number;
}

/**
 * Cuts a signal into (overlapping) frames.
 * @param signal - mono samples [samples]
 * @param options - see {@link FrameSignalOptions}
 * @returns the frames, `[frames, frameLength]`
 * @throws {@link InvalidArgumentError} on bad options, {@link AudioError} on an empty signal,
 *   {@link NonFiniteError} on NaN/infinite samples, {@link ShapeError} when `'start'`
 *   framing leaves no complete frame.
 * @example
 * ```ts
 * import { frameSignal } from 'adtkit/dsp';
 * const signal = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i / 7));
 * const { data, frames } = frameSignal(signal, { frameLength: 1024, hopLength: 512 });
 * console.log(frames, data.length); // 9 9216
 * ```
 */
export function frameSignal(signal: SignalLike, options: FrameSignalOptions = {}): FrameSignalResult {
  assertOptions(options);
  const x = checkSignal(signal);
  const frameLength = options.frameLength ?? 2048;
  const hopLength = options.hopLength ?? 441;
  const framing = options.framing ?? 'center';
  const padMode = options.padMode ?? 'reflect';
  assertPositiveInteger(frameLength, 'options.frameLength');
  assertOneOf(framing, FRAMINGS, 'options.framing');
  assertOneOf(padMode, PAD_MODES, 'options.padMode');
  checkHop(hopLength, framing, 'options.hopLength');
  const frames = countFrames(x.length, framing, hopLength, frameLength);
  if (frames === 0) {
    throw new ShapeError(
      `signal has ${x.length} samples, fewer than one frame of ${frameLength} with framing 'start'; use framing 'center' or pad the signal`,
      { field: 'signal' },
    );
  }
  const offset = frameOffset(framing, frameLength, frameLength);
  const data = new Float32Array(frames * frameLength);
  const buffer = new Float64Array(frameLength);
  for (let i = 0; i < frames; i++) {
    readFrame(x, frameStart(i, framing, hopLength, offset), frameLength, framing === 'madmom' ? 'constant' : padMode, buffer, 0, 1, null);
    data.set(buffer, i * frameLength);
  }
  return { data, frames, frameLength, hopLength };
}

/** Checks a hop: a positive integer, or any positive number for madmom framing. */
export function checkHop(hopLength: unknown, framing: Framing, field: string): void {
  if (framing === 'madmom') {
    assertPositiveNumber(hopLength, field);
  } else if (typeof hopLength !== 'number' || !Number.isInteger(hopLength) || hopLength <= 0) {
    const hint = typeof hopLength === 'number' && hopLength > 0 ? " (fractional hops need framing: 'madmom')" : '';
    throw new InvalidArgumentError(`${field} must be a positive integer with framing '${framing}', got ${String(hopLength)}${hint}`, { field });
  }
}
