/**
 * Internal: recognises a file from its first bytes (magic numbers), for audio formats
 * adtkit decodes and for common files that are fed by mistake (so the error can say what
 * the file is). Also the MPEG audio frame header parser used for MP3 detection and checks.
 */

export type SniffResult =
  | { kind: 'wav'; container: 'RIFF' | 'RF64' | 'BW64' }
  /** `start`: byte offset of `fLaC` (after any ID3v2 tag). */
  | { kind: 'flac'; start: number }
  /** Ogg stream whose first packet is FLAC. */
  | { kind: 'ogg-flac' }
  /** `start`: byte offset of the first MPEG audio frame (after any ID3v2 tags). */
  | { kind: 'mp3'; start: number; header: MpegFrameHeader }
  /** Recognised but not decodable: `what` names it for the error message. */
  | { kind: 'unsupported'; what: string; hint?: string }
  | { kind: 'unknown'; what: string };

export interface MpegFrameHeader {
  /** 1, 2 or 2.5 */
  version: 1 | 2 | 2.5;
  /** 1, 2 or 3 */
  layer: 1 | 2 | 3;
  /** [bit/s]; 0 for free format. */
  bitrate: number;
  /** [Hz] */
  sampleRate: number;
  /** 1 (mono) or 2. */
  channels: 1 | 2;
  /** [bytes]; 0 for free format (unknown). */
  frameLength: number;
}

const MPEG_BITRATES_KBPS: Record<string, number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MPEG_SAMPLE_RATES: Record<string, number[]> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};

/** Parses the 4-byte MPEG audio frame header at `pos`; undefined if it is not a valid one. */
export function parseMpegFrameHeader(bytes: Uint8Array, pos: number): MpegFrameHeader | undefined {
  if (pos + 4 > bytes.length) return undefined;
  const b1 = bytes[pos + 1];
  const b2 = bytes[pos + 2];
  const b3 = bytes[pos + 3];
  if (bytes[pos] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const versionBits = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 15 || rateIndex === 3 || (b3 & 3) === 2) return undefined;
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const bitrate = MPEG_BITRATES_KBPS[`${version === 1 ? 1 : 2}-${layer}`][bitrateIndex] * 1000;
  const sampleRate = MPEG_SAMPLE_RATES[String(version)][rateIndex];
  const padding = (b2 >> 1) & 1;
  let frameLength = 0;
  if (bitrate > 0) {
    if (layer === 1) frameLength = (Math.floor((12 * bitrate) / sampleRate) + padding) * 4;
    else if (layer === 3 && version !== 1) frameLength = Math.floor((72 * bitrate) / sampleRate) + padding;
    else frameLength = Math.floor((144 * bitrate) / sampleRate) + padding;
  }
  return { version, layer, bitrate, sampleRate, channels: b3 >> 6 === 3 ? 1 : 2, frameLength };
}

function ascii(bytes: Uint8Array, pos: number, length: number): string {
  let s = '';
  for (let i = pos; i < pos + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function startsWith(bytes: Uint8Array, pos: number, magic: string): boolean {
  return ascii(bytes, pos, magic.length) === magic;
}

/** Byte offset just past the ID3v2 tag(s) starting at `pos` (pos itself if none). */
export function skipId3v2(bytes: Uint8Array, pos: number): number {
  while (pos + 10 <= bytes.length && startsWith(bytes, pos, 'ID3')) {
    const s6 = bytes[pos + 6], s7 = bytes[pos + 7], s8 = bytes[pos + 8], s9 = bytes[pos + 9];
    if ((s6 | s7 | s8 | s9) & 0x80) break; // not a syncsafe size: not an ID3v2 tag
    const footer = (bytes[pos + 5] & 0x10) !== 0 ? 10 : 0;
    pos += 10 + footer + ((s6 << 21) | (s7 << 14) | (s8 << 7) | s9);
  }
  return pos;
}

/** True when the first bytes look like text (UTF-8 / ASCII without control characters). */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0x09 || b === 0x0a || b === 0x0d) continue;
    if (b < 0x20 || b === 0x7f) return false;
  }
  return true;
}

