/**
 * Data types shared by several layers (io, eval, transcription). TF-free.
 */

/** One drum hit. */
export interface DrumEvent {
  /** Onset time [s] from the start of the audio. */
  timeSeconds: number;
  /** Index of the class in the vocabulary in use (0 KD, 1 SD, 2 TT, 3 HH, 4 CY by default). */
  classIndex: number;
  /** Class name from the vocabulary (e.g. `"KD"`), when known. */
  className?: string;
  /** Loudness in [0, 1] (MIDI velocity / 127, or the activation peak height). */
  velocity?: number;
}

/** Default five-class vocabulary of the thesis, in class-index order. */
export const DEFAULT_CLASS_NAMES: readonly string[] = Object.freeze(['KD', 'SD', 'TT', 'HH', 'CY']);

/** Frame rate of every adtkit preset [frames / s] (10 ms hop). */
export const DEFAULT_FRAME_RATE = 100;
