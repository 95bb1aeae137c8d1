import { validateAudioChannels } from './createAudioData.js';
import type { AudioData } from './types.js';

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
  const { length } = validateAudioChannels(audio, 'downmixToMono', false);
  const channels = audio.channels;
  const n = channels.length;
  if (n === 1) return channels[0].slice();
  const out = new Float32Array(length);
  if (n === 2) {
    const a = channels[0];
    const b = channels[1];
    for (let i = 0; i < length; i++) out[i] = (a[i] + b[i]) / 2;
    return out;
  }
  const sum = new Float64Array(length);
  for (let c = 0; c < n; c++) {
    const data = channels[c];
    for (let i = 0; i < length; i++) sum[i] += data[i];
  }
  for (let i = 0; i < length; i++) out[i] = sum[i] / n;
  return out;
}
