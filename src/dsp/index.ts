/**
 * `adtkit/dsp`: audio to model input, in pure TypeScript (no TensorFlow.js).
 *
 * signal → {@link toMono} → {@link resample} → STFT ({@link magnitudeSpectrogram}) →
 * filterbank ({@link thesisLogFilterbank}, {@link madmomLogFilterbank}, {@link melFilterbank})
 * → {@link logCompress} → {@link applyStandardization} → {@link segmentFrames}.
 * {@link logFilteredSpectrogram} runs the STFT, filterbank and log stages of a preset in one pass.
 *
 * @packageDocumentation
 */
export * from './constants.js';
export { toMono } from './mono.js';
export type { SignalLike } from './validate.js';
export { hannWindow, type HannWindowOptions } from './window.js';
export { frameSignal, type FrameSignalOptions, type FrameSignalResult, type Framing, type PadMode } from './framing.js';
export type { Spectrogram, FrameMatrix } from './spectrogram.js';
export {
  StftPlan,
  getStftPlan,
  resolveStftOptions,
  magnitudeSpectrogram,
  powerSpectrogram,
  type StftOptions,
  type StftConfig,
  type SpectrogramOptions,
  type WindowSpec,
} from './stft.js';
export { applyFilterbank, filterbankToDense, type Filterbank, type FilterbankToDenseOptions } from './filterbank.js';
export { thesisLogFilterbank, madmomLogFilterbank, type LogFilterbankOptions } from './logFilterbank.js';
export { logCompress, type LogCompressOptions } from './logCompress.js';
export { computeSegmentPadding, padToSegments, type SegmentPadding, type SegmentPaddingOptions } from './segmentPadding.js';
export {
  LogFilteredSpectrogramProcessor,
  logFilteredSpectrogram,
  SPECTROGRAM_PRESETS,
  type LogFilteredSpectrogramOptions,
  type SpectrogramPreset,
} from './logFilteredSpectrogram.js';
export { melFilterbank, hzToMel, melToHz, type MelFilterbankOptions, type MelScale } from './mel.js';
export {
  fitStandardization,
  applyStandardization,
  type FitStandardizationOptions,
  type StandardizationStats,
  type StandardizationMethod,
} from './standardize.js';
export { segmentFrames, type SegmentFramesOptions, type SegmentFramesResult } from './segment.js';
export { resample, type ResampleOptions, type ResampleFilterOptions } from './resample.js';
export { parallelSpectrogramRunning, startParallelSpectrogram, stopParallelSpectrogram, useWasmSpectrogram, wasmSpectrogramActive } from './wasmStft.js';
