/**
 * Internal: splits a native FLAC stream into frames and checks each one (header CRC-8,
 * frame CRC-16, frame/sample numbering, consistency with STREAMINFO) before decoding.
 *
 * Why: the WASM decoder's own frame splitter drops damaged frames silently (no entry in
 * its `errors`), so a corrupt file would decode "successfully" with audio missing from
 * the middle and every later onset shifted. Walking the frames here lets adtkit name the
 * byte offset of the first bad frame, and tell a cut-off last frame (truncation, which
 * `allowTruncated` may accept) from damage in the middle (always an error).
 */

export interface FlacStreamParams {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

export interface FlacFrameHeader {
  /** Samples per channel in this frame. */
  blockSize: number;
  /** Frame number (fixed block size) or number of the first sample (variable). */
  number: number;
  variableBlockSize: boolean;
}

let crc8Table: Uint8Array | undefined;
let crc16Table: Uint16Array | undefined;

function tables(): { crc8: Uint8Array; crc16: Uint16Array } {
  if (crc8Table === undefined || crc16Table === undefined) {
    crc8Table = new Uint8Array(256);
    crc16Table = new Uint16Array(256);
    for (let i = 0; i < 256; i++) {
      let c8 = i;
      let c16 = i << 8;
      for (let k = 0; k < 8; k++) {
        c8 = c8 & 0x80 ? ((c8 << 1) ^ 0x07) & 0xff : (c8 << 1) & 0xff; // x^8 + x^2 + x + 1
        c16 = c16 & 0x8000 ? ((c16 << 1) ^ 0x8005) & 0xffff : (c16 << 1) & 0xffff; // x^16 + x^15 + x^2 + 1
      }
      crc8Table[i] = c8;
      crc16Table[i] = c16;
    }
  }
  return { crc8: crc8Table, crc16: crc16Table };
}

function crc16(bytes: Uint8Array, start: number, end: number): number {
  const table = tables().crc16;
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ table[(crc >> 8) ^ bytes[i]];
  return crc;
}

const SAMPLE_RATES = [0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000];
const SAMPLE_SIZES = [0, 8, 12, -1, 16, 20, 24, 32];

/**
 * Parses the frame header at `pos`. Returns undefined unless it is a valid header (sync,
 * reserved bits, CRC-8) that agrees with the stream's parameters.
 */
export function parseFlacFrameHeader(bytes: Uint8Array, pos: number, params: FlacStreamParams): FlacFrameHeader | undefined {
  const end = bytes.length;
  if (pos + 6 > end || bytes[pos] !== 0xff || (bytes[pos + 1] & 0xfe) !== 0xf8) return undefined;
  const variableBlockSize = (bytes[pos + 1] & 1) === 1;
  const blockCode = bytes[pos + 2] >> 4;
  const rateCode = bytes[pos + 2] & 0x0f;
  const channelCode = bytes[pos + 3] >> 4;
  const sizeCode = (bytes[pos + 3] >> 1) & 7;
  if (blockCode === 0 || rateCode === 15 || channelCode > 10 || (bytes[pos + 3] & 1) !== 0) return undefined;
  const channels = channelCode <= 7 ? channelCode + 1 : 2;
  if (channels !== params.channels) return undefined;
  const bits = SAMPLE_SIZES[sizeCode];
  if (bits < 0 || (bits !== 0 && bits !== params.bitsPerSample)) return undefined;
  if (rateCode >= 1 && rateCode <= 11 && SAMPLE_RATES[rateCode] !== params.sampleRate) return undefined;

  // Frame or sample number, UTF-8-like coding of up to 36 bits.
  let p = pos + 4;
  const first = bytes[p++];
  let extra: number;
  let number: number;
  if (first < 0x80) { extra = 0; number = first; }
  else if ((first & 0xe0) === 0xc0) { extra = 1; number = first & 0x1f; }
  else if ((first & 0xf0) === 0xe0) { extra = 2; number = first & 0x0f; }
  else if ((first & 0xf8) === 0xf0) { extra = 3; number = first & 0x07; }
  else if ((first & 0xfc) === 0xf8) { extra = 4; number = first & 0x03; }
  else if ((first & 0xfe) === 0xfc) { extra = 5; number = first & 0x01; }
  else if (first === 0xfe && variableBlockSize) { extra = 6; number = 0; }
  else return undefined;
  if (p + extra > end) return undefined;
  for (let i = 0; i < extra; i++) {
    const b = bytes[p++];
    if ((b & 0xc0) !== 0x80) return undefined;
    number = number * 64 + (b & 0x3f);
  }

  let blockSize: number;
  if (blockCode === 1) blockSize = 192;
  else if (blockCode <= 5) blockSize = 576 << (blockCode - 2);
  else if (blockCode === 6) {
    if (p + 1 > end) return undefined;
    blockSize = bytes[p++] + 1;
  } else if (blockCode === 7) {
    if (p + 2 > end) return undefined;
    blockSize = ((bytes[p] << 8) | bytes[p + 1]) + 1;
    p += 2;
  } else blockSize = 256 << (blockCode - 8);

  let rate = SAMPLE_RATES[rateCode] ?? 0;
  if (rateCode >= 12) {
    const n = rateCode === 12 ? 1 : 2;
    if (p + n > end) return undefined;
    const v = n === 1 ? bytes[p] : (bytes[p] << 8) | bytes[p + 1];
    rate = rateCode === 12 ? v * 1000 : rateCode === 13 ? v : v * 10;
    p += n;
    if (rate !== params.sampleRate) return undefined;
  }
  if (p + 1 > end) return undefined;
  const table = tables().crc8;
  let crc = 0;
  for (let i = pos; i < p; i++) crc = table[crc ^ bytes[i]];
  if (crc !== bytes[p]) return undefined;
  return { blockSize, number, variableBlockSize };
}

export interface FlacFrame {
  /** Byte offset of the frame in the file. */
  offset: number;
  bytes: Uint8Array;
  header: FlacFrameHeader;
}

export type FlacSplitResult =
  | { ok: true; frames: FlacFrame[]; samples: number }
  /** `truncatedAt`: the last frame runs to the end of the file and fails its CRC. */
  | { ok: false; frames: FlacFrame[]; samples: number; problem: 'truncated' | 'corrupt'; offset: number; message: string };

/** Splits the frames from `start` (first byte after the metadata blocks) to the end. */
export function splitFlacFrames(bytes: Uint8Array, start: number, params: FlacStreamParams): FlacSplitResult {
  const frames: FlacFrame[] = [];
  let samples = 0;
  let pos = start;
  const stop = (problem: 'truncated' | 'corrupt', offset: number, message: string): FlacSplitResult => ({ ok: false, frames, samples, problem, offset, message });
  while (pos < bytes.length) {
    const header = parseFlacFrameHeader(bytes, pos, params);
    const expected = frames.length === 0 ? undefined : frames[0].header.variableBlockSize ? samples : frames.length;
    if (header === undefined || (expected !== undefined && header.number !== expected)) {
      if (frames.length === 0 && header === undefined) {
        return stop(bytes.length - pos < 16 ? 'truncated' : 'corrupt', pos,
          `no valid FLAC frame header at byte ${pos}, where the first audio frame should start (expected one matching STREAMINFO: ${params.channels} channel(s), ${params.bitsPerSample}-bit, ${params.sampleRate} Hz)`);
      }
      return stop('corrupt', pos, header === undefined
        ? `no valid FLAC frame header at byte ${pos}, where frame ${frames.length} should start`
        : `FLAC frame at byte ${pos} is numbered ${header.number} but ${expected} was expected (frames missing or out of order)`);
    }
    const nextNumber = header.variableBlockSize ? samples + header.blockSize : frames.length + 1;
    // The frame ends where the next valid header with the next number starts and the
    // CRC-16 over the frame matches; the last frame ends at the end of the file.
    let end = -1;
    let sawNextHeader = false;
    for (let p = pos + 4; p < bytes.length - 1; p++) {
      if (bytes[p] !== 0xff || (bytes[p + 1] & 0xfe) !== 0xf8) continue;
      const next = parseFlacFrameHeader(bytes, p, params);
      if (next === undefined || next.number !== nextNumber || next.variableBlockSize !== header.variableBlockSize) continue;
      sawNextHeader = true;
      if (crc16(bytes, pos, p - 2) === ((bytes[p - 2] << 8) | bytes[p - 1])) {
        end = p;
        break;
      }
    }
    if (end < 0) {
      const len = bytes.length;
      if (len - pos >= 2 && crc16(bytes, pos, len - 2) === ((bytes[len - 2] << 8) | bytes[len - 1])) end = len;
      else if (sawNextHeader) return stop('corrupt', pos, `FLAC frame ${frames.length} at byte ${pos} fails its CRC-16 check (damaged data)`);
      else return stop('truncated', pos, `the last FLAC frame (frame ${frames.length}, at byte ${pos}) is incomplete or damaged: it fails its CRC-16 check at the end of the file`);
    }
    frames.push({ offset: pos, bytes: bytes.subarray(pos, end), header });
    samples += header.blockSize;
    pos = end;
  }
  return { ok: true, frames, samples };
}
