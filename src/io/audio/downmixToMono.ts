import { validateAudioChannels } from './createAudioData.js';
import type { AudioData } from './types.js';
import { toMono } from '../../dsp/mono.js';

/**
 * Mixes all channels down to one: the mean of the channels, sample by sample (the mono
 * conversion of SPEC §2, `thesis` preset). Computed in double precision, stored as float32.
 *
 * @param audio - Audio with one or more channels of equal length.
 * @returns A new Float32Array [length]; for mono input a copy of the channel.
 * @throws ShapeError when there is no channel or the channels differ in length.
 * @throws InvalidArgumentError when `audio` is not audio-shaped.
 * @throws AudioError for zero-length audio or a bad sample rate.
 * @throws NonFiniteError when a sample is NaN or infinite.
 * @example
 * ```ts
 * const stereo = createAudioData([new Float32Array([1, 0]), new Float32Array([0, 0])], 8000);
 * downmixToMono(stereo); // Float32Array [0.5, 0]
 * ```
 */
export function downmixToMono(audio: AudioData): Float32Array {
  validateAudioChannels(audio, 'downmixToMono', false);
  return toMono(audio.channels);
}
