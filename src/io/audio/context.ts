/**
 * Internal: what every decoder needs to report problems (file label, strictness,
 * warning sink) and the checks shared by all formats. Not exported from the package.
 */
import { AudioError, CorruptFileError, InvalidArgumentError, NonFiniteError } from '../../errors.js';
import type { AudioData, AudioFormat, DecodeAudioOptions } from './types.js';

/** Label used in messages when the caller gave no file name. */
export const UNNAMED_AUDIO = '<audio bytes>';

export interface DecodeContext {
  /** File name for error details, undefined when unknown. */
  file: string | undefined;
  /** Label that starts every message (file name or {@link UNNAMED_AUDIO}). */
  label: string;
  allowTruncated: boolean;
  warn: (message: string) => void;
}

export function makeContext(options: DecodeAudioOptions): DecodeContext {
  const file = options.fileName;
  if (file !== undefined && typeof file !== 'string') {
    throw new InvalidArgumentError(`decodeAudio: options.fileName must be a string, got ${typeof file}`, { field: 'fileName' });
  }
  if (options.onWarning !== undefined && typeof options.onWarning !== 'function') {
    throw new InvalidArgumentError(`decodeAudio: options.onWarning must be a function, got ${typeof options.onWarning}`, { field: 'onWarning' });
  }
  return {
    file,
    label: file ?? UNNAMED_AUDIO,
    allowTruncated: options.allowTruncated === true,
    warn: options.onWarning ?? ((message: string) => console.warn(message)),
  };
}

/**
 * Handles a truncation: throws CorruptFileError when strict, else warns and returns.
 * `message` describes the problem; the hint about `allowTruncated` is appended here.
 */
export function truncated(ctx: DecodeContext, message: string, offset?: number): void {
  if (!ctx.allowTruncated) {
    throw new CorruptFileError(
      `${ctx.label}: ${message}. The file is truncated or corrupt; pass allowTruncated: true to decode the complete samples that are present`,
      { file: ctx.file, offset },
    );
  }
  ctx.warn(`${ctx.label}: ${message}; decoding the complete samples that are present (allowTruncated)`);
}

/** Index and value of the first non-finite sample, or undefined when all are finite. */
export function findNonFinite(channels: Float32Array[]): { channel: number; index: number; value: number } | undefined {
  for (let c = 0; c < channels.length; c++) {
    const data = channels[c];
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      // v - v is 0 for finite v and NaN for NaN and ±Infinity: one comparison per sample.
      if (v - v !== 0) return { channel: c, index: i, value: v };
    }
  }
  return undefined;
}

/**
 * Final checks shared by all decoders, then the AudioData object. Throws AudioError for
 * no channels / no samples / a bad sample rate, CorruptFileError for
 * channels of different lengths, NonFiniteError for NaN or infinite samples.
 */
export function finishAudio(
  ctx: DecodeContext,
  channels: Float32Array[],
  sampleRate: number,
  format: AudioFormat,
  bitsPerSample: number | undefined,
  checkFinite: boolean,
): AudioData {
  if (!(Number.isInteger(sampleRate) && sampleRate > 0)) {
    throw new AudioError(`${ctx.label}: sample rate is ${sampleRate} Hz; expected a positive integer number of Hz`, { file: ctx.file, field: 'sampleRate' });
  }
  if (channels.length === 0) {
    throw new AudioError(`${ctx.label}: the ${format} stream has no channels`, { file: ctx.file });
  }
  const length = channels[0].length;
  for (let c = 1; c < channels.length; c++) {
    if (channels[c].length !== length) {
      throw new CorruptFileError(`${ctx.label}: channel ${c} has ${channels[c].length} samples but channel 0 has ${length}`, { file: ctx.file });
    }
  }
  if (length === 0) {
    throw new AudioError(`${ctx.label}: the ${format} file contains no samples (zero-length audio)`, { file: ctx.file });
  }
  if (checkFinite) {
    const bad = findNonFinite(channels);
    if (bad !== undefined) {
      throw new NonFiniteError(
        `${ctx.label}: sample ${bad.index} of channel ${bad.channel} is ${bad.value}; audio samples must be finite`,
        { file: ctx.file },
      );
    }
  }
  const audio: AudioData = {
    channels,
    sampleRate,
    numberOfChannels: channels.length,
    length,
    durationSeconds: length / sampleRate,
    format,
  };
  if (bitsPerSample !== undefined) audio.bitsPerSample = bitsPerSample;
  return audio;
}

/**
 * Runs `fn` with console.error captured. The WASM decoders print every decode error with
 * console.error and also return it in their `errors` array, which we turn into a typed
 * error; capturing keeps the console quiet. Only the synchronous part of `fn` is covered
 * (JavaScript runs nothing else meanwhile, so no other code's messages are swallowed).
 */
export function withConsoleErrorCaptured<T>(fn: () => T): { result: T; messages: string[] } {
  const messages: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => {
    messages.push(args.map(String).join(' '));
  };
  try {
    return { result: fn(), messages };
  } finally {
    console.error = original;
  }
}
