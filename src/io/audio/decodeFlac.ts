/**
 * Internal: FLAC (native and Ogg FLAC) through @wasm-audio-decoders/flac (libFLAC compiled
 * to WebAssembly; runs in Node and browsers). adtkit parses STREAMINFO and splits the
 * frames itself (flacFrames.ts) so that truncated or damaged streams, which the decoder
 * does not report, and inconsistent headers become typed errors with byte offsets.
 */
import { AudioError, CorruptFileError } from '../../errors.js';
import { finishAudio, truncated, withConsoleErrorCaptured, type DecodeContext } from './context.js';
import { splitFlacFrames, type FlacFrame } from './flacFrames.js';
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

/**
 * The WASM decoder returns integer samples divided by 2^(bits-1) - 1; adtkit (like
 * libsndfile, soundfile and its own WAV reader) divides by 2^(bits-1). Up to 24 bits the
 * integer is recovered exactly (float32 holds it to better than 0.25), so FLAC and WAV of
 * the same samples decode to identical floats.
 */
function rescale(channels: Float32Array[], bits: number): void {
  const decoderScale = 2 ** (bits - 1) - 1;
  const scale = 2 ** (bits - 1);
  for (const data of channels) {
    if (bits <= 24) for (let i = 0; i < data.length; i++) data[i] = Math.round(data[i] * decoderScale) / scale;
    else for (let i = 0; i < data.length; i++) data[i] = (data[i] * decoderScale) / scale;
  }
}

/** Bytes of a trailing ID3v1 tag ("TAG" + 125 bytes) that some taggers append to FLAC. */
function trailingId3v1(bytes: Uint8Array, audioStart: number): number {
  const p = bytes.length - 128;
  return p >= audioStart && bytes[p] === 0x54 && bytes[p + 1] === 0x41 && bytes[p + 2] === 0x47 ? 128 : 0;
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

  // Native FLAC: split and check the frames here (see flacFrames.ts). Ogg FLAC: the
  // decoder's own Ogg demuxer, checked against STREAMINFO's sample count only.
  let frames: FlacFrame[] = [];
  let warned = false;
  if (!ogg) {
    const audio = bytes.subarray(0, bytes.length - trailingId3v1(bytes, audioStart));
    const split = splitFlacFrames(audio, audioStart, info);
    if (!split.ok) {
      if (split.problem === 'corrupt') {
        throw new CorruptFileError(`${ctx.label}: ${split.message}`, { file: ctx.file, offset: split.offset });
      }
      truncated(ctx, split.message, split.offset);
      warned = true;
    }
    frames = split.frames;
    if (frames.length === 0) {
      if (info.totalSamples > 0) truncated(ctx, `FLAC STREAMINFO declares ${info.totalSamples} samples per channel but the file holds no complete audio frame`);
      throw new AudioError(`${ctx.label}: the FLAC file contains no audio frames (zero-length audio)`, { file: ctx.file });
    }
  }

  let FLACDecoder: typeof import('@wasm-audio-decoders/flac').FLACDecoder;
  try {
    ({ FLACDecoder } = await import('@wasm-audio-decoders/flac'));
  } catch (cause) {
    // e.g. the CommonJS build on a Node.js without require(esm) (before 20.19 / 22.12).
    throw new AudioError(`${ctx.label}: could not load the FLAC decoder module '@wasm-audio-decoders/flac' (${String(cause)})`, { file: ctx.file, cause });
  }
  const decoder = new FLACDecoder();
  let decoded;
  try {
    try {
      await decoder.ready;
    } catch (cause) {
      throw new AudioError(`${ctx.label}: could not start the WebAssembly FLAC decoder (${String(cause)}); WebAssembly must be available`, { file: ctx.file, cause });
    }
    try {
      // The decoders do their work synchronously before their first await; see withConsoleErrorCaptured.
      decoded = await withConsoleErrorCaptured(() =>
        ogg ? decoder.decodeFile(bytes) : decoder.decodeFrames(frames.map((f) => f.bytes)),
      ).result;
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
    const offset = ogg ? undefined : frames[e.frameNumber]?.offset;
    throw new CorruptFileError(
      `${ctx.label}: FLAC stream is corrupt: ${e.message.replace(/^Error: /, '')} in frame ${e.frameNumber}` +
        (offset !== undefined ? ` (byte ${offset})` : '') +
        (decoded.errors.length > 1 ? ` (${decoded.errors.length} errors in all)` : ''),
      { file: ctx.file, offset },
    );
  }
  const samples = decoded.samplesDecoded;
  if (!ogg) {
    const expected = frames.reduce((n, f) => n + f.header.blockSize, 0);
    if (samples !== expected) {
      throw new CorruptFileError(`${ctx.label}: the FLAC frame headers announce ${expected} samples per channel but ${samples} were decoded`, { file: ctx.file });
    }
  }
  if (samples > 0) {
    if (decoded.channelData.length !== info.channels || decoded.sampleRate !== info.sampleRate || decoded.bitDepth !== info.bitsPerSample) {
      throw new CorruptFileError(
        `${ctx.label}: FLAC frames hold ${decoded.channelData.length} channel(s) of ${decoded.bitDepth}-bit samples at ${decoded.sampleRate} Hz but STREAMINFO declares ${info.channels} of ${info.bitsPerSample}-bit at ${info.sampleRate} Hz`,
        { file: ctx.file },
      );
    }
  }
  if (info.totalSamples > 0 && samples !== info.totalSamples) {
    if (samples > info.totalSamples) {
      throw new CorruptFileError(`${ctx.label}: FLAC stream holds ${samples} samples per channel but STREAMINFO declares ${info.totalSamples}`, { file: ctx.file });
    }
    if (!warned) truncated(ctx, `FLAC STREAMINFO declares ${info.totalSamples} samples per channel but only ${samples} could be decoded`);
  }
  const channels = samples > 0 ? decoded.channelData : Array.from({ length: info.channels }, () => new Float32Array(0));
  rescale(channels, info.bitsPerSample);
  return finishAudio(ctx, channels, info.sampleRate, 'flac', info.bitsPerSample, true);
}
