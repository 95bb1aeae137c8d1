/** The spectrogram data type shared by every stage of the DSP layer. */

/**
 * A spectrogram (or any frame-major feature matrix) with the metadata needed to interpret
 * it. `data[frame * bins + bin]`: frames are rows (time-major), as models consume them.
 *
 * Frame `i` is centred on sample `i * hopLength` (`floor(i * hopLength)` for madmom
 * framing), i.e. at time `i / frameRate` seconds.
 */
export interface Spectrogram {
  /** Values, `[frames, bins]` row-major. */
  data: Float32Array;
  /** Number of frames (rows). */
  frames: number;
  /** Number of bins per frame (FFT bins, filters or mel bands). */
  bins: number;
  /** Sample rate of the analysed signal [Hz]. */
  sampleRate: number;
  /** Hop between frames [samples]; fractional for madmom framing at some rates (220.5). */
  hopLength: number;
  /** Frames per second [Hz] = `sampleRate / hopLength`. */
  frameRate: number;
  /** FFT size the frames were analysed with [samples], when known. */
  nFft?: number;
  /**
   * Frequency of each bin [Hz]: the FFT bin frequency for a linear spectrogram, the centre
   * frequency of each filter for a filtered one. Length `bins`.
   */
  binFrequenciesHz?: Float64Array;
  /** What the values are: linear magnitude, power, or after log compression. */
  scale?: 'magnitude' | 'power' | 'log' | 'standardized';
}

/** Minimal frame-major matrix accepted where no metadata is needed. */
export interface FrameMatrix {
  /** Values, `[frames, bins]` row-major. */
  data: Float32Array;
  /** Number of frames (rows). */
  frames: number;
  /** Number of bins (columns). */
  bins: number;
}

/** Returns a shallow copy of `spectrogram` with new `data` and `bins` (metadata kept). */
export function withData<T extends FrameMatrix>(spectrogram: T, data: Float32Array, changes: Partial<Spectrogram> = {}): T {
  return { ...spectrogram, ...changes, data };
}
