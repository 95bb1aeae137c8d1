/**
 * `transcribe(audio, options)`: audio in, drum events out, in one call (SPEC §1):
 * mono → resample to the model's rate → log-filtered spectrogram (the card's preset) →
 * standardize (the card's statistics) → overlapping windows in batches → model → sigmoid →
 * peak picking per class (the card's thresholds) → events.
 */
import { InvalidArgumentError } from '../errors.js';
import { peakPick } from '../eval/peakPick.js';
import { logFilteredSpectrogram } from '../dsp/logFilteredSpectrogram.js';
import { resample } from '../dsp/resample.js';
import type { ActivationMatrix } from '../eval/activations.js';
import type { DrumEvent } from '../types.js';
import { monoOf, type AudioInput } from './audioInput.js';
import { resolveTranscriptionOptions, type ResolvedTranscription, type TranscriptionOptions } from './options.js';
import { framesToEvents, keptRange, predictWindows, standardizationStats, standardizeFrames, windowCount } from './windows.js';

/** Progress of a {@link transcribe} call. */
export interface TranscribeProgress {
  /** Share of the work done, in [0, 1] (model windows done / windows). */
  fraction: number;
  /** Model windows computed so far. */
  windowsDone: number;
  /** Model windows in all. */
  windowsTotal: number;
}

/** Options of {@link transcribe}. */
export interface TranscribeOptions extends TranscriptionOptions {
  /** Called after the spectrogram and after every batch; may be async (transcription waits). @defaultValue none */
  onProgress?: (progress: TranscribeProgress) => void | Promise<void>;
}

/** Activations of a transcription: a frame-major matrix with its time axis and vocabulary. */
export interface TranscriptionActivations extends ActivationMatrix {
  /** Sigmoid outputs, `data[frame * classes + class]` [frames × classes], in [0, 1]. */
  data: Float32Array;
  /** Frames per second [Hz]; frame n is at `n / frameRate` seconds. */
  frameRate: number;
  /** Class names, index = class. */
  classNames: readonly string[];
}

/** Wall-clock time of each stage [s]. */
export interface TranscribeTimings {
  /** Down-mix and resampling. */
  resampleSeconds: number;
  /** Log-filtered spectrogram and standardization. */
  spectrogramSeconds: number;
  /** Model windows (batching, prediction, sigmoid, reading back). */
  modelSeconds: number;
  /** Peak picking and events. */
  peakPickingSeconds: number;
  /** The whole call. */
  totalSeconds: number;
}

/** Result of {@link transcribe}. */
export interface TranscribeResult {
  /** Onsets sorted by time then class: `timeSeconds`, `classIndex`, `className`, `velocity` (peak height in [0, 1]). */
  events: DrumEvent[];
  /** The activations the events were picked from. */
  activations: TranscriptionActivations;
  /** Duration of the input [s]. */
  durationSeconds: number;
  /** Sample rate the model ran at [Hz] (the card's). */
  sampleRate: number;
  /** Threshold used for each class. */
  thresholds: number[];
  /** Time spent in each stage. */
  timings: TranscribeTimings;
}

/** Default windows per batch of `transcribe` (the streaming Transcriber keeps 4 for latency). */
export const TRANSCRIBE_BATCH_SIZE = 16;

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now()) / 1000;

/** Peak picking of every class with its own threshold (internal; the offline picker). */
export function pickEvents(data: Float32Array, frames: number, r: ResolvedTranscription, frameRate: number): DrumEvent[] {
  const peaks: { frame: number; classIndex: number; height: number }[] = [];
  const curve = new Float32Array(frames);
  for (let c = 0; c < r.classes; c++) {
    for (let n = 0; n < frames; n++) curve[n] = data[n * r.classes + c];
    const found = peakPick(curve, { ...r.peak, threshold: r.thresholds[c] });
    const f = found.peakFrames[0];
    const h = found.peakHeights[0];
    for (let i = 0; i < f.length; i++) peaks.push({ frame: f[i], classIndex: c, height: h[i] });
  }
  return framesToEvents(peaks, frameRate, r.classNames);
}

/**
 * Transcribes drums in audio of any sample rate, channel count and length (shorter than a
 * model window included). See the module comment for the pipeline and `TranscriptionOptions`
 * for windows, context, batching and thresholds. Every tensor is disposed before it returns.
 *
 * @param audio - see {@link AudioInput} (e.g. `await readAudioFile('song.flac')`)
 * @param options - `model` (a bundle, required), thresholds, peak picking, batch size,
 *   window and context sizes, progress callback
 * @returns events, activations [frames × classes] with metadata, and stage timings
 * @throws {@link InvalidArgumentError} for bad options or audio that is not audio-shaped;
 *   {@link AudioError} for empty audio or a bad sample rate; {@link NonFiniteError} for NaN or
 *   infinite samples; {@link ModelConfigError} when the bundle's card is invalid or does not
 *   fit its model
 * @example
 * ```ts
 * const bundle = await loadBundle('models/default');
 * const { events } = await transcribe(await readAudioFile('song.flac'), { model: bundle });
 * // [{ timeSeconds: 0.52, classIndex: 0, className: 'KD', velocity: 0.93 }, …]
 * ```
 */
export async function transcribe(audio: AudioInput, options: TranscribeOptions): Promise<TranscribeResult> {
  const where = 'transcribe';
  const t0 = now();
  const r = resolveTranscriptionOptions(options, where, ['onProgress'], TRANSCRIBE_BATCH_SIZE);
  const onProgress = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidArgumentError(`${where}: options.onProgress must be a function, got ${typeof onProgress}`, { field: 'options.onProgress' });
  }
  const { samples, sampleRate } = monoOf(audio, where);
  const card = r.card;
  const signal = sampleRate === card.sampleRate ? samples : resample(samples, sampleRate, card.sampleRate);
  const t1 = now();

  const spec = logFilteredSpectrogram(signal, card.sampleRate, { preset: card.preset });
  const stats = standardizationStats(r);
  const features = standardizeFrames(spec.data, spec.frames, stats);
  const silence = standardizeFrames(new Float32Array(r.bins), 1, stats);
  const frames = spec.frames;
  const t2 = now();

  const windows = windowCount(frames, r);
  const data = new Float32Array(frames * r.classes);
  const windowValues = r.segmentFrames * r.classes;
  await onProgress?.({ fraction: 0, windowsDone: 0, windowsTotal: windows });
  for (let first = 0; first < windows; first += r.batchSize) {
    const count = Math.min(r.batchSize, windows - first);
    const out = await predictWindows(r, features, 0, frames, silence, first, count);
    for (let k = 0; k < count; k++) {
      const s = first + k;
      const [start, end] = keptRange(s, s === windows - 1, frames, r);
      const offset = k * windowValues - s * r.hopFrames * r.classes;
      data.set(out.subarray(offset + start * r.classes, offset + end * r.classes), start * r.classes);
    }
    await onProgress?.({ fraction: (first + count) / windows, windowsDone: first + count, windowsTotal: windows });
  }
  const t3 = now();

  const events = pickEvents(data, frames, r, card.frameRate);
  const t4 = now();
  return {
    events,
    activations: { data, frames, classes: r.classes, frameRate: card.frameRate, classNames: [...r.classNames] },
    durationSeconds: samples.length / sampleRate,
    sampleRate: card.sampleRate,
    thresholds: [...r.thresholds],
    timings: {
      resampleSeconds: t1 - t0,
      spectrogramSeconds: t2 - t1,
      modelSeconds: t3 - t2,
      peakPickingSeconds: t4 - t3,
      totalSeconds: t4 - t0,
    },
  };
}
