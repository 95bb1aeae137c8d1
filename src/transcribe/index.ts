/**
 * `adtkit/transcribe`: drum transcription for users. Audio in (any rate, channels, length),
 * drum events out, with a trained model shipped as a bundle (TF.js model + `card.json`).
 *
 * - {@link transcribe}: one call on a whole recording;
 * - {@link Transcriber}: the same, streaming, chunk by chunk (identical events);
 * - model bundles: {@link loadBundle}, {@link saveBundle}, {@link createBundle},
 *   {@link bundleToFiles}, the card schema {@link ModelCard} and {@link validateModelCard}.
 *
 * TF.js is a peer dependency: the application picks and initialises the backend.
 *
 * @packageDocumentation
 */
export { transcribe, TRANSCRIBE_BATCH_SIZE, type TranscribeOptions, type TranscribeProgress, type TranscribeResult, type TranscribeTimings, type TranscriptionActivations } from './transcribe.js';
export { Transcriber, type TranscriberOptions, type ActivationChunk } from './Transcriber.js';
export type { TranscriptionOptions, TranscribePeakPickingOptions, ThresholdsOption } from './options.js';
export type { AudioInput } from './audioInput.js';
export {
  loadBundle,
  saveBundle,
  createBundle,
  bundleToFiles,
  CARD_FILE,
  type ModelBundle,
  type BundleSource,
  type BundleFiles,
  type BundleArtifacts,
  type LoadBundleOptions,
} from './bundle.js';
export {
  validateModelCard,
  presetFrameRate,
  presetInputBins,
  MODEL_CARD_FORMAT,
  MODEL_CARD_VERSION,
  CARD_ARCHITECTURES,
  type ModelCard,
  type ModelCardDraft,
  type CardArchitecture,
  type CardStandardization,
  type CardPeakPicking,
  type CardTraining,
} from './card.js';
export { ADTKIT_VERSION } from './version.js';
