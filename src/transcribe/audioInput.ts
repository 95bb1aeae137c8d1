/** Audio accepted by `transcribe`, and its reduction to mono (internal besides the type). */
import { InvalidArgumentError } from '../errors.js';
import type { AudioData } from '../io/audio/types.js';
import { downmixToMono } from '../io/audio/downmixToMono.js';

/**
 * Audio for transcription: an `AudioData` (from `decodeAudio` / `readAudioFile`), planar
 * channels with their sample rate, or mono samples with their sample rate. Any positive
 * integer sample rate and any number of channels (mixed down by their mean).
 */
export type AudioInput =
  | AudioData
  | { channels: readonly Float32Array[]; sampleRate: number }
  | { samples: Float32Array; sampleRate: number };

/**
 * Mono samples and sample rate of an {@link AudioInput} (validated: equal channel lengths, at
 * least one sample, finite values, integer rate).
 * @internal
 */
export function monoOf(audio: AudioInput, where: string): { samples: Float32Array; sampleRate: number } {
  if (audio === null || typeof audio !== 'object') {
    throw new InvalidArgumentError(`${where}: audio must be an AudioData, { channels, sampleRate } or { samples, sampleRate }, got ${audio === null ? 'null' : typeof audio}`, { field: 'audio' });
  }
  if ('samples' in audio) {
    if (!(audio.samples instanceof Float32Array)) {
      throw new InvalidArgumentError(`${where}: audio.samples must be a Float32Array of mono samples, got ${(audio.samples as object)?.constructor?.name ?? typeof audio.samples}`, { field: 'audio.samples' });
    }
    const samples = downmixToMono({ channels: [audio.samples], sampleRate: audio.sampleRate } as AudioData);
    return { samples, sampleRate: audio.sampleRate };
  }
  if (!('channels' in audio)) {
    throw new InvalidArgumentError(`${where}: audio must have "channels" (planar Float32Arrays) or "samples" (mono), and "sampleRate"`, { field: 'audio' });
  }
  const samples = downmixToMono({ channels: [...audio.channels], sampleRate: audio.sampleRate } as AudioData);
  return { samples, sampleRate: audio.sampleRate };
}
