/** Cutting a spectrogram into fixed-length segments (model input windows). */
import { SEGMENT_FRAMES } from './constants.js';
import type { FrameMatrix } from './spectrogram.js';
import { assertMatrix, assertOptions, assertPositiveInteger } from './validate.js';
import { InvalidArgumentError } from '../errors.js';

/** Options of {@link segmentFrames}. */
export interface SegmentFramesOptions {
  /** Frames per segment. @defaultValue 400 (4 s at 100 fps) */
  segmentLength?: number;
  /** Frames between segment starts (less than `segmentLength` for overlapping windows). @defaultValue segmentLength */
  hopFrames?: number;
}

/** Result of {@link segmentFrames}. */
export interface SegmentFramesResult {
  /** All segments, `[numSegments, segmentLength, bins]` row-major (ready for a batch tensor). */
  data: Float32Array;
  /** Each segment as a view into `data` (`[segmentLength, bins]`, no copy). */
  segments: Float32Array[];
  /** Number of segments. */
  numSegments: number;
  /** Frames per segment. */
  segmentLength: number;
  /** Frames between segment starts. */
  hopFrames: number;
  /** Bins per frame. */
  bins: number;
  /** Frames of the input (the valid, non-padded frames in total). */
  validFrames: number;
  /** Valid (non-padded) frames of each segment [numSegments]. */
  validFramesPerSegment: Int32Array;
}

/**
 * Cuts a `[frames, bins]` matrix into segments of `segmentLength` frames; the last segment
 * is zero-padded. `numSegments = ceil(frames / segmentLength)` for the default hop
 * (`1 + ceil((frames - segmentLength) / hopFrames)` in general, at least 1; 0 for 0 frames).
 * @param spectrogram - `[frames, bins]`
 * @param options - see {@link SegmentFramesOptions}
 * @returns the segments and the count of valid frames
 * @throws {@link InvalidArgumentError} on bad options, {@link ShapeError} on a malformed matrix.
 * @example
 * ```ts
 * import { logFilteredSpectrogram, segmentFrames } from 'adtkit/dsp';
 * const signal = Float32Array.from({ length: 5 * 44100 }, (_, i) => Math.sin(i / 7));
 * const { data, numSegments, validFramesPerSegment } = segmentFrames(logFilteredSpectrogram(signal, 44100));
 * console.log(numSegments, data.length, validFramesPerSegment); // 2 67200 Int32Array [400, 101]
 * ```
 */
export function segmentFrames(spectrogram: FrameMatrix, options: SegmentFramesOptions = {}): SegmentFramesResult {
  assertMatrix(spectrogram, 'spectrogram');
  assertOptions(options);
  const segmentLength = options.segmentLength ?? SEGMENT_FRAMES;
  assertPositiveInteger(segmentLength, 'options.segmentLength');
  const hopFrames = options.hopFrames ?? segmentLength;
  assertPositiveInteger(hopFrames, 'options.hopFrames');
  if (hopFrames > segmentLength) {
    throw new InvalidArgumentError(`options.hopFrames (${hopFrames}) must not exceed options.segmentLength (${segmentLength}); frames would be skipped`, {
      field: 'options.hopFrames',
    });
  }
  const { frames, bins, data: input } = spectrogram;
  const numSegments = frames === 0 ? 0 : Math.max(1, 1 + Math.ceil((frames - segmentLength) / hopFrames));
  const size = segmentLength * bins;
  const data = new Float32Array(numSegments * size);
  const segments: Float32Array[] = [];
  const validFramesPerSegment = new Int32Array(numSegments);
  for (let s = 0; s < numSegments; s++) {
    const first = s * hopFrames;
    const valid = Math.min(segmentLength, frames - first);
    data.set(input.subarray(first * bins, (first + valid) * bins), s * size);
    segments.push(data.subarray(s * size, (s + 1) * size));
    validFramesPerSegment[s] = valid;
  }
  return { data, segments, numSegments, segmentLength, hopFrames, bins, validFrames: frames, validFramesPerSegment };
}
