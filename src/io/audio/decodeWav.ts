/**
 * Internal: WAV (RIFF/WAVE, RF64, BW64) decoder.
 *
 * Hand-written rather than taken from a library: the WAV readers on npm (wavefile,
 * node-wav, wav-decoder) either lack some of the sample formats needed here (24-bit,
 * float64, WAVE_FORMAT_EXTENSIBLE, RF64), or accept truncated and inconsistent files
 * silently, or throw bare Errors/RangeErrors without the byte offset of the problem. The
 * format is small enough that a strict reader with typed errors is about 250 lines.
 */
import { AudioError, CorruptFileError, NonFiniteError, UnsupportedFormatError } from '../../errors.js';
import { finishAudio, truncated, type DecodeContext } from './context.js';
import type { AudioData } from './types.js';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Bytes 4..15 of the KSDATAFORMAT_SUBTYPE_* GUIDs (xxxxxxxx-0000-0010-8000-00aa00389b71). */
const SUBTYPE_GUID_TAIL = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MPEG Layer III (MP3 in WAV)',
  0x00ff: 'AAC',
  0x2000: 'AC-3',
  0xf1ac: 'FLAC in WAV',
};

interface FmtChunk {
  formatTag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** Offset of the chunk header, for messages. */
  offset: number;
}

function fourcc(bytes: Uint8Array, pos: number): string {
  return String.fromCharCode(bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]);
}

