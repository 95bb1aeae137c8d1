import { AdtError, InvalidArgumentError } from '../../errors.js';
import { decodeAudio } from './decodeAudio.js';
import type { AudioData, DecodeAudioOptions } from './types.js';

/** Options of {@link readAudioFile}: those of `decodeAudio`, the file name being the path. */
export type ReadAudioFileOptions = Omit<DecodeAudioOptions, 'fileName'>;

/**
 * Reads an audio file from disk and decodes it (Node.js only; in a browser, fetch the
 * bytes and call `decodeAudio`). `node:fs/promises` is imported on first call, so the
 * browser build of adtkit does not depend on it.
 *
 * @param path - File path (absolute or relative to the working directory).
 * @param options - Decoding options, see `DecodeAudioOptions`.
 * @returns The decoded audio; error messages name `path`.
 * @throws AdtError with code `IO_ERROR` when the file cannot be read (missing, a
 *   directory, no permission) or when not running in Node.js.
 * @throws InvalidArgumentError when `path` is not a non-empty string.
 * @throws UnsupportedFormatError, CorruptFileError, AudioError, NonFiniteError as
 *   `decodeAudio` does.
 * @example
 * ```ts
 * const audio = await readAudioFile('drums.flac');
 * console.log(audio.sampleRate, audio.durationSeconds);
 * ```
 */
export async function readAudioFile(path: string, options: ReadAudioFileOptions = {}): Promise<AudioData> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new InvalidArgumentError(`readAudioFile: path must be a non-empty string, got ${path === '' ? 'an empty string' : typeof path}`, { field: 'path' });
  }
  // A specifier in a variable keeps bundlers from trying to resolve the Node built-in.
  const fsModule = 'node:fs/promises';
  let readFile: (path: string) => Promise<Uint8Array>;
  try {
    ({ readFile } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fsModule)) as { readFile: (path: string) => Promise<Uint8Array> });
  } catch (cause) {
    throw new AdtError('IO_ERROR', `readAudioFile(${path}): node:fs is not available in this environment; fetch the file and call decodeAudio(bytes) instead`, { file: path, cause });
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String((cause as Error)?.message ?? cause);
    throw new AdtError('IO_ERROR', `${path}: cannot read the audio file: ${reason}`, { file: path, cause });
  }
  return decodeAudio(bytes, { ...options, fileName: path });
}
