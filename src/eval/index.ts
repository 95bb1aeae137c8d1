/**
 * adtkit/eval: peak picking, onset matching and F1 scores. Pure TypeScript, no TensorFlow.js.
 *
 * Conventions (stated once, as mir_eval does): times are in seconds [s], frames are integer
 * indices at a frame rate in frames per second (100 by default); activation matrices are
 * frame-major (`data[frame * classes + class]`); event and time lists must be sorted by time
 * and non-negative; functions that compare estimates with references take the estimate
 * first. Empty-set conventions are named (`'mir_eval'`, `'madmom'`, `'thesis'`).
 *
 * @packageDocumentation
 */
export type { ActivationCurve, ActivationMatrix, ActivationsInput, SegmentedActivations } from './activations.js';
export { peakPick } from './peakPick.js';
export type { PeakPickCompat, PeakPickOptions, PeakPickResult } from './peakPick.js';
export { OnlinePeakPicker } from './OnlinePeakPicker.js';
export type { OnlinePeakPickerOptions, StreamPeak } from './OnlinePeakPicker.js';
export { activationsToEvents } from './activationsToEvents.js';
export type { ActivationsToEventsOptions } from './activationsToEvents.js';
export { thesisComputePeaks } from './thesisComputePeaks.js';
export type { ThesisComputePeaksOptions } from './thesisComputePeaks.js';
export { countFrameMatches } from './countFrameMatches.js';
export type { CountFrameMatchesOptions, FrameMatchCounts } from './countFrameMatches.js';
export { fMeasureFromCounts } from './fMeasureFromCounts.js';
export type {
  ClassOnsetScores,
  FMeasureFromCountsOptions,
  FMeasureResult,
  MacroScores,
  MatchCounts,
  OnsetScores,
  ScoreConvention,
} from './fMeasureFromCounts.js';
export { matchOnsetTimes } from './matchOnsetTimes.js';
export type { EventMatching, MatchOnsetTimesOptions } from './matchOnsetTimes.js';
export { matchOnsetFrames } from './matchOnsetFrames.js';
export type { FrameMatching, MatchOnsetFramesOptions } from './matchOnsetFrames.js';
export { scoreOnsetTimes } from './scoreOnsetTimes.js';
export type { OnsetMatching, OnsetMatchingOptions } from './scoreOnsetTimes.js';
export { onsetF1 } from './onsetF1.js';
export type { OnsetF1Options, OnsetF1Result } from './onsetF1.js';
export { madmomPeakPicking } from './madmomPeakPicking.js';
export type { MadmomPeakPickingOptions, MadmomPeaks } from './madmomPeakPicking.js';
export { madmomOnsetPeakPicking } from './madmomOnsetPeakPicking.js';
export type { MadmomOnsetPeakPickingOptions } from './madmomOnsetPeakPicking.js';
export { combineOnsetTimes } from './combineOnsetTimes.js';
export type { CombineMode, CombineOnsetTimesOptions } from './combineOnsetTimes.js';