/** Printable form of a chunk id for messages (non-printable bytes as \xNN). */
function printableId(id: string): string {
  return id.replace(/[^\x20-\x7e]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Decodes a WAV file. `container` comes from the sniffer (bytes 0..3). */
export function decodeWav(bytes: Uint8Array, container: 'RIFF' | 'RF64' | 'BW64', ctx: DecodeContext): AudioData {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fileLength = bytes.length;
  const isRf64 = container !== 'RIFF';
  const fail = (message: string, offset?: number): never => {
    throw new CorruptFileError(`${ctx.label}: ${message}`, { file: ctx.file, offset });
  };

  let fmt: FmtChunk | undefined;
  let dataOffset = -1; // offset of the data chunk header
  let dataDeclared = 0; // size the header declares [bytes]
  let ds64DataSize: number | undefined;

  // The RIFF size field (bytes 4..7) is not used: streaming writers leave it 0 or
  // 0xFFFFFFFF, and files with trailing tags exceed it. Chunks are walked up to the end
  // of the file and the walk stops once both 'fmt ' and 'data' are known.
  let pos = 12;
  while (pos + 8 <= fileLength && (fmt === undefined || dataOffset < 0)) {
    const id = fourcc(bytes, pos);
    let size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'ds64' && isRf64) {
      if (size < 24 || body + 24 > fileLength) fail(`RF64 'ds64' chunk at byte ${pos} is too short (${size} bytes, needs 24)`, pos);
      const high = view.getUint32(body + 12, true);
      if (high >= 0x200000) fail(`RF64 'ds64' chunk at byte ${pos} declares a data size of 2^53 bytes or more`, pos);
      ds64DataSize = view.getUint32(body + 8, true) + high * 0x100000000;
    } else if (id === 'data') {
      if (isRf64 && size === 0xffffffff) {
        if (ds64DataSize === undefined) fail(`RF64 'data' chunk at byte ${pos} defers its size to a 'ds64' chunk, but there is none before it`, pos);
        size = ds64DataSize as number;
      }
      dataOffset = pos;
      dataDeclared = size;
      if (body + size > fileLength) break; // truncated data: handled below
    } else if (id === 'fmt ') {
      if (body + size > fileLength) fail(`'fmt ' chunk at byte ${pos} declares ${size} bytes but the file ends at byte ${fileLength}`, pos);
      fmt = parseFmt(bytes, view, pos, size, ctx);
    } else if (body + size > fileLength) {
      fail(`chunk '${printableId(id)}' at byte ${pos} declares ${size} bytes but the file ends at byte ${fileLength}, before any 'data' chunk was found`, pos);
    }
    // Chunks are padded to an even size; the pad byte is not counted in `size`.
    pos = body + size + (size & 1);
  }

  if (fmt === undefined) {
    fail(dataOffset >= 0
      ? `no 'fmt ' chunk before the end of the file (the 'data' chunk at byte ${dataOffset} cannot be interpreted)`
      : `no 'fmt ' chunk found (${fileLength} bytes); this is not a complete WAV file`);
  }
  if (dataOffset < 0) fail(`no 'data' chunk found after walking all chunks (${fileLength} bytes)`);
  const format = fmt as FmtChunk;

  const dataStart = dataOffset + 8;
  let usable = dataDeclared;
  if (dataStart + dataDeclared > fileLength) {
    usable = fileLength - dataStart;
    const unknownSize = dataDeclared === 0xffffffff && !isRf64;
    truncated(ctx, unknownSize
      ? `'data' chunk at byte ${dataOffset} has the size 0xFFFFFFFF (unknown; written by a streaming encoder) and ${usable} bytes follow it`
      : `'data' chunk at byte ${dataOffset} declares ${dataDeclared} bytes of samples but the file ends at byte ${fileLength}, after ${usable} of them`, dataOffset);
  }
  const remainder = usable % format.blockAlign;
  if (remainder !== 0) {
    truncated(ctx, `'data' chunk at byte ${dataOffset} holds ${usable} bytes, not a whole number of ${format.blockAlign}-byte sample frames (${remainder} bytes left over at byte ${dataStart + usable - remainder})`, dataStart + usable - remainder);
    usable -= remainder;
  }
  const frames = usable / format.blockAlign;
  if (frames === 0) {
    throw new AudioError(`${ctx.label}: the 'data' chunk at byte ${dataOffset} holds no samples (zero-length audio)`, { file: ctx.file, offset: dataOffset });
  }
  const channels = readSamples(view, dataStart, frames, format, ctx);
  return finishAudio(ctx, channels, format.sampleRate, 'wav', format.bitsPerSample, false);
}

function parseFmt(bytes: Uint8Array, view: DataView, pos: number, size: number, ctx: DecodeContext): FmtChunk {
  const body = pos + 8;
  const corrupt = (message: string, offset: number): never => {
    throw new CorruptFileError(`${ctx.label}: 'fmt ' chunk at byte ${pos}: ${message}`, { file: ctx.file, offset });
  };
  if (size < 16) corrupt(`is ${size} bytes long, needs at least 16`, pos);
  let formatTag = view.getUint16(body, true);
  const channels = view.getUint16(body + 2, true);
  const sampleRate = view.getUint32(body + 4, true);
  const blockAlign = view.getUint16(body + 12, true);
  let bitsPerSample = view.getUint16(body + 14, true);
  let containerBits = bitsPerSample;

  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) corrupt(`WAVE_FORMAT_EXTENSIBLE needs a 40-byte chunk, this one is ${size} bytes`, pos);
    const validBits = view.getUint16(body + 18, true);
    const subFormat = view.getUint32(body + 24, true);
    for (let i = 0; i < 12; i++) {
      if (bytes[body + 28 + i] !== SUBTYPE_GUID_TAIL[i]) {
        throw new UnsupportedFormatError(
          `${ctx.label}: WAVE_FORMAT_EXTENSIBLE sub-format GUID at byte ${body + 24} is not a standard KSDATAFORMAT_SUBTYPE (PCM or IEEE float)`,
          { file: ctx.file, offset: body + 24 },
        );
      }
    }
    formatTag = subFormat;
    // wValidBitsPerSample (0 = same as the container) may be smaller than the container.
    if (validBits > containerBits) corrupt(`valid bits per sample (${validBits}) exceed the container size (${containerBits} bits)`, body + 18);
    if (validBits !== 0) bitsPerSample = validBits;
  }

  if (channels === 0) corrupt('declares 0 channels', body + 2);
  if (bitsPerSample === 0) corrupt('declares 0 bits per sample', body + 14);
  if (sampleRate === 0) {
    throw new AudioError(`${ctx.label}: 'fmt ' chunk at byte ${pos} declares a sample rate of 0 Hz`, { file: ctx.file, offset: body + 4, field: 'sampleRate' });
  }
  if (formatTag === WAVE_FORMAT_PCM) {
    // Samples of 12 or 20 bits sit left-justified in a 16- or 24-bit container.
    if (containerBits > 32) {
      throw new UnsupportedFormatError(`${ctx.label}: ${containerBits}-bit PCM is not supported (8, 16, 24 and 32 bits are)`, { file: ctx.file, offset: body + 14 });
    }
    containerBits = Math.ceil(containerBits / 8) * 8;
  } else if (formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    if (containerBits !== 32 && containerBits !== 64) {
      throw new UnsupportedFormatError(`${ctx.label}: ${containerBits}-bit IEEE float is not supported (32 and 64 bits are)`, { file: ctx.file, offset: body + 14 });
    }
  } else {
    const name = FORMAT_NAMES[formatTag] ?? 'unknown';
    throw new UnsupportedFormatError(
      `${ctx.label}: WAV sample format 0x${formatTag.toString(16).padStart(4, '0')} (${name}) is not supported; adtkit reads PCM (8/16/24/32-bit) and IEEE float (32/64-bit) WAV. Convert the file, e.g. \`ffmpeg -i in.wav -c:a pcm_s16le out.wav\``,
      { file: ctx.file, offset: body },
    );
  }
  const expectedAlign = channels * (containerBits / 8);
  if (blockAlign !== expectedAlign) {
    corrupt(`block align is ${blockAlign} bytes but ${channels} channel(s) of ${containerBits}-bit samples need ${expectedAlign}`, body + 12);
  }
  return { formatTag, channels, sampleRate, blockAlign, bitsPerSample, offset: pos };
}

