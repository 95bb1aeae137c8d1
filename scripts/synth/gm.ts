/**
 * General MIDI tables used by the synthetic-data generator: drum notes, the thesis
 * note → class mapping (SPEC §3), and melodic program groups for the accompaniment.
 */

/** Five-class labels in class-index order (SPEC §1). */
export const LABELS = ['KD', 'SD', 'TT', 'HH', 'CY'] as const;
/** One of the five class labels. */
export type Label = (typeof LABELS)[number];

/** GM percussion key numbers (channel 10) the drum generator plays. */
export const DRUM = {
  kickAcoustic: 35,
  kick: 36,
  sideStick: 37,
  snare: 38,
  clap: 39,
  snareElectric: 40,
  tomLowFloor: 41,
  hatClosed: 42,
  tomHighFloor: 43,
  hatPedal: 44,
  tomLow: 45,
  hatOpen: 46,
  tomLowMid: 47,
  tomHiMid: 48,
  crash1: 49,
  tomHigh: 50,
  ride1: 51,
  china: 52,
  rideBell: 53,
  splash: 55,
  crash2: 57,
  ride2: 59,
} as const;

/**
 * Thesis GM mapping restricted to the notes the generator plays (SPEC §3; 54 tambourine and
 * 56 cowbell are never generated, so the labels agree with the ADTOF mapping too).
 */
export const NOTE_TO_LABEL: Readonly<Record<number, Label>> = Object.freeze({
  35: 'KD', 36: 'KD',
  37: 'SD', 38: 'SD', 39: 'SD', 40: 'SD',
  41: 'TT', 43: 'TT', 45: 'TT', 47: 'TT', 48: 'TT', 50: 'TT',
  42: 'HH', 44: 'HH', 46: 'HH',
  49: 'CY', 51: 'CY', 52: 'CY', 53: 'CY', 55: 'CY', 57: 'CY', 59: 'CY',
});

/**
 * Unlabelled auxiliary percussion (not part of any drum-kit class in the thesis mapping),
 * played softly in some styles so the model learns to ignore it.
 */
export const AUX_PERCUSSION = {
  bongoHigh: 60,
  bongoLow: 61,
  congaMuteHigh: 62,
  congaOpenHigh: 63,
  congaLow: 64,
  cabasa: 69,
  maracas: 70,
  claves: 75,
  woodBlockHigh: 76,
  woodBlockLow: 77,
  /**
   * Generator version 3 only. The thesis GM mapping would call it HH; the annotations leave it
   * unlabelled, as MDB Drums ('OT') and ADTOF's mapping do.
   */
  tambourine: 54,
} as const;

/** Toms from high to low (the order a fill usually runs). */
export const TOMS_HIGH_TO_LOW: readonly number[] = [50, 48, 47, 45, 43, 41];

/**
 * GM melodic programs (0-based) by role. Percussive and effect programs (47 timpani,
 * 55 orchestra hit, 112–127 percussive/SFX) are excluded: they would be unlabelled drums.
 */
export const PROGRAMS = {
  bass: [32, 33, 34, 35, 36, 37, 38, 39, 43],
  chords: [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 24, 25, 26, 27, 28, 29, 30, 48, 49, 50, 51, 52, 61, 62, 88, 89, 90, 91, 92, 94, 95],
  lead: [8, 11, 12, 13, 21, 22, 40, 41, 56, 57, 59, 60, 64, 65, 66, 68, 71, 73, 75, 80, 81, 82, 84, 85, 87, 26, 27, 29, 30, 0, 4],
  pad: [48, 49, 50, 52, 53, 54, 88, 89, 90, 91, 92, 93, 94, 95, 19],
} as const;
