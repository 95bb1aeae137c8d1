import { UnsupportedFormatError } from '../../errors.js';
import { makeContext } from './context.js';
import { decodeFlac } from './decodeFlac.js';
import { decodeMp3 } from './decodeMp3.js';
import { decodeWav } from './decodeWav.js';
import { toBytes } from './detectAudioFormat.js';
import { sniffAudio } from './sniff.js';
import type { AudioData, DecodeAudioOptions } from './types.js';

/**
 * Decodes a WAV, FLAC or MP3 file held in memory. Works in Node.js and in browsers (FLAC
 * and MP3 use WebAssembly decoders, loaded on first use). The format is recognised from
 * the file's first bytes, not from its name.
 *
 * Supported: WAV (RIFF, RF64, BW64) with PCM 8 (unsigned), 16, 24 and 32-bit or IEEE
 * float 32/64-bit samples, plain or WAVE_FORMAT_EXTENSIBLE headers, any number of
 * channels; FLAC (native and in Ogg), 4–32 bits; MPEG audio layer I/II/III (MP3), gapless
 * when a LAME/Xing header gives encoder delay and padding. Ogg Vorbis/Opus, AAC/M4A and
 * AIFF are recognised and rejected with UnsupportedFormatError.
 *
 * Integer samples are scaled to [-1, 1) by 2^(bits-1) (16-bit: x / 32768); float samples
 * are kept (float64 rounded to float32). Decoding is strict by default: a file that ends
 * early or whose headers disagree throws rather than returning partial audio.
 *
 * @param bytes - The whole file's contents.
 * @param options - See {@link DecodeAudioOptions}: `fileName` for messages,
 *   `allowTruncated`, `onWarning`.
 * @returns The decoded audio, planar float32 [numberOfChannels × length].
 * @throws InvalidArgumentError when `bytes` is not a Uint8Array or ArrayBuffer.
 * @throws UnsupportedFormatError for a file that is not WAV/FLAC/MP3 (text, images, Ogg
 *   Vorbis, ...) or a WAV sample format other than PCM/float; the message says what the
 *   file appears to be.
 * @throws CorruptFileError for a truncated or inconsistent file, naming the byte offset.
 * @throws AudioError for zero-length audio or a sample rate of 0.
 * @throws NonFiniteError for NaN or infinite samples (float WAV).
 * @example
 * ```ts
 * const audio = await decodeAudio(new Uint8Array(await (await fetch('song.flac')).arrayBuffer()), { fileName: 'song.flac' });
 * const mono = downmixToMono(audio);
 * ```
 */
export async function decodeAudio(bytes: Uint8Array | ArrayBuffer, options: DecodeAudioOptions = {}): Promise<AudioData> {
  const data = toBytes(bytes, 'decodeAudio');
  const ctx = makeContext(options ?? {});
  const sniffed = sniffAudio(data);
  switch (sniffed.kind) {
    case 'wav':
      return decodeWav(data, sniffed.container, ctx);
    case 'flac':
      return decodeFlac(data, sniffed.start, false, ctx);
    case 'ogg-flac':
      return decodeFlac(data, 0, true, ctx);
    case 'mp3':
      return decodeMp3(data, sniffed.start, sniffed.header, ctx);
    case 'unsupported':
      throw new UnsupportedFormatError(
        `${ctx.label}: this is ${sniffed.what}, which adtkit cannot decode; supported audio formats are WAV, FLAC and MP3` +
          (sniffed.hint ? ` (${sniffed.hint})` : ''),
        { file: ctx.file },
      );
    default:
      throw new UnsupportedFormatError(
        `${ctx.label}: not a WAV, FLAC or MP3 file: it looks like ${sniffed.what}`,
        { file: ctx.file, offset: 0 },
      );
  }
}
