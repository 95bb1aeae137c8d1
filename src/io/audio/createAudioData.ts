import { AudioError, InvalidArgumentError, NonFiniteError, ShapeError } from '../../errors.js';
import { findNonFinite } from './context.js';
import type { AudioData } from './types.js';

/**
 * Internal: checks `channels` and `sampleRate` of audio handed to a public function
 * (`fn` names it in messages). Returns the common channel length.
 */
export function validateAudioChannels(
  audio: Pick<AudioData, 'channels' | 'sampleRate'>,
  fn: string,
  allowEmpty: boolean,
): { length: number } {
  if (typeof audio !== 'object' || audio === null) {
    throw new InvalidArgumentError(`${fn}: audio must be an object with channels and sampleRate (an AudioData), got ${audio === null ? 'null' : typeof audio}`, { field: 'audio' });
  }
  const { channels, sampleRate } = audio;
  if (!Array.isArray(channels)) {
    throw new InvalidArgumentError(`${fn}: audio.channels must be an array of Float32Array (one per channel), got ${typeof channels}`, { field: 'channels' });
  }
  if (channels.length === 0) throw new ShapeError(`${fn}: audio.channels is empty; expected at least one channel`, { field: 'channels' });
  for (let c = 0; c < channels.length; c++) {
    if (!(channels[c] instanceof Float32Array)) {
      const found = channels[c] === null ? 'null' : (channels[c] as object)?.constructor?.name ?? typeof channels[c];
      throw new InvalidArgumentError(`${fn}: audio.channels[${c}] must be a Float32Array, got ${found}`, { field: 'channels' });
    }
  }
  const length = channels[0].length;
  for (let c = 1; c < channels.length; c++) {
    if (channels[c].length !== length) {
      throw new ShapeError(`${fn}: audio.channels[${c}] has ${channels[c].length} samples but channels[0] has ${length}; all channels must have the same length`, { field: 'channels' });
    }
  }
  if (length === 0 && !allowEmpty) throw new AudioError(`${fn}: the audio has no samples (zero-length channels)`, { field: 'channels' });
  if (!(typeof sampleRate === 'number' && Number.isInteger(sampleRate) && sampleRate > 0 && sampleRate <= 0xffffffff)) {
    throw new AudioError(`${fn}: audio.sampleRate is ${String(sampleRate)}; expected a positive integer number of Hz (e.g. 44100)`, { field: 'sampleRate' });
  }
  const bad = findNonFinite(channels);
  if (bad !== undefined) {
    throw new NonFiniteError(`${fn}: audio.channels[${bad.channel}][${bad.index}] is ${bad.value}; samples must be finite`, { field: 'channels' });
  }
  return { length };
}

/**
 * Wraps samples held in memory (synthetic signals, audio decoded elsewhere, e.g. by the
 * Web Audio API's `AudioBuffer.getChannelData`) as an {@link AudioData}.
 *
 * @param channels - One array per channel [numberOfChannels × length], samples nominally
 *   in [-1, 1]. Float32Arrays are used as they are (not copied); other array-likes are
 *   converted to Float32Array.
 * @param sampleRate - Sample rate [Hz], a positive integer.
 * @returns The audio with `format: 'raw'`.
 * @throws ShapeError when there is no channel or the channels differ in length.
 * @throws AudioError for zero-length channels or a sample rate that is not a positive integer.
 * @throws NonFiniteError when a sample is NaN or infinite.
 * @example
 * ```ts
 * const sine = Float32Array.from({ length: 44100 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 44100));
 * const audio = createAudioData([sine], 44100); // audio.durationSeconds === 1
 * ```
 */
export function createAudioData(channels: ArrayLike<number>[], sampleRate: number): AudioData {
  if (!Array.isArray(channels)) {
    throw new InvalidArgumentError(`createAudioData: channels must be an array with one array of samples per channel, got ${typeof channels}`, { field: 'channels' });
  }
  const converted = channels.map((ch, c) => {
    if (ch instanceof Float32Array) return ch;
    if (typeof ch !== 'object' || ch === null || typeof ch.length !== 'number') {
      throw new InvalidArgumentError(`createAudioData: channels[${c}] must be a Float32Array or an array of numbers, got ${ch === null ? 'null' : typeof ch}`, { field: 'channels' });
    }
    return Float32Array.from(ch);
  });
  const { length } = validateAudioChannels({ channels: converted, sampleRate }, 'createAudioData', false);
  return {
    channels: converted,
    sampleRate,
    numberOfChannels: converted.length,
    length,
    durationSeconds: length / sampleRate,
    format: 'raw',
  };
}
