/** Down-mixing of multichannel audio. */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { assertAllFinite, describe } from './validate.js';

/**
 * Mono mix of several channels: the mean of the channels, sample by sample (what the
 * thesis reference does with `waveform.mean(dim=0)`). The sum is accumulated in double
 * precision and rounded once to float32.
 *
 * @param channels - one Float32Array per channel, all of the same length [samples]
 * @returns a new Float32Array [samples] (a copy even for a single channel)
 * @throws {@link InvalidArgumentError} when `channels` is empty or not an array of Float32Arrays,
 *   {@link ShapeError} when the channels differ in length,
 *   {@link NonFiniteError} when a sample is NaN or infinite.
 * @example
 * ```ts
 * import { toMono } from 'adtkit/dsp';
 * const left = Float32Array.from([1, 0.5]);
 * const right = Float32Array.from([0, 0.5]);
 * console.log(toMono([left, right])); // Float32Array [0.5, 0.5]
 * ```
 */
export function toMono(channels: readonly Float32Array[]): Float32Array {
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new InvalidArgumentError(`channels must be a non-empty array of Float32Array, got ${describe(channels)}`, { field: 'channels' });
  }
  const length = channels[0]?.length;
  channels.forEach((channel, c) => {
    if (!(channel instanceof Float32Array)) {
      throw new InvalidArgumentError(`channels[${c}] must be a Float32Array, got ${describe(channel)}`, { field: `channels[${c}]` });
    }
    if (channel.length !== length) {
      throw new ShapeError(`channels[${c}] has ${channel.length} samples but channels[0] has ${length}; all channels must have the same length`, {
        field: `channels[${c}]`,
      });
    }
    assertAllFinite(channel, `channels[${c}]`);
  });
  if (channels.length === 1) return channels[0].slice();
  const out = new Float32Array(length);
  const count = channels.length;
  if (count === 2) {
    const [a, b] = channels;
    for (let i = 0; i < length; i++) out[i] = (a[i] + b[i]) / 2;
    return out;
  }
  const sum = new Float64Array(length);
  for (const channel of channels) for (let i = 0; i < length; i++) sum[i] += channel[i];
  for (let i = 0; i < length; i++) out[i] = sum[i] / count;
  return out;
}