/** De-interleaves and scales the samples to float in [-1, 1). */
function readSamples(view: DataView, start: number, frames: number, fmt: FmtChunk, ctx: DecodeContext): Float32Array[] {
  const { channels: n, blockAlign, formatTag } = fmt;
  const bytesPerSample = blockAlign / n;
  const channels: Float32Array[] = [];
  for (let c = 0; c < n; c++) channels.push(new Float32Array(frames));
  for (let c = 0; c < n; c++) {
    const out = channels[c];
    let p = start + c * bytesPerSample;
    if (formatTag === WAVE_FORMAT_IEEE_FLOAT) {
      const is64 = bytesPerSample === 8;
      for (let i = 0; i < frames; i++, p += blockAlign) {
        const v = is64 ? view.getFloat64(p, true) : view.getFloat32(p, true);
        out[i] = v;
        // Checked after the store: a finite float64 beyond the float32 range becomes ±Infinity.
        if (out[i] - out[i] !== 0) {
          throw new NonFiniteError(
            `${ctx.label}: sample ${i} of channel ${c} (byte ${p}) is ${v}` +
              (Number.isFinite(v) ? ', beyond the float32 range' : '') + '; float WAV samples must be finite',
            { file: ctx.file, offset: p },
          );
        }
      }
    } else if (bytesPerSample === 1) {
      // 8-bit WAV is unsigned with 128 as zero.
      for (let i = 0; i < frames; i++, p += blockAlign) out[i] = (view.getUint8(p) - 128) / 128;
    } else if (bytesPerSample === 2) {
      for (let i = 0; i < frames; i++, p += blockAlign) out[i] = view.getInt16(p, true) / 32768;
    } else if (bytesPerSample === 3) {
      for (let i = 0; i < frames; i++, p += blockAlign) {
        const v = view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16);
        out[i] = v / 8388608;
      }
    } else {
      for (let i = 0; i < frames; i++, p += blockAlign) out[i] = view.getInt32(p, true) / 2147483648;
    }
  }
  return channels;
}
