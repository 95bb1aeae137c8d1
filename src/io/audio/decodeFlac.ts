/**
 * Internal: FLAC (native and Ogg FLAC) through @wasm-audio-decoders/flac (libFLAC compiled
 * to WebAssembly; runs in Node and browsers). adtkit parses STREAMINFO itself so that a
 * truncated stream (fewer samples than STREAMINFO declares, which the decoder does not
 * report) and inconsistent headers become typed errors.
 */
import { AudioError, CorruptFileError } from '../../errors.js';
import { finishAudio, truncated, withConsoleErrorCaptured, type DecodeContext } from './context.js';
import type { AudioData } from './types.js';

interface StreamInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 0 = unknown. */
  totalSamples: number;
}

/** Reads the 34-byte STREAMINFO body at `pos`. */
function readStreamInfo(bytes: Uint8Array, pos: number): StreamInfo {
  const b = (i: number) => bytes[pos + i];
  return {
    sampleRate: (b(10) << 12) | (b(11) << 4) | (b(12) >> 4),
    channels: ((b(12) >> 1) & 7) + 1,
    bitsPerSample: (((b(12) & 1) << 4) | (b(13) >> 4)) + 1,
    totalSamples: (b(13) & 0x0f) * 0x100000000 + ((b(14) << 24) >>> 0) + ((b(15) << 16) | (b(16) << 8) | b(17)),
  };
}

/** Walks the metadata blocks of a native FLAC stream starting at `start` (the `fLaC`). */
function parseNativeHeader(bytes: Uint8Array, start: number, ctx: DecodeContext): { info: StreamInfo; audioStart: number } {
  const corrupt = (message: string, offset: number): never => {
    throw new CorruptFileError(`${ctx.label}: ${message}`, { file: ctx.file, offset });
  };
  let pos = start + 4;
  if (pos + 4 + 34 > bytes.length) {
    corrupt(`FLAC file of ${bytes.length} bytes ends inside its STREAMINFO block (needs ${pos + 38 - start} bytes after 'fLaC' at byte ${start})`, pos);
  }
  if ((bytes[pos] & 0x7f) !== 0) corrupt(`the first FLAC metadata block (byte ${pos}) has type ${bytes[pos] & 0x7f}, but it must be STREAMINFO (0)`, pos);
  const infoLength = (bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3];
  if (infoLength < 34) corrupt(`the FLAC STREAMINFO block at byte ${pos} is ${infoLength} bytes long, expected 34`, pos);
  const info = readStreamInfo(bytes, pos + 4);
  // Walk the remaining metadata blocks (VORBIS_COMMENT, SEEKTABLE, PICTURE, PADDING, ...).
  for (;;) {
    const header = bytes[pos];
    const length = (bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3];
    if ((header & 0x7f) === 127) corrupt(`FLAC metadata block at byte ${pos} has the invalid type 127`, pos);
    const next = pos + 4 + length;
    if (next > bytes.length) {
      corrupt(`FLAC metadata block at byte ${pos} declares ${length} bytes but the file ends at byte ${bytes.length}`, pos);
    }
    pos = next;
    if ((header & 0x80) !== 0) break; // last-metadata-block flag
    if (pos + 4 > bytes.length) corrupt(`FLAC file ends at byte ${bytes.length} inside its metadata blocks (no block is marked last)`, pos);
  }
  return { info, audioStart: pos };
}

/** STREAMINFO of an Ogg FLAC stream: inside the first packet of the first page. */
function parseOggHeader(bytes: Uint8Array, ctx: DecodeContext): StreamInfo {
  const payload = 27 + bytes[26];
  // 0x7F "FLAC" major minor numHeaders(2) "fLaC" blockHeader(4) STREAMINFO(34)
  const info = payload + 17;
  if (info + 34 > bytes.length || String.fromCharCode(...bytes.subarray(payload + 9, payload + 13)) !== 'fLaC') {
    throw new CorruptFileError(`${ctx.label}: the Ogg FLAC header packet at byte ${payload} is truncated or malformed`, { file: ctx.file, offset: payload });
  }
  return readStreamInfo(bytes, info);
}

/** Decodes native FLAC (`fLaC` at `start`) or, with `ogg`, Ogg FLAC. */
export async function decodeFlac(bytes: Uint8Array, start: number, ogg: boolean, ctx: DecodeContext): Promise<AudioData> {
  let info: StreamInfo;
  let audioStart = start;
  if (ogg) info = parseOggHeader(bytes, ctx);
  else ({ info, audioStart } = parseNativeHeader(bytes, start, ctx));
  if (info.sampleRate === 0) {
    throw new AudioError(`${ctx.label}: FLAC STREAMINFO declares a sample rate of 0 Hz`, { file: ctx.file, field: 'sampleRate' });
  }
  if (info.bitsPerSample < 4) {
    throw new CorruptFileError(`${ctx.label}: FLAC STREAMINFO declares ${info.bitsPerSample} bits per sample (at least 4 expected)`, { file: ctx.file });
  }

  const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
  const decoder = new FLACDecoder();
  let decoded;
  try {
    try {
      await decoder.ready;
    } catch (cause) {
      throw new AudioError(`${ctx.label}: could not start the WebAssembly FLAC decoder (${String(cause)}); WebAssembly must be available`, { file: ctx.file, cause });
    }
    try {
      // decodeFile does its decoding synchronously before its first await; see withConsoleErrorCaptured.
      decoded = await withConsoleErrorCaptured(() => decoder.decodeFile(bytes.subarray(start))).result;
    } catch (cause) {
      throw new CorruptFileError(`${ctx.label}: the FLAC decoder failed: ${cause instanceof Error ? cause.message : String(cause)}`, { file: ctx.file, cause });
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
    const where = ogg ? `frame ${e.frameNumber}` : `frame ${e.frameNumber} (near byte ${audioStart + e.inputBytes})`;
    throw new CorruptFileError(
      `${ctx.label}: FLAC stream is corrupt: ${e.message.replace(/^Error: /, '')} in ${where}` +
        (decoded.errors.length > 1 ? ` (${decoded.errors.length} errors in all)` : ''),
      { file: ctx.file, offset: ogg ? undefined : audioStart + e.inputBytes },
    );
  }
  const samples = decoded.samplesDecoded;
  if (samples > 0) {
    if (decoded.channelData.length !== info.channels || decoded.sampleRate !== info.sampleRate) {
      throw new CorruptFileError(
        `${ctx.label}: FLAC frames hold ${decoded.channelData.length} channel(s) at ${decoded.sampleRate} Hz but STREAMINFO declares ${info.channels} at ${info.sampleRate} Hz`,
        { file: ctx.file },
      );
    }
  }
  if (info.totalSamples > 0 && samples !== info.totalSamples) {
    if (samples > info.totalSamples) {
      throw new CorruptFileError(`${ctx.label}: FLAC stream holds ${samples} samples per channel but STREAMINFO declares ${info.totalSamples}`, { file: ctx.file });
    }
    truncated(ctx, `FLAC STREAMINFO declares ${info.totalSamples} samples per channel but only ${samples} could be decoded`);
  }
  const channels = samples > 0 ? decoded.channelData : Array.from({ length: info.channels }, () => new Float32Array(0));
  return finishAudio(ctx, channels, info.sampleRate, 'flac', info.bitsPerSample, true);
}
