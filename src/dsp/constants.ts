/**
 * Shared defaults of the DSP layer. Every module takes its defaults from here so that a
 * number is written once (madmom keeps `FRAME_SIZE = 2048` and friends the same way).
 */

/** Frame rate of both presets [frames / s] (10 ms hop). */
export const FRAME_RATE_HZ = 100;

/** FFT size of both presets [samples]. */
export const N_FFT = 2048;

/** Lowest centre frequency of the log-spaced filterbanks [Hz]. */
export const LOG_FILTERBANK_F_MIN_HZ = 20;

/** Highest centre frequency of the log-spaced filterbanks [Hz]. */
export const LOG_FILTERBANK_F_MAX_HZ = 20000;

/** Reference frequency the log-spaced bands are aligned to [Hz] (A4). */
export const LOG_FILTERBANK_F_REF_HZ = 440;

/** Bands per octave of the log-spaced filterbanks. */
export const BANDS_PER_OCTAVE = 12;

/** Segment length of the thesis models [frames] (4 s at 100 fps). */
export const SEGMENT_FRAMES = 400;

/**
 * Hop of the `thesis` preset [samples]: `floor(sampleRate / 100)`, as the reference's
 * `sr // 100` (441 at 44.1 kHz, 480 at 48 kHz, 220 at 22.05 kHz).
 */
export function thesisHopLength(sampleRate: number): number {
  return Math.max(1, Math.floor(sampleRate / FRAME_RATE_HZ));
}

/** Hop of the `madmom` preset [samples]: `sampleRate / 100`, possibly fractional (220.5 at 22.05 kHz). */
export function madmomHopLength(sampleRate: number): number {
  return sampleRate / FRAME_RATE_HZ;
}