const OTHER_FORMATS: Array<{ magic: string; at?: number; what: string; hint?: string }> = [
  { magic: 'RIFX', what: 'a big-endian RIFF (RIFX) WAV file', hint: 'convert it to a little-endian WAV or to FLAC' },
  { magic: 'riff', what: 'a Sony Wave64 (.w64) file', hint: 'convert it to WAV or FLAC' },
  { magic: 'FORM', what: 'an AIFF/IFF file', hint: 'convert it to WAV or FLAC' },
  { magic: 'ftyp', at: 4, what: 'an MP4/M4A/AAC (ISO media) file', hint: 'convert it to WAV, FLAC or MP3' },
  { magic: 'wvpk', what: 'a WavPack file', hint: 'convert it to WAV or FLAC' },
  { magic: 'MAC ', what: "a Monkey's Audio (.ape) file", hint: 'convert it to WAV or FLAC' },
  { magic: '#!AMR', what: 'an AMR file', hint: 'convert it to WAV or FLAC' },
  { magic: '.snd', what: 'a Sun/NeXT .au file', hint: 'convert it to WAV or FLAC' },
  { magic: 'MThd', what: 'a standard MIDI file (note events, not audio)', hint: 'MIDI files are annotations: parse them with the MIDI reader of adtkit/io' },
  { magic: '\x89PNG', what: 'a PNG image' },
  { magic: 'GIF8', what: 'a GIF image' },
  { magic: '\xff\xd8\xff', what: 'a JPEG image' },
  { magic: '%PDF', what: 'a PDF document' },
  { magic: 'PK\x03\x04', what: 'a ZIP archive' },
  { magic: '\x1f\x8b', what: 'a gzip-compressed file', hint: 'decompress it first' },
  { magic: '\x7fELF', what: 'an executable (ELF)' },
];

/** Identifies `bytes` by their magic numbers. */
export function sniffAudio(bytes: Uint8Array): SniffResult {
  if (bytes.length >= 12) {
    const riff = ascii(bytes, 0, 4);
    if ((riff === 'RIFF' || riff === 'RF64' || riff === 'BW64') && startsWith(bytes, 8, 'WAVE')) {
      return { kind: 'wav', container: riff };
    }
    if (riff === 'RIFF' && startsWith(bytes, 8, 'AVI ')) return { kind: 'unsupported', what: 'an AVI video file' };
    if (riff === 'RIFF' && startsWith(bytes, 8, 'WEBP')) return { kind: 'unsupported', what: 'a WebP image' };
  }
  if (startsWith(bytes, 0, 'OggS')) return sniffOgg(bytes);

  const afterId3 = skipId3v2(bytes, 0);
  if (startsWith(bytes, afterId3, 'fLaC')) return { kind: 'flac', start: afterId3 };
  const header = parseMpegFrameHeader(bytes, afterId3);
  if (header !== undefined) return { kind: 'mp3', start: afterId3, header };
  if (afterId3 > 0) {
    return afterId3 >= bytes.length
      ? { kind: 'unsupported', what: 'an ID3 tag with no audio after it' }
      : { kind: 'unknown', what: `an ID3 tag followed by unrecognised data at byte ${afterId3}` };
  }
  // ADTS AAC shares the 12-bit sync word but has layer bits 00.
  if (bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xf6) === 0xf0) {
    return { kind: 'unsupported', what: 'an ADTS AAC stream', hint: 'convert it to WAV, FLAC or MP3' };
  }
  for (const other of OTHER_FORMATS) {
    if (startsWith(bytes, other.at ?? 0, other.magic)) return { kind: 'unsupported', what: other.what, hint: other.hint };
  }
  if (bytes.length === 0) return { kind: 'unknown', what: 'an empty file (0 bytes)' };
  if (looksLikeText(bytes)) {
    const preview = ascii(bytes, 0, 24).replace(/\s+/g, ' ').trim();
    return { kind: 'unknown', what: `a text file (starts with "${preview}")` };
  }
  const hex = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return { kind: 'unknown', what: `a file of unknown type (first bytes ${hex})` };
}

function sniffOgg(bytes: Uint8Array): SniffResult {
  // Ogg page: 27-byte header, segment table of bytes[26] entries, then the first packet.
  if (bytes.length < 28) return { kind: 'unsupported', what: 'an Ogg file too short to tell its codec' };
  const payload = 27 + bytes[26];
  if (startsWith(bytes, payload, '\x7fFLAC')) return { kind: 'ogg-flac' };
  const hint = 'convert it to FLAC or WAV (e.g. `ffmpeg -i in.ogg out.flac`)';
  if (startsWith(bytes, payload, '\x01vorbis')) return { kind: 'unsupported', what: 'an Ogg Vorbis file', hint };
  if (startsWith(bytes, payload, 'OpusHead')) return { kind: 'unsupported', what: 'an Ogg Opus file', hint };
  if (startsWith(bytes, payload, 'Speex   ')) return { kind: 'unsupported', what: 'an Ogg Speex file', hint };
  return { kind: 'unsupported', what: 'an Ogg file with an unknown codec', hint };
}
