/**
 * Internal: MPEG audio (MP3, and MP2/MP1) through mpg123-decoder (mpg123 compiled to
 * WebAssembly; Node and browsers). Gapless: encoder delay and padding announced in a
 * LAME/Xing header are removed. mpg123 always outputs two channels; a mono stream keeps
 * one. adtkit walks the frame headers itself to detect a cut-off last frame, which the
 * decoder skips silently.
 */
import { AudioError, CorruptFileError } from '../../errors.js';
import { finishAudio, truncated, withConsoleErrorCaptured, type DecodeContext } from './context.js';
import { parseMpegFrameHeader, type MpegFrameHeader } from './sniff.js';
import type { AudioData } from './types.js';

/** Trailing tags that may follow the last MPEG frame. */
const TRAILERS = ['TAG', 'APETAGEX', 'LYRICSBEGIN', 'ID3'];

function startsWith(bytes: Uint8Array, pos: number, magic: string): boolean {
  for (let i = 0; i < magic.length; i++) if (bytes[pos + i] !== magic.charCodeAt(i)) return false;
  return true;
}

/**
 * Follows the chain of frames from `start` while the headers stay consistent with the
 * first one. Reports a last frame that runs past the end of the file. Returns the number
 * of complete frames in the chain (-1 when unknown).
 */
function checkLastFrame(bytes: Uint8Array, start: number, first: MpegFrameHeader, ctx: DecodeContext): number {
  if (first.frameLength === 0) return -1; // free-format bitrate: frame lengths unknown
  let pos = start;
  let frames = 0;
  for (;;) {
    const h = parseMpegFrameHeader(bytes, pos);
    if (h === undefined || h.frameLength === 0 || h.version !== first.version || h.layer !== first.layer || h.sampleRate !== first.sampleRate) return frames;
    if (pos + h.frameLength > bytes.length) {
      // Not a trailer whose bytes happen to look like a header: the chain reached here.
      if (!TRAILERS.some((t) => startsWith(bytes, pos, t))) {
        truncated(ctx, `MPEG audio frame ${frames} at byte ${pos} needs ${h.frameLength} bytes but the file ends after ${bytes.length - pos} of them`, pos);
      }
      return frames;
    }
    pos += h.frameLength;
    frames++;
  }
}

/** Decodes MPEG audio whose first frame (header `first`) starts at byte `start`. */
export async function decodeMp3(bytes: Uint8Array, start: number, first: MpegFrameHeader, ctx: DecodeContext): Promise<AudioData> {
  const completeFrames = checkLastFrame(bytes, start, first, ctx);
  let MPEGDecoder: typeof import('mpg123-decoder').MPEGDecoder;
  try {
    ({ MPEGDecoder } = await import('mpg123-decoder'));
  } catch (cause) {
    // e.g. the CommonJS build on a Node.js without require(esm) (before 20.19 / 22.12).
    throw new AudioError(`${ctx.label}: could not load the MP3 decoder module 'mpg123-decoder' (${String(cause)})`, { file: ctx.file, cause });
  }
  const decoder = new MPEGDecoder();
  let decoded;
  try {
    try {
      await decoder.ready;
    } catch (cause) {
      throw new AudioError(`${ctx.label}: could not start the WebAssembly MP3 decoder (${String(cause)}); WebAssembly must be available`, { file: ctx.file, cause });
    }
    try {
      decoded = withConsoleErrorCaptured(() => decoder.decode(bytes.subarray(start))).result;
    } catch (cause) {
      throw new CorruptFileError(`${ctx.label}: the MP3 decoder failed: ${cause instanceof Error ? cause.message : String(cause)}`, { file: ctx.file, cause });
    }
  } finally {
    try {
      decoder.free();
    } catch {
      // free() fails only when the WASM never started; nothing to release then.
    }
  }
  if (decoded.errors.length > 0) {
    const e = decoded.errors[0];
    throw new CorruptFileError(
      `${ctx.label}: MPEG audio stream is corrupt: mpg123 error ${e.message} after ${start + e.inputBytes} bytes` +
        (decoded.errors.length > 1 ? ` (${decoded.errors.length} errors in all)` : ''),
      { file: ctx.file, offset: start + e.inputBytes },
    );
  }
  if (decoded.samplesDecoded === 0) {
    if (completeFrames === 0) {
      throw new CorruptFileError(`${ctx.label}: the data at byte ${start} starts like an MPEG audio frame but no complete frame follows; not a valid MP3 file`, { file: ctx.file, offset: start });
    }
    throw new AudioError(`${ctx.label}: the MPEG stream starting at byte ${start} contains no audio samples (zero-length audio)`, { file: ctx.file, offset: start });
  }
  if (decoded.sampleRate !== first.sampleRate) {
    throw new CorruptFileError(`${ctx.label}: MPEG frames decode at ${decoded.sampleRate} Hz but the first frame header (byte ${start}) says ${first.sampleRate} Hz`, { file: ctx.file, offset: start });
  }
  const channels = first.channels === 1 ? [decoded.channelData[0]] : decoded.channelData.slice(0, 2);
  return finishAudio(ctx, channels, first.sampleRate, 'mp3', undefined, true);
}
