import { InvalidArgumentError } from '../../errors.js';
import { sniffAudio } from './sniff.js';
import type { AudioFormat } from './types.js';

/**
 * Internal: accepts the byte containers that public functions take and returns a
 * Uint8Array view of the same memory (no copy).
 */
export function toBytes(input: Uint8Array | ArrayBuffer, fn: string): Uint8Array {
  if (input instanceof Uint8Array) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (ArrayBuffer.isView(input)) {
    const view = input as ArrayBufferView;
    return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  }
  const found = input === null ? 'null' : typeof input === 'object' ? ((input as object).constructor?.name ?? 'object') : typeof input;
  throw new InvalidArgumentError(
    `${fn}: bytes must be a Uint8Array or an ArrayBuffer holding the file's contents, got ${found}` +
      (typeof input === 'string' ? ' (to read a file by path in Node.js, use readAudioFile)' : ''),
    { field: 'bytes' },
  );
}

/**
 * Tells the audio format of a file from its first bytes (magic numbers), without decoding.
 *
 * @param bytes - The file's contents (the first 64 bytes or so are enough, more when an
 *   ID3 tag precedes FLAC/MP3 data).
 * @returns `'wav'` (RIFF/WAVE, RF64, BW64), `'flac'` (native or Ogg FLAC), `'mp3'` (MPEG
 *   audio layer I/II/III, with or without ID3v2 tags), or `undefined` for anything that
 *   `decodeAudio` cannot decode.
 * @throws InvalidArgumentError when `bytes` is not a Uint8Array or ArrayBuffer.
 * @example
 * ```ts
 * detectAudioFormat(encodeWav(createAudioData([new Float32Array(4)], 8000))); // 'wav'
 * ```
 */
export function detectAudioFormat(bytes: Uint8Array | ArrayBuffer): AudioFormat | undefined {
  const sniffed = sniffAudio(toBytes(bytes, 'detectAudioFormat'));
  switch (sniffed.kind) {
    case 'wav':
      return 'wav';
    case 'flac':
    case 'ogg-flac':
      return 'flac';
    case 'mp3':
      return 'mp3';
    default:
      return undefined;
  }
}
