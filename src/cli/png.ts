/**
 * A minimal PNG encoder (8-bit RGB, no interlace) for `adtkit spectrogram`.
 *
 * Hand-written rather than a dependency: a PNG is a signature plus three chunk types (IHDR,
 * IDAT, IEND), the image data is zlib-deflated scanlines (node:zlib does the compression),
 * and each chunk ends with a CRC-32; the whole encoder is smaller than the glue code a PNG
 * library would need, and it keeps the CLI free of dependencies that the library does not need.
 * (node:zlib's own `crc32` only exists from Node 20.15 / 22.2, so the table is built here.)
 */
import { deflateSync } from 'node:zlib';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

let crcTable: Uint32Array | null = null;

/** CRC-32 (ISO 3309 / ITU-T V.42, polynomial 0xEDB88320) as PNG chunks use it. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  if (crcTable === null) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** An 8-bit RGB image, row-major, 3 bytes per pixel. */
export interface RgbImage {
  /** Width [pixels]. */
  width: number;
  /** Height [pixels]. */
  height: number;
  /** Pixels, `(y * width + x) * 3 + channel` (R, G, B). */
  pixels: Uint8Array;
}

/**
 * Encodes an RGB image as PNG.
 * @param image - width, height and pixels
 * @returns the PNG file's bytes
 */
export function encodePng(image: RgbImage): Uint8Array {
  const { width, height, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || pixels.length !== width * height * 3) {
    throw new RangeError(`encodePng: ${width} × ${height} pixels need ${width * height * 3} bytes, got ${pixels.length}`);
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  // compression 0, filter method 0, no interlace: ihdr[10..12] = 0
  const stride = width * 3;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    // Filter type 2 (Up): spectrogram rows resemble their neighbours, so it compresses better.
    const at = y * (stride + 1);
    raw[at] = y === 0 ? 0 : 2;
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    if (y === 0) raw.set(row, at + 1);
    else {
      const above = pixels.subarray((y - 1) * stride, y * stride);
      for (let i = 0; i < stride; i++) raw[at + 1 + i] = (row[i] - above[i]) & 0xff;
    }
  }
  const parts = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', new Uint8Array(deflateSync(raw))), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
