/**
 * Parser for the safetensors format (https://github.com/huggingface/safetensors), the
 * container the reference PyTorch `state_dict`s are stored in. Hand-written because the
 * format is 30 lines of logic and the npm packages for it either pull Node-only code or
 * do not validate the header; this file imports no TensorFlow.js so it can be used
 * anywhere (also to inspect a checkpoint without a backend).
 *
 * Layout: u64 little-endian header length N, N bytes of UTF-8 JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`, then the
 * raw little-endian data; offsets are relative to the start of the data section.
 */
import { WeightsError } from '../errors.js';

/** Element types adtkit reads from safetensors files. */
export type SafetensorsDtype = 'F32' | 'I64';

/** One tensor of a safetensors file. */
export interface SafetensorsTensor {
  /** Name in the file (a PyTorch `state_dict` key such as `fc.weight`). */
  name: string;
  /** Element type as written in the header. */
  dtype: SafetensorsDtype;
  /** Shape, row-major; `[]` for a scalar. */
  shape: number[];
  /** Values, row-major (a copy, so it is correctly aligned): Float32Array for F32, BigInt64Array for I64. */
  data: Float32Array | BigInt64Array;
}

/** Result of {@link parseSafetensors}. */
export interface SafetensorsFile {
  /** Tensors by name, in header order. */
  tensors: Map<string, SafetensorsTensor>;
  /** The optional `__metadata__` string map of the header (empty when absent). */
  metadata: Record<string, string>;
}

const ITEM_BYTES: Record<SafetensorsDtype, number> = { F32: 4, I64: 8 };
/** Largest header the parser accepts [bytes] (the reference implementation uses 100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

function fail(message: string, offset?: number): never {
  throw new WeightsError(`safetensors: ${message}`, { offset, field: 'bytes' });
}

/**
 * Parses a safetensors file held in memory.
 *
 * @param bytes - The whole file [bytes].
 * @returns The tensors by name (F32 as Float32Array, I64 as BigInt64Array) and the metadata.
 * @throws {@link WeightsError} (code `INVALID_WEIGHTS`) when the file is truncated, the
 *   header is not valid JSON, a tensor has an unsupported dtype, a bad shape, offsets
 *   outside the data section, a byte length that does not match its shape, or overlaps another.
 * @example
 * ```ts
 * const { tensors } = parseSafetensors(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * console.log([...tensors.keys()]);
 * ```
 */
export function parseSafetensors(bytes: Uint8Array | ArrayBuffer): SafetensorsFile {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.byteLength < 8) fail(`file has ${u8.byteLength} bytes, fewer than the 8-byte header length`, 0);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, u8.byteLength - 8))) {
    fail(`header length ${headerLength} does not fit in a file of ${u8.byteLength} bytes (is this a safetensors file?)`, 0);
  }
  const n = Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(u8.subarray(8, 8 + n)));
  } catch (cause) {
    throw new WeightsError(`safetensors: header (${n} bytes at offset 8) is not valid UTF-8 JSON: ${String(cause)}`, { offset: 8, field: 'bytes', cause });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object', 8);

  const dataStart = 8 + n;
  const dataLength = u8.byteLength - dataStart;
  const tensors = new Map<string, SafetensorsTensor>();
  let metadata: Record<string, string> = {};
  const ranges: Array<[number, number, string]> = [];

  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail('__metadata__ is not an object');
      metadata = Object.fromEntries(Object.entries(entry as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
      continue;
    }
    if (typeof entry !== 'object' || entry === null) fail(`tensor "${name}": header entry is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (dtype !== 'F32' && dtype !== 'I64') {
      fail(`tensor "${name}": dtype ${JSON.stringify(dtype)} is not supported (expected F32, or I64 for BatchNorm num_batches_tracked); save the state_dict in float32`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`tensor "${name}": shape ${JSON.stringify(shape)} is not a list of non-negative integers`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0) || offsets[0] > offsets[1]) {
      fail(`tensor "${name}": data_offsets ${JSON.stringify(offsets)} is not [begin, end] with 0 <= begin <= end`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLength) {
      fail(`tensor "${name}": data_offsets [${begin}, ${end}] run past the data section of ${dataLength} bytes (file truncated?)`, dataStart + begin);
    }
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    const expectedBytes = numel * ITEM_BYTES[dtype];
    if (end - begin !== expectedBytes) {
      fail(`tensor "${name}": ${end - begin} bytes of data, but ${dtype} shape [${(shape as number[]).join(', ')}] needs ${expectedBytes}`, dataStart + begin);
    }
    ranges.push([begin, end, name]);
    // Copy so that the typed array is aligned whatever the header length is (explicitly:
    // Node's Buffer#slice would return a view of the shared pool, not a copy).
    const copy = new ArrayBuffer(end - begin);
    new Uint8Array(copy).set(u8.subarray(dataStart + begin, dataStart + end));
    const data = dtype === 'F32' ? new Float32Array(copy) : new BigInt64Array(copy);
    tensors.set(name, { name, dtype, shape: [...(shape as number[])], data });
  }

  ranges.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < ranges.length; i++) {
    if (ranges[i][0] < ranges[i - 1][1]) {
      fail(`tensors "${ranges[i - 1][2]}" and "${ranges[i][2]}" overlap (data_offsets ${ranges[i - 1][1]} > ${ranges[i][0]})`, dataStart + ranges[i][0]);
    }
  }
  return { tensors, metadata };
}
