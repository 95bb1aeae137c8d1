/**
 * Test helper: builds WAV files chunk by chunk, including broken ones, so that tests can
 * feed the decoder headers that no writer would produce.
 */

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export function u16(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >> 8) & 0xff);
}

export function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/** A chunk: id, size field (default: body length), body and a pad byte when the body is odd. */
export function chunk(id: string, body: Uint8Array, declaredSize = body.length, pad = true): Uint8Array {
  return concat(ascii(id), u32(declaredSize), body, pad && body.length % 2 === 1 ? new Uint8Array(1) : new Uint8Array(0));
}

export interface FmtFields {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign?: number;
  byteRate?: number;
}

/** Body of a 16-byte 'fmt ' chunk. */
export function fmtBody(f: FmtFields): Uint8Array {
  const blockAlign = f.blockAlign ?? f.channels * Math.ceil(f.bitsPerSample / 8);
  return concat(u16(f.formatTag), u16(f.channels), u32(f.sampleRate), u32(f.byteRate ?? f.sampleRate * blockAlign), u16(blockAlign), u16(f.bitsPerSample));
}

/** Body of a 40-byte WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk. */
export function fmtExtensibleBody(f: FmtFields & { validBits: number; subFormat: number; guidTail?: number[] }): Uint8Array {
  const tail = f.guidTail ?? [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
  return concat(fmtBody({ ...f, formatTag: 0xfffe }), u16(22), u16(f.validBits), u32(0), u32(f.subFormat), Uint8Array.from(tail));
}

/** RIFF/WAVE file from chunks; the RIFF size covers them all. */
export function riffWave(chunks: Uint8Array[], container = 'RIFF'): Uint8Array {
  const body = concat(...chunks);
  return concat(ascii(container), u32(container === 'RIFF' ? body.length + 4 : 0xffffffff), ascii('WAVE'), body);
}

/** Little-endian 16-bit PCM bytes of integer samples (interleaved). */
export function int16Bytes(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 2);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setInt16(i * 2, x, true));
  return b;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
