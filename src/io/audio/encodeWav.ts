import { InvalidArgumentError } from '../../errors.js';
import { validateAudioChannels } from './createAudioData.js';
import type { AudioData } from './types.js';

/** Options of {@link encodeWav}. */
export interface EncodeWavOptions {
  /**
   * Bits per sample: 8, 16, 24 or 32 for PCM; 32 or 64 with `float: true`.
   * @defaultValue `16` (PCM), `32` when `float` is true
   */
  bitDepth?: 8 | 16 | 24 | 32 | 64;
  /**
   * Write IEEE float samples instead of integer PCM.
   * @defaultValue `false`
   */
  float?: boolean;
  /**
   * Write a WAVE_FORMAT_EXTENSIBLE header (40-byte 'fmt ' chunk with a sub-format GUID),
   * as Microsoft recommends for more than two channels or more than 16 bits. Most readers
   * handle both; some simple ones only the plain header.
   * @defaultValue `false`
   */
  extensible?: boolean;
}

const MAX_RIFF_BYTES = 0xffffffff;

/**
 * Encodes audio as a WAV file (RIFF/WAVE, little-endian, interleaved).
 *
 * PCM samples are scaled by 2^(bitDepth-1), rounded to the nearest integer and clipped to
 * the integer range (so 1.0 becomes the largest positive value); 8-bit PCM is unsigned
 * with 128 as zero, as the format requires. This is the inverse of `decodeAudio`'s
 * scaling, so decode → encode at the source bit depth reproduces the file's samples.
 * Float samples are written unchanged (float32 exactly; float64 widens them).
 *
 * @param audio - Audio to write: `channels` [numberOfChannels × length], samples
 *   nominally in [-1, 1], and `sampleRate` [Hz]. An `AudioData` fits; zero-length audio
 *   is allowed (it gives a valid, empty WAV file).
 * @param options - Sample format, see {@link EncodeWavOptions}.
 * @returns The bytes of the WAV file.
 * @throws InvalidArgumentError for an unsupported bit depth, or audio too large for a
 *   RIFF file (4 GiB).
 * @throws ShapeError when the channels differ in length or there are none.
 * @throws AudioError for a sample rate that is not a positive integer.
 * @throws NonFiniteError when a sample is NaN or infinite.
 * @example
 * ```ts
 * const audio = createAudioData([new Float32Array([0, 0.5, -0.5])], 44100);
 * const bytes = encodeWav(audio, { bitDepth: 24 });
 * const back = await decodeAudio(bytes); // back.channels[0] ≈ [0, 0.5, -0.5]
 * ```
 */
export function encodeWav(
  audio: Pick<AudioData, 'channels' | 'sampleRate'>,
  options: EncodeWavOptions = {},
): Uint8Array {
  const { length } = validateAudioChannels(audio, 'encodeWav', true);
  const isFloat = options.float === true;
  const bitDepth = options.bitDepth ?? (isFloat ? 32 : 16);
  const allowed = isFloat ? [32, 64] : [8, 16, 24, 32];
  if (!allowed.includes(bitDepth)) {
    throw new InvalidArgumentError(
      `encodeWav: options.bitDepth is ${String(bitDepth)}; expected one of ${allowed.join(', ')} for ${isFloat ? 'float' : 'PCM'} samples` +
        (!isFloat && bitDepth === 64 ? ' (64-bit needs float: true)' : ''),
      { field: 'bitDepth' },
    );
  }
  const channels = audio.channels;
  const n = channels.length;
  const bytesPerSample = bitDepth / 8;
  const blockAlign = n * bytesPerSample;
  const dataBytes = length * blockAlign;
  const extensible = options.extensible === true;
  const fmtSize = extensible ? 40 : isFloat ? 18 : 16;
  const factBytes = isFloat && !extensible ? 12 : 0;
  const headerBytes = 12 + 8 + fmtSize + factBytes + 8;
  const padded = dataBytes + (dataBytes & 1);
  if (headerBytes - 8 + padded > MAX_RIFF_BYTES) {
    throw new InvalidArgumentError(`encodeWav: ${dataBytes} bytes of samples do not fit in a RIFF WAV file (4 GiB limit); write FLAC or split the audio`, { field: 'audio' });
  }
  const out = new Uint8Array(headerBytes + padded);
  const view = new DataView(out.buffer);
  const writeId = (pos: number, id: string) => {
    for (let i = 0; i < 4; i++) out[pos + i] = id.charCodeAt(i);
  };
  const formatTag = isFloat ? 3 : 1;
  writeId(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  writeId(8, 'WAVE');
  writeId(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, extensible ? 0xfffe : formatTag, true);
  view.setUint16(22, n, true);
  view.setUint32(24, audio.sampleRate, true);
  view.setUint32(28, audio.sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bitDepth, true);
  let pos = 36;
  if (extensible) {
    view.setUint16(36, 22, true); // cbSize
    view.setUint16(38, bitDepth, true); // wValidBitsPerSample
    view.setUint32(40, n <= 18 ? 2 ** n - 1 : 0, true); // dwChannelMask: first n speakers
    view.setUint32(44, formatTag, true); // sub-format GUID xxxxxxxx-0000-0010-8000-00aa00389b71
    out.set([0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 48);
    pos = 60;
  } else if (isFloat) {
    view.setUint16(36, 0, true); // cbSize
    pos = 38;
    writeId(pos, 'fact');
    view.setUint32(pos + 4, 4, true);
    view.setUint32(pos + 8, length, true);
    pos += 12;
  }
  writeId(pos, 'data');
  view.setUint32(pos + 4, dataBytes, true);
  pos += 8;

  const scale = 2 ** (bitDepth - 1);
  const max = scale - 1;
  for (let c = 0; c < n; c++) {
    const data = channels[c];
    let p = pos + c * bytesPerSample;
    for (let i = 0; i < length; i++, p += blockAlign) {
      const x = data[i];
      if (isFloat) {
        if (bitDepth === 32) view.setFloat32(p, x, true);
        else view.setFloat64(p, x, true);
        continue;
      }
      let v = Math.round(x * scale);
      v = v > max ? max : v < -scale ? -scale : v;
      if (bitDepth === 8) out[p] = v + 128;
      else if (bitDepth === 16) view.setInt16(p, v, true);
      else if (bitDepth === 24) {
        out[p] = v & 0xff;
        out[p + 1] = (v >> 8) & 0xff;
        out[p + 2] = (v >> 16) & 0xff;
      } else view.setInt32(p, v, true);
    }
  }
  return out;
}
