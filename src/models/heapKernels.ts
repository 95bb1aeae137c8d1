/**
 * The WebAssembly SIMD kernels of `wasm/heapKernels.wat`, instantiated on the wasm backend's own
 * memory so that they work on tensors in place (no copies): batch-norm affine pass, per-column
 * sums, batch-norm gradient pass, max-pool gradient, erf (GELU), the filter gradient of a
 * one-channel 3×3 convolution. Used by wasmKernels.ts; absent (null) where the backend's
 * memory cannot be reached or WebAssembly SIMD is missing, and the callers keep their JS loops.
 */
import { BackendError } from '../errors.js';
import { decodeBase64 } from '../base64.js';
import { HEAP_KERNELS_SHARED_WASM_BASE64, HEAP_KERNELS_WASM_BASE64 } from './wasm/heapKernelsBinary.js';

export interface HeapKernels {
  memory: WebAssembly.Memory;
  /** y = x · a[c] + b[c] over `total` values with `channels` (multiple of 4) per row. */
  affine(x: number, y: number, total: number, channels: number, a: number, b: number): void;
  /** acc[c] (f64) += column sums of x [total / channels, channels]. */
  columnSums(x: number, total: number, channels: number, acc: number): void;
  /** dx = dy · factor[c]; sumDy[c] += dy; sumDyXc[c] += dy · (x − mean[c]) (f64 sums). */
  batchNormGrad(dy: number, x: number, dx: number, total: number, channels: number, mean: number, factor: number, sumDy: number, sumDyXc: number): void;
  /** y = erf(x) over `total` values (a multiple of 4), TF.js's cpu formula (A&S 7.1.26). */
  erf(x: number, y: number, total: number): void;
  /** acc[tap, c] (f64) += filter gradient of a 3×3 stride-1 convolution with one input channel, xg the padded input grid [batch, gh, gw]. */
  filterGrad3x3C1(xg: number, dy: number, acc: number, batch: number, oh: number, ow: number, gh: number, gw: number, co: number): void;
  /** NHWC max-pool gradient into a zeroed dx: each dy to its window's first maximum. */
  maxPoolGrad(
    x: number, dy: number, dx: number, batch: number, inH: number, inW: number, channels: number,
    outH: number, outW: number, strideH: number, strideW: number, filterH: number, filterW: number, top: number, left: number,
  ): void;
}

/** The part of TF.js's wasm backend needed to reach its memory and tensor addresses. */
export interface HeapBackend {
  /** The Emscripten module: the single-threaded build exports its memory (`asm.memory`), the threaded build imports a shared one (`wasmMemory`). */
  wasm?: { asm?: { memory?: unknown }; wasmMemory?: unknown };
  dataIdMap: { get(dataId: object): { memoryOffset?: number } | undefined };
}

const instances = new WeakMap<object, HeapKernels | null>();

/** The kernels bound to `backend`'s memory, or null (then use another path). */
export function heapKernels(backend: HeapBackend): HeapKernels | null {
  const memory = backend.wasm?.wasmMemory ?? backend.wasm?.asm?.memory;
  if (!(typeof WebAssembly === 'object' && memory instanceof WebAssembly.Memory)) return null;
  let kernels = instances.get(memory);
  if (kernels !== undefined) return kernels;
  try {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = decodeBase64(shared ? HEAP_KERNELS_SHARED_WASM_BASE64 : HEAP_KERNELS_WASM_BASE64);
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as Omit<HeapKernels, 'memory'>;
    kernels = { memory, affine: exports.affine, columnSums: exports.columnSums, batchNormGrad: exports.batchNormGrad, maxPoolGrad: exports.maxPoolGrad, erf: exports.erf, filterGrad3x3C1: exports.filterGrad3x3C1 };
  } catch {
    kernels = null;
  }
  instances.set(memory, kernels);
  return kernels;
}

/** Byte address of a tensor's data on the wasm heap. */
export function heapAddress(backend: HeapBackend, dataId: object): number {
  const offset = backend.dataIdMap.get(dataId)?.memoryOffset;
  if (offset === undefined) throw new BackendError('heapAddress: tensor is not on this wasm backend');
  return offset;
}
