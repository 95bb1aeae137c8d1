/**
 * Padding of a signal so that its spectrogram splits into whole segments (the thesis
 * `readAudio`: 400-frame segments, zeros appended at the end).
 *
 * With centred frames (`1 + floor(N / hop)` frames) the reference computes
 * `pad = (ceil(F / 400) * 400 - 1) * hop - N` with `F = 1 + floor(N / hop)`, which gives
 * exactly `ceil(F / 400) * 400` frames. The pad is negative when `F` is already a multiple
 * of 400 and `N` is not a multiple of `hop`; the reference then **crops** up to `hop - 1`
 * samples from the end (`F.pad` with a negative pad). adtkit never drops audio by default:
 * it pads by `max(0, pad)`, which yields the same frame count. `compat: 'thesis'`
 * reproduces the reference bit for bit, including its float32 arithmetic (which matters
 * beyond 2^24 samples, about 6 minutes at 44.1 kHz).
 */
import { SEGMENT_FRAMES, thesisHopLength } from './constants.js';
import { assertOneOf, assertOptions, assertPositiveInteger, assertSampleRate, checkSignal, type SignalLike } from './validate.js';
import { InvalidArgumentError } from '../errors.js';

/** Options of {@link computeSegmentPadding} and {@link padToSegments}. */
export interface SegmentPaddingOptions {
  /** Segment length [frames]; the frame count becomes a multiple of it. @defaultValue 400 */
  segmentFrames?: number;
  /** Hop [samples]. @defaultValue `floor(sampleRate / 100)` */
  hopLength?: number;
  /**
   * `'thesis'`: reproduce the reference exactly, including cropping when its pad is
   * negative. Unset: never crop.
   * @defaultValue undefined
   */
  compat?: 'thesis';
}

/** Result of {@link computeSegmentPadding}. */
export interface SegmentPadding {
  /** Length of the input [samples]. */
  numSamples: number;
  /** Hop [samples]. */
  hopLength: number;
  /** Frames of the input with centred framing (`1 + floor(N / hop)`). */
  inputFrames: number;
  /** Samples appended (negative: cropped, only with `compat: 'thesis'`). */
  padding: number;
  /** Length after padding [samples]. */
  paddedNumSamples: number;
  /** Frames of the padded signal (a multiple of `segmentFrames`). */
  numFrames: number;
}

/**
 * How much the thesis `readAudio` pads (or, in compat mode, crops) a signal.
 * @param numSamples - signal length [samples], >= 1
 * @param sampleRate - [Hz]
 * @param options - see {@link SegmentPaddingOptions}
 * @returns the padding and the resulting lengths
 * @throws {@link InvalidArgumentError} on bad options, {@link AudioError} on a bad sample rate.
 * @example
 * ```ts
 * import { computeSegmentPadding } from 'adtkit/dsp';
 * const { paddedNumSamples, numFrames } = computeSegmentPadding(132300, 44100);
 * console.log(paddedNumSamples, numFrames); // 175959 400
 * ```
 */
export function computeSegmentPadding(numSamples: number, sampleRate: number, options: SegmentPaddingOptions = {}): SegmentPadding {
  assertPositiveInteger(numSamples, 'numSamples');
  assertSampleRate(sampleRate);
  assertOptions(options);
  const segmentFrames = options.segmentFrames ?? SEGMENT_FRAMES;
  const hopLength = options.hopLength ?? thesisHopLength(sampleRate);
  assertPositiveInteger(segmentFrames, 'options.segmentFrames');
  assertPositiveInteger(hopLength, 'options.hopLength');
  if (options.compat !== undefined) assertOneOf(options.compat, ['thesis'] as const, 'options.compat');
  const inputFrames = 1 + Math.floor(numSamples / hopLength);
  let padding: number;
  if (options.compat === 'thesis') {
    // timeframes = 1 + floor(samples / hop); padding = (ceil(timeframes / 400) * 400 - 1) * hop - samples,
    // every operation on float32 tensors; then int() truncates.
    const f32 = Math.fround;
    const samples = f32(numSamples);
    const timeframes = f32(1 + Math.floor(f32(samples / f32(hopLength))));
    const target = f32(f32(Math.ceil(f32(timeframes / segmentFrames)) * segmentFrames) - 1);
    padding = Math.trunc(f32(f32(target * hopLength) - samples));
  } else {
    const segments = Math.ceil(inputFrames / segmentFrames);
    padding = Math.max(0, (segments * segmentFrames - 1) * hopLength - numSamples);
  }
  const paddedNumSamples = numSamples + padding;
  if (paddedNumSamples < 1) {
    throw new InvalidArgumentError(`padding of ${padding} samples leaves no signal`, { field: 'numSamples' });
  }
  return { numSamples, hopLength, inputFrames, padding, paddedNumSamples, numFrames: 1 + Math.floor(paddedNumSamples / hopLength) };
}

/**
 * Pads (zeros at the end) a signal so that its centred-frame spectrogram has a whole number
 * of segments, as the thesis `readAudio` does; see {@link computeSegmentPadding}.
 * @param signal - mono samples [samples]
 * @param sampleRate - [Hz]
 * @param options - see {@link SegmentPaddingOptions}
 * @returns a new Float32Array of `paddedNumSamples` samples
 * @throws {@link AudioError} on an empty signal or bad sample rate, {@link NonFiniteError} on
 *   NaN/infinite samples, {@link InvalidArgumentError} on bad options.
 */
export function padToSegments(signal: SignalLike, sampleRate: number, options: SegmentPaddingOptions = {}): Float32Array {
  const x = checkSignal(signal);
  const { paddedNumSamples } = computeSegmentPadding(x.length, sampleRate, options);
  const out = new Float32Array(paddedNumSamples);
  out.set(paddedNumSamples >= x.length ? x : x.subarray(0, paddedNumSamples));
  return out;
}
