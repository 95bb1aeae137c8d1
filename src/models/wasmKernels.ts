/**
 * Training on TF.js's wasm backend, opt-in: {@link enableWasmTraining}.
 *
 * TF.js 4.22's wasm backend lacks one kernel that training adtkit's models needs, and has
 * slow implementations of others that dominate a training step:
 * - `Conv2DBackpropFilter` (filter gradient of every convolution): missing, so no
 *   convolutional model (CNN, CRNN, Convolutional Transformer) can train on wasm. ViT's patch
 *   embedding and the RNN need no convolution gradient.
 * - `Conv2DBackpropInput`: a direct loop in C++, 5–12× slower than the XNNPACK forward
 *   convolution of the same size.
 * - `MaxPoolGrad`: wrong — it drops the gradient of every pooling window whose values are all
 *   negative (common after BatchNorm), so even with the filter gradient added, conv models
 *   would train on wrong gradients.
 * - `Tile`: element by element; the BatchNorm gradient tiles [1, 1, 1, C] to the activation
 *   shape, 0.4 s per call for a batch of 8 × 400 frames (a quarter of a CRNN training step).
 * - `Sum` / `Mean` over the leading axes (per-channel statistics of an NHWC activation: every
 *   BatchNorm's batch moments and the gradients of its scale, offset and broadcasts): the
 *   wasm kernel transposes the reduced axes last first, ~40 ms per call for 8 × 400 × 84 × 32
 *   values, 20 calls per CRNN training step (a quarter of the step).
 * - `FusedBatchNorm` (every BatchNorm, training and inference): ~8 ns per value in the C++
 *   kernel (per-element index arithmetic), 70 ms for 8 × 400 × 84 × 32 values.
 * - `BatchMatMul` / `_FusedMatMul` with `transposeA` or `transposeB`, or with more than one
 *   matrix in the batch: outside XNNPACK, 7–15× slower than a plain product of the same size.
 *   Every matMul gradient (dense layers, recurrent input projections, attention) transposes
 *   an operand, and attention's forward pass is a batched `q·kᵀ`.
 * (Measured in Node 20 on the 2-core project machine; see bench/speed.bench.ts.)
 *
 * The kernels registered here compute in place on the wasm heap (inputs read through the
 * backend's `typedArrayFromHeap`, outputs made with `makeOutput`) and hand all arithmetic to
 * the backend's own XNNPACK kernels (`Conv2D`, non-transposed single `BatchMatMul`):
 * - filter gradient: for stride 1 the input is zero-padded once to a grid [N, Hp, Wp, Cin]
 *   and the output gradient placed on the same grid (zeros elsewhere); filter tap (kh, kw)
 *   then reads the grid shifted by kh·Wp + kw rows, so each row of the transposed im2col
 *   matrix is one memcpy, and one XNNPACK product per chunk of rows gives the gradient in
 *   filter layout. Other strides gather the rows of each tap.
 * - input gradient (stride 1): the forward convolution of dy with the filter rotated by 180°
 *   and its channels swapped, padded by (k − 1 − pad); other strides use the original kernel.
 * - max-pool gradient: a plain loop (channels innermost) sending dy to each window's first
 *   maximum, as the cpu backend does.
 * - tile: the input placed once, then block copies (`copyWithin`) axis by axis.
 * - batch norm with per-channel (last axis) parameters: one scale and shift per channel, then
 *   one pass `y = x · a[c] + b[c]` (other shapes keep the original kernel).
 * - batch-norm gradient (training mode, per-channel parameters): TF.js's gradient of
 *   `FusedBatchNorm` is swapped, on wasm only, for one kernel that accumulates Σdy and
 *   Σdy·(x − mean) per channel and writes dx in one pass (other backends and shapes keep
 *   TF.js's gradient; disableWasmTraining restores it).
 * - sum / mean over a prefix of the axes: one pass over the data as a [rows, columns] matrix,
 *   accumulating each column in float64 (other reductions keep the original kernel).
 * - matMul: operands transposed explicitly (wasm `Transpose`), batches multiplied one by one
 *   through the fast single-matrix path; small products keep the original kernel.
 * Numerical results equal the cpu backend's gradients to float32 rounding (summation
 * order differs): test/wasmTraining*.test.ts checks every kernel and a full training step of
 * every architecture against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import { heapAddress, heapKernels, type HeapBackend, type HeapKernels } from './heapKernels.js';
import { countWinogradCall, transformFilter43, untransformFilterGrad3x3, winograd43Grid, winogradGrid, winogradModule, winogradWorker } from './winogradConv.js';

const WASM = 'wasm';
/** Kernels whose wasm implementation is replaced (the original stays as fallback). */
const REPLACED_KERNELS = ['Conv2D', 'FusedConv2D', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Tile', 'BatchMatMul', '_FusedMatMul', 'Sum', 'Mean', 'FusedBatchNorm', 'Identity', 'Erf'] as const;
/** Kernels the wasm backend lacks and that are added. */
const ADDED_KERNELS = ['Conv2DBackpropFilter'] as const;
/** Wasm kernels the implementations call. */
const REQUIRED_KERNELS = ['Transpose', ...REPLACED_KERNELS] as const;

/**
 * Products with fewer multiply-adds (per matrix) than this keep the original matMul kernel:
 * below it the extra transpose / copies cost more than the slow path loses.
 */
const SMALL_MATMUL_MACS = 1 << 15;
/** Size (floats) of the temporary im2col matrix of one filter-gradient chunk (32 MiB). */
const CHUNK_FLOATS = 1 << 23;

/** The part of TF.js's `BackendWasm` these kernels use (tfjs-backend-wasm 4.x). */
interface WasmBackend extends HeapBackend {
  dataIdMap: { get(dataId: object): { id: number; memoryOffset?: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
}
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type Kernel = (args: KernelArgs) => tf.TensorInfo;

/** Original kernel configs of the replaced kernels while enabled. */
let originals: Map<string, tf.KernelConfig> | null = null;
/** Kernels that were added (absent before). */
let added: string[] = [];

function kernelOf(name: string): Kernel {
  const original = originals?.get(name);
  const config = original ?? tf.getKernel(name, WASM);
  if (config === undefined) throw new BackendError(`wasm kernel '${name}' is not registered (import '@tensorflow/tfjs-backend-wasm' first)`);
  return config.kernelFunc as unknown as Kernel;
}

/** Runs the original (or stock) wasm kernel `name`. */
function run(name: string, be: WasmBackend, inputs: tf.NamedTensorInfoMap, attrs: Record<string, unknown> = {}): tf.TensorInfo {
  return kernelOf(name)({ inputs, backend: be, attrs: attrs as tf.NamedAttrMap });
}

function view(be: WasmBackend, t: tf.TensorInfo): Float32Array {
  // A fresh view every time: any allocation may grow (and detach) the wasm heap.
  return be.typedArrayFromHeap(t);
}

function alloc(be: WasmBackend, shape: number[], zero = false): tf.TensorInfo {
  const t = be.makeOutput(shape, 'float32');
  if (zero) view(be, t).fill(0);
  return t;
}

function free(be: WasmBackend, ...ts: tf.TensorInfo[]): void {
  for (const t of ts) be.disposeData(t.dataId);
}

/** Same data, other shape (no copy): kernels read the shape from the info they are given. */
function reshaped(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Attributes common to the two convolution-gradient kernels. */
interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function pair(v: unknown): [number, number] {
  return typeof v === 'number' ? [v, v] : (v as [number, number]);
}

function assertFloat32NHWC(kernel: string, dataFormat: unknown, ...ts: tf.TensorInfo[]): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new BackendError(`${kernel} on wasm supports dataFormat 'NHWC' only, got '${String(dataFormat)}'`);
  }
  for (const t of ts) if (t.dtype !== 'float32') throw new BackendError(`${kernel} on wasm supports float32 only, got ${t.dtype}`);
}

// ---------------------------------------------------------------------------------------
// Conv2D / FusedConv2D: Winograd F(2×2, 3×3) for 3×3 'same' stride-1 convolutions
// ---------------------------------------------------------------------------------------

/** Smallest convolution (multiply-adds) worth the Winograd path's set-up. */
const WINOGRAD_MIN_MACS = 1 << 20;

/**
 * A 3×3, stride 1, dilation 1, 'same' (pad 1) NHWC float32 convolution with Cin % 4 = 0 and
 * Cout % 8 = 0, optional per-channel bias and ReLU, by Winograd F(2×2, 3×3) (winogradConv.ts);
 * null when the case does not qualify (the caller runs XNNPACK's kernel).
 */
function winogradConv2D(be: WasmBackend, x: tf.TensorInfo, filter: tf.TensorInfo, bias: tf.TensorInfo | undefined, activation: unknown, attrs: Record<string, unknown>): tf.TensorInfo | null {
  if (x.dtype !== 'float32' || filter.dtype !== 'float32' || x.shape.length !== 4 || filter.shape.length !== 4) return null;
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') return null;
  if (activation !== undefined && activation !== 'linear' && activation !== 'relu') return null;
  const [n, h, w, ci] = x.shape;
  const [fh, fw, fci, co] = filter.shape;
  if (fh !== 3 || fw !== 3 || fci !== ci || ci % 4 !== 0 || co % 8 !== 0) return null;
  if (bias !== undefined && (bias.dtype !== 'float32' || bias.shape.reduce((a, b) => a * b, 1) !== co || (bias.shape.length > 0 && bias.shape[bias.shape.length - 1] !== co))) return null;
  if (n * h * w * ci * co * 9 < WINOGRAD_MIN_MACS) return null;
  const dilations = attrs.dilations ?? 1;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs.strides as [number, number],
    dilations as [number, number], attrs.pad as 'same', attrs.dimRoundingMode as 'floor' | undefined, false, 'channelsLast');
  const p = info.padInfo;
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  if (p.top !== 1 || p.left !== 1 || p.bottom !== 1 || p.right !== 1 || info.outHeight !== h || info.outWidth !== w) return null;
  const module = winogradModule(be);
  if (module === null) return null;

  // F(4×4, 3×3): 36 products per channel pair for 16 outputs (F(2×2, 3×3) takes 16 for 4).
  const { tilesH, tilesW, gh, gw } = winograd43Grid(h, w);
  const grid = winogradInputGrid(be, x, gh, gw);
  const u = alloc(be, [36 * ci * co]);
  view(be, u).set(transformFilter43(view(be, filter), ci, co, filter.dataId));
  const zeros = bias === undefined ? alloc(be, [co], true) : null;
  const scratch = alloc(be, [2 * 36 * 4 * (ci + co)]);
  const out = alloc(be, [n, h, w, co]);
  const a = (t: tf.TensorInfo): number => heapAddress(be, t.dataId);
  const vBytes = 36 * 4 * ci * 4;
  const mBytes = 36 * 4 * co * 4;
  const args = (thread: 0 | 1, rowStart: number, rowEnd: number): number[] => [
    a(grid), a(u), a(bias ?? zeros!), a(out), a(scratch) + thread * (vBytes + mBytes), a(scratch) + thread * (vBytes + mBytes) + vBytes,
    tilesH, tilesW, gh, gw, ci, co, h, w, activation === 'relu' ? 1 : 0, rowStart, rowEnd,
  ];
  const rows = n * tilesH;
  const worker = rows >= 2 ? winogradWorker(be) : null;
  countWinogradCall();
  try {
    if (worker !== null) worker.runOnTwoThreads('winograd43Conv3x3', args(0, 0, rows >> 1), args(1, rows >> 1, rows));
    else (module.winograd43Conv3x3 as (...v: number[]) => void)(...args(0, 0, rows));
  } finally {
    free(be, grid, u, scratch, ...(zeros ? [zeros] : []));
  }
  return out;
}

/**
 * x [n, h, w, c] placed on a zero-padded grid [n, gh, gw, c] with one row and column of padding
 * before (only the padding is zeroed: a full fill costs as much as the copy).
 */
function winogradInputGrid(be: WasmBackend, x: tf.TensorInfo, gh: number, gw: number): tf.TensorInfo {
  const [n, h, w, c] = x.shape;
  const grid = alloc(be, [n * gh * gw * c]);
  const gv = view(be, grid);
  const xv = view(be, x);
  const rowFloats = gw * c;
  for (let b = 0; b < n; b++) {
    const base = b * gh * rowFloats;
    gv.fill(0, base, base + rowFloats);
    gv.fill(0, base + (h + 1) * rowFloats, base + gh * rowFloats);
    for (let i = 0; i < h; i++) {
      const row = base + (i + 1) * rowFloats;
      gv.fill(0, row, row + c);
      gv.set(xv.subarray((b * h + i) * w * c, (b * h + i + 1) * w * c), row + c);
      gv.fill(0, row + (w + 1) * c, row + rowFloats);
    }
  }
  return grid;
}

/**
 * The filter gradient of a 3×3 'same' stride-1 convolution by Winograd (the adjoint of
 * {@link winogradConv2D}: same tiles, dU = Σ V ⊙ A·dY·Aᵀ per tile, dW = Gᵀ dU G), for Cin % 4 = 0
 * and Cout % 8 = 0; null when the case does not qualify.
 */
function winogradFilterGrad(be: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): Float64Array | null {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw, padInfo: p } = info;
  if (fh !== 3 || fw !== 3 || info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  if (p.top !== 1 || p.left !== 1 || p.bottom !== 1 || p.right !== 1 || info.outHeight !== h || info.outWidth !== w) return null;
  if (ci % 4 !== 0 || co % 8 !== 0 || n * h * w * ci * co * 9 < WINOGRAD_MIN_MACS) return null;
  const module = winogradModule(be);
  if (module === null) return null;
  const { tilesH, tilesW, gh, gw } = winogradGrid(h, w);
  const grid = winogradInputGrid(be, x, gh, gw);
  // dy on whole tiles [n, 2·tilesH, 2·tilesW, co], zeros beyond the output.
  const dh = 2 * tilesH;
  const dw = 2 * tilesW;
  const dyg = alloc(be, [n * dh * dw * co]);
  {
    const gv = view(be, dyg);
    const dv = view(be, dy);
    const rowFloats = dw * co;
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < h; i++) {
        const row = (b * dh + i) * rowFloats;
        gv.set(dv.subarray((b * h + i) * w * co, (b * h + i + 1) * w * co), row);
        gv.fill(0, row + w * co, row + rowFloats);
      }
      gv.fill(0, (b * dh + h) * rowFloats, (b * dh + dh) * rowFloats);
    }
  }
  const perThread = 16 * tilesW * (ci + co) + 2 * 16 * ci * co; // v, m, then the float64 dU
  const scratch = alloc(be, [2 * perThread]);
  const base = (thread: number): number => heapAddress(be, scratch.dataId) + 4 * thread * perThread;
  const accAt = (thread: number): number => base(thread) + 4 * 16 * tilesW * (ci + co);
  {
    const sv = view(be, scratch);
    for (const t of [0, 1]) sv.fill(0, t * perThread + 16 * tilesW * (ci + co), (t + 1) * perThread);
  }
  const args = (thread: 0 | 1, rowStart: number, rowEnd: number): number[] => [
    heapAddress(be, grid.dataId), heapAddress(be, dyg.dataId), accAt(thread), base(thread), base(thread) + 4 * 16 * tilesW * ci,
    tilesH, tilesW, gh, gw, ci, co, rowStart, rowEnd,
  ];
  const rows = n * tilesH;
  const worker = rows >= 2 ? winogradWorker(be) : null;
  let du: Float64Array;
  try {
    if (worker !== null) worker.runOnTwoThreads('winogradFilterGrad3x3', args(0, 0, rows >> 1), args(1, rows >> 1, rows));
    else (module.winogradFilterGrad3x3 as (...v: number[]) => void)(...args(0, 0, rows));
    countWinogradCall();
    const heap = view(be, scratch);
    const acc0 = new Float64Array(heap.buffer, accAt(0), 16 * ci * co);
    du = Float64Array.from(acc0);
    if (worker !== null) {
      const acc1 = new Float64Array(heap.buffer, accAt(1), 16 * ci * co);
      for (let i = 0; i < du.length; i++) du[i] += acc1[i];
    }
  } finally {
    free(be, grid, dyg, scratch);
  }
  return untransformFilterGrad3x3(du, ci, co);
}

function conv2D(args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const attrs = (args.attrs ?? {}) as Record<string, unknown>;
  return winogradConv2D(be, args.inputs.x as tf.TensorInfo, args.inputs.filter as tf.TensorInfo, undefined, undefined, attrs) ?? run('Conv2D', be, args.inputs, attrs);
}

function fusedConv2D(args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const attrs = (args.attrs ?? {}) as Record<string, unknown>;
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const result = preluActivationWeights === undefined ? winogradConv2D(be, x!, filter!, bias ?? undefined, attrs.activation, attrs) : null;
  return result ?? run('FusedConv2D', be, args.inputs, attrs);
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropFilter
// ---------------------------------------------------------------------------------------

/**
 * Filter gradient dW[kh, kw, ci, co] = Σ_{n, h, w} x_pad[n, h·sh + kh, w·sw + kw, ci] · dy[n, h, w, co].
 */
function conv2DBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const x = args.inputs.x as tf.TensorInfo;
  const dy = args.inputs.dy as tf.TensorInfo;
  const attrs = args.attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
  assertFloat32NHWC('Conv2DBackpropFilter', attrs.dataFormat, x, dy);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const acc =
    winogradFilterGrad(be, x, dy, info) ??
    (info.strideHeight === 1 && info.strideWidth === 1 ? filterGradStride1(be, x, dy, info) : filterGradStrided(be, x, dy, info));
  const out = alloc(be, [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels]);
  view(be, out).set(acc);
  return out;
}

/**
 * Stride 1. The input is zero-padded to a grid [N, Hp, Wp, Cin] (Hp = outH + fh − 1,
 * Wp = outW + fw − 1) and transposed to xgᵀ [Cin, N·Hp·Wp + tail]; dy is placed on the same
 * grid [N·Hp·Wp, Cout] with zeros off the output. For grid row r, tap (kh, kw) reads grid row
 * r + kh·Wp + kw, so the im2col matrix of a chunk of rows is Σ-free: row (tap, ci) of
 * colsᵀ [fh·fw·Cin, rows] is one contiguous piece of xgᵀ's row ci (a memcpy). One XNNPACK
 * product colsᵀ × dy_grid [rows, Cout] per chunk gives [fh·fw·Cin, Cout] = the filter layout.
 * Grid rows off the output meet zero dy rows, so the wrap-around into the next row or sample
 * adds nothing.
 */
function filterGradStride1(be: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): Float64Array {
  const { batchSize: n, inHeight, inWidth, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const gh = oh + fh - 1;
  const gw = ow + fw - 1;
  const rowsTotal = n * gh * gw;
  const tail = (fh - 1) * gw + (fw - 1);
  const taps = fh * fw;

  // Padded input on the grid [rowsTotal + tail, ci], then transposed to [ci, rowsTotal + tail].
  const xg = alloc(be, [rowsTotal + tail, ci], true);
  {
    const xgv = view(be, xg);
    const xv = view(be, x);
    const j0 = Math.max(0, left);
    const j1 = Math.min(gw, inWidth + left);
    for (let b = 0; b < n && j1 > j0; b++) {
      for (let i = 0; i < gh; i++) {
        const src = i - top;
        if (src < 0 || src >= inHeight) continue;
        const from = ((b * inHeight + src) * inWidth + (j0 - left)) * ci;
        xgv.set(xv.subarray(from, from + (j1 - j0) * ci), ((b * gh + i) * gw + j0) * ci);
      }
    }
  }
  // One input channel, 3×3: a WebAssembly SIMD pass over the grid (XNNPACK's product would be
  // 9 rows tall, ~2 GMAC/s; this is the first convolution of every conv front end).
  const simd = ci === 1 && fh === 3 && fw === 3 ? simdKernels(be, co) : null;
  if (simd !== null) {
    const acc = float64Scratch(be, simd, taps * co);
    simd.filterGrad3x3C1(heapAddress(be, xg.dataId), heapAddress(be, dy.dataId), acc.address, n, oh, ow, gh, gw, co);
    const result = acc.values().slice();
    free(be, xg, acc.tensor);
    return result;
  }
  const xgT = ci === 1 ? xg : run('Transpose', be, { x: xg }, { perm: [1, 0] });
  if (xgT !== xg) free(be, xg);
  const stride = rowsTotal + tail;

  // dy on the grid [rowsTotal, co].
  const dyGrid = alloc(be, [rowsTotal, co], true);
  {
    const dv = view(be, dy);
    const gv = view(be, dyGrid);
    for (let b = 0; b < n; b++) {
      for (let h = 0; h < oh; h++) {
        const from = ((b * oh + h) * ow) * co;
        gv.set(dv.subarray(from, from + ow * co), ((b * gh + h) * gw) * co);
      }
    }
  }

  const acc = new Float64Array(taps * ci * co);
  const chunkRows = Math.max(1, Math.min(rowsTotal, Math.floor(CHUNK_FLOATS / (taps * ci))));
  for (let r0 = 0; r0 < rowsTotal; r0 += chunkRows) {
    const len = Math.min(chunkRows, rowsTotal - r0);
    const cols = alloc(be, [taps * ci, len]);
    {
      const src = view(be, xgT);
      const dst = view(be, cols);
      for (let kh = 0; kh < fh; kh++) {
        for (let kw = 0; kw < fw; kw++) {
          const off = r0 + kh * gw + kw;
          const rowBase = (kh * fw + kw) * ci;
          for (let c = 0; c < ci; c++) dst.set(src.subarray(c * stride + off, c * stride + off + len), (rowBase + c) * len);
        }
      }
    }
    let dyChunk = dyGrid;
    if (len !== rowsTotal) {
      dyChunk = alloc(be, [len, co]);
      view(be, dyChunk).set(view(be, dyGrid).subarray(r0 * co, (r0 + len) * co));
    }
    const prod = run('BatchMatMul', be, { a: cols, b: dyChunk }, { transposeA: false, transposeB: false }); // [taps·ci, co]
    const pv = view(be, prod);
    for (let i = 0; i < acc.length; i++) acc[i] += pv[i];
    free(be, cols, prod);
    if (dyChunk !== dyGrid) free(be, dyChunk);
  }
  free(be, xgT, dyGrid);
  return acc;
}

/**
 * Any stride: per chunk of whole samples, dyᵀ [Cout, rows] (rows = output positions) times
 * each tap's gathered input rows [rows, Cin]. Not used by adtkit's models (all their
 * convolutions have stride 1); kept general and simple.
 */
function filterGradStrided(be: WasmBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): Float64Array {
  const { batchSize: n, inHeight, inWidth, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw } = info;
  const acc = new Float64Array(fh * fw * ci * co);
  const perSample = oh * ow;
  const samplesPerChunk = Math.max(1, Math.floor(CHUNK_FLOATS / (perSample * Math.max(ci, co))));
  for (let b0 = 0; b0 < n; b0 += samplesPerChunk) {
    const nb = Math.min(samplesPerChunk, n - b0);
    const rows = nb * perSample;
    const dyRows = alloc(be, [rows, co]);
    view(be, dyRows).set(view(be, dy).subarray(b0 * perSample * co, (b0 + nb) * perSample * co));
    const dyT = run('Transpose', be, { x: dyRows }, { perm: [1, 0] });
    free(be, dyRows);
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) {
        const win = alloc(be, [rows, ci], true);
        gatherStridedWindow(view(be, x), view(be, win), {
          b0, nb, oh, ow, ci, inHeight, inWidth, row0: kh - info.padInfo.top, col0: kw - info.padInfo.left, sh: info.strideHeight, sw: info.strideWidth,
        });
        const prod = run('BatchMatMul', be, { a: dyT, b: win }, { transposeA: false, transposeB: false }); // [co, ci]
        const pv = view(be, prod);
        const base = (kh * fw + kw) * ci * co;
        for (let o = 0; o < co; o++) {
          for (let i = 0; i < ci; i++) acc[base + i * co + o] += pv[o * ci + i];
        }
        free(be, win, prod);
      }
    }
    free(be, dyT);
  }
  return acc;
}

/** Window rows of one tap for strided convolutions: x[b, oh·sh + row0, ow·sw + col0, :] or zeros. */
function gatherStridedWindow(
  xv: Float32Array,
  wv: Float32Array,
  g: { b0: number; nb: number; oh: number; ow: number; ci: number; inHeight: number; inWidth: number; row0: number; col0: number; sh: number; sw: number },
): void {
  for (let b = 0; b < g.nb; b++) {
    for (let h = 0; h < g.oh; h++) {
      const r = h * g.sh + g.row0;
      if (r < 0 || r >= g.inHeight) continue;
      for (let w = 0; w < g.ow; w++) {
        const c = w * g.sw + g.col0;
        if (c < 0 || c >= g.inWidth) continue;
        const from = (((g.b0 + b) * g.inHeight + r) * g.inWidth + c) * g.ci;
        wv.set(xv.subarray(from, from + g.ci), ((b * g.oh + h) * g.ow + w) * g.ci);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Conv2DBackpropInput
// ---------------------------------------------------------------------------------------

/**
 * Input gradient for stride 1: dx = conv2d(dy, W'), W'[kh, kw, co, ci] = W[fh−1−kh, fw−1−kw, ci, co],
 * padded by (fh−1−top, inH−outH+top) × (fw−1−left, inW−outW+left). Otherwise the original kernel.
 */
function conv2DBackpropInput(args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const dy = args.inputs.dy as tf.TensorInfo;
  const filter = args.inputs.filter as tf.TensorInfo;
  const attrs = args.attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
  const [sh, sw] = pair(attrs.strides);
  if (sh !== 1 || sw !== 1 || (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC') || dy.dtype !== 'float32') {
    return run('Conv2DBackpropInput', be, args.inputs, args.attrs);
  }
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], 1, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { filterHeight: fh, filterWidth: fw, inChannels: ci, outChannels: co, inHeight, inWidth, outHeight: oh, outWidth: ow } = info;
  const pads = [fh - 1 - info.padInfo.top, inHeight - oh + info.padInfo.top, fw - 1 - info.padInfo.left, inWidth - ow + info.padInfo.left];
  if (pads.some((p) => p < 0)) return run('Conv2DBackpropInput', be, args.inputs, args.attrs);
  const rotated = alloc(be, [fh, fw, co, ci]);
  {
    const fv = view(be, filter);
    const rv = view(be, rotated);
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) {
        const src = ((fh - 1 - kh) * fw + (fw - 1 - kw)) * ci * co;
        const dst = (kh * fw + kw) * co * ci;
        for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) rv[dst + o * ci + i] = fv[src + i * co + o];
      }
    }
  }
  const convAttrs = {
    strides: [1, 1], dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined,
    pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]],
  };
  // 3×3 'same' (pad 1 all round) with enough channels: Winograd, like the forward convolution.
  const dx = winogradConv2D(be, dy, rotated, undefined, undefined, convAttrs) ?? run('Conv2D', be, { x: dy, filter: rotated }, convAttrs);
  free(be, rotated);
  return dx;
}

// ---------------------------------------------------------------------------------------
// MaxPoolGrad
// ---------------------------------------------------------------------------------------

/**
 * Max-pooling gradient: dy of each window goes to the window's first maximum (strict `>`
 * from −∞, the cpu backend's rule). Replaces the wasm kernel of TF.js 4.22, which drops the
 * gradient of windows whose values are all negative (its running maximum starts at 0) — such
 * windows are common after BatchNorm.
 */
function maxPoolGrad(args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const dy = args.inputs.dy as tf.TensorInfo;
  const input = args.inputs.input as tf.TensorInfo;
  const attrs = args.attrs as unknown as {
    filterSize: number | [number, number]; strides: number | [number, number]; pad: 'valid' | 'same' | number; dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  assertFloat32NHWC('MaxPoolGrad', undefined, dy, input);
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const { batchSize: n, inHeight, inWidth, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dx = alloc(be, input.shape, true);
  const simd = simdKernels(be, c);
  if (simd !== null) {
    simd.maxPoolGrad(heapAddress(be, input.dataId), heapAddress(be, dy.dataId), heapAddress(be, dx.dataId), n, inHeight, inWidth, c, oh, ow, sh, sw, fh, fw, top, left);
    return dx;
  }
  const xv = view(be, input);
  const dyv = view(be, dy);
  const dxv = view(be, dx);
  const best = new Float64Array(c);
  const at = new Int32Array(c);
  for (let b = 0; b < n; b++) {
    for (let h = 0; h < oh; h++) {
      const r0 = Math.max(0, h * sh - top);
      const r1 = Math.min(inHeight, h * sh - top + fh);
      for (let w = 0; w < ow; w++) {
        const c0 = Math.max(0, w * sw - left);
        const c1 = Math.min(inWidth, w * sw - left + fw);
        const outBase = ((b * oh + h) * ow + w) * c;
        best.fill(-Infinity);
        at.fill(-1);
        // Channels innermost: contiguous reads.
        for (let r = r0; r < r1; r++) {
          for (let col = c0; col < c1; col++) {
            const base = ((b * inHeight + r) * inWidth + col) * c;
            for (let ch = 0; ch < c; ch++) {
              const v = xv[base + ch];
              if (v > best[ch]) {
                best[ch] = v;
                at[ch] = base + ch;
              }
            }
          }
        }
        for (let ch = 0; ch < c; ch++) if (at[ch] >= 0) dxv[at[ch]] += dyv[outBase + ch];
      }
    }
  }
  return dx;
}

// ---------------------------------------------------------------------------------------
// Tile
// ---------------------------------------------------------------------------------------

/**
 * Tile by block copies: the input is placed at the origin of the output, then, axis by axis
 * from the last, each filled block is copied `reps − 1` times (`copyWithin`, a memmove).
 * TF.js's BatchNorm gradient tiles [1, 1, 1, C] to the activation shape, which the stock
 * wasm kernel does element by element (≈0.4 s for [8, 400, 84, 32]).
 */
function tile(args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const x = args.inputs.x as tf.TensorInfo;
  const reps = (args.attrs as unknown as { reps: number[] }).reps;
  const rank = x.shape.length;
  if (x.dtype !== 'float32' || rank === 0 || reps.length !== rank) return run('Tile', be, args.inputs, args.attrs);
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = alloc(be, outShape);
  if (outShape.some((d) => d === 0)) return out;
  const strides = new Array<number>(rank);
  strides[rank - 1] = 1;
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1] * outShape[i + 1];
  const ov = view(be, out);
  const xv = view(be, x);
  const row = x.shape[rank - 1];
  // 1. Input rows at their places in the output.
  const outer = x.shape.slice(0, -1);
  const count = outer.reduce((a, b) => a * b, 1);
  for (let r = 0; r < count; r++) {
    let offset = 0;
    for (let k = outer.length - 1, rem = r; k >= 0; k--) {
      offset += (rem % outer[k]) * strides[k];
      rem = Math.floor(rem / outer[k]);
    }
    ov.set(xv.subarray(r * row, (r + 1) * row), offset);
  }
  // 2. Replicate along each axis, last first: blocks at every input index of the axes before.
  for (let axis = rank - 1; axis >= 0; axis--) {
    if (reps[axis] === 1) continue;
    const block = x.shape[axis] * strides[axis];
    const lead = x.shape.slice(0, axis);
    const blocks = lead.reduce((a, b) => a * b, 1);
    for (let r = 0; r < blocks; r++) {
      let base = 0;
      for (let k = lead.length - 1, rem = r; k >= 0; k--) {
        base += (rem % lead[k]) * strides[k];
        rem = Math.floor(rem / lead[k]);
      }
      // Doubling: copy what is filled so far onto the next part.
      let filled = block;
      const total = block * reps[axis];
      while (filled < total) {
        const n = Math.min(filled, total - filled);
        ov.copyWithin(base + filled, base, base + n);
        filled += n;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// BatchMatMul / _FusedMatMul
// ---------------------------------------------------------------------------------------

interface MatMulPlan {
  batchA: number;
  batchB: number;
  batch: number;
  m: number;
  k: number;
  n: number;
  outShape: number[];
}

function planMatMul(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean): MatMulPlan | null {
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  if (k !== kb) return null; // let the original kernel report it
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = outerA.reduce((p, d) => p * d, 1);
  const batchB = outerB.reduce((p, d) => p * d, 1);
  // Only equal batch dims, or one side without batch (broadcast); anything else → original.
  let outer: number[];
  if (batchA === 1) outer = outerB.length >= outerA.length ? outerB : outerA;
  else if (batchB === 1) outer = outerA.length >= outerB.length ? outerA : outerB;
  else if (outerA.length === outerB.length && outerA.every((d, i) => d === outerB[i])) outer = outerA;
  else return null;
  return { batchA, batchB, batch: Math.max(batchA, batchB), m, k, n, outShape: [...outer, m, n] };
}

/** [batch, rows, cols] → [batch, cols, rows] (wasm Transpose), as a new tensor. */
function transposeLast2(be: WasmBackend, t: tf.TensorInfo, batch: number, rows: number, cols: number): tf.TensorInfo {
  return run('Transpose', be, { x: reshaped(t, [batch, rows, cols]) }, { perm: [0, 2, 1] });
}

/**
 * matMul through XNNPACK's fast path: explicit transposes, then one product per batch
 * matrix. `fused` carries `_FusedMatMul`'s bias / activation (single-matrix case only).
 */
function fastMatMul(args: KernelArgs, fused: boolean): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const a = args.inputs.a as tf.TensorInfo;
  const b = args.inputs.b as tf.TensorInfo;
  const attrs = (args.attrs ?? {}) as Record<string, unknown>;
  const transposeA = attrs.transposeA === true;
  const transposeB = attrs.transposeB === true;
  const name = fused ? '_FusedMatMul' : 'BatchMatMul';
  const plan = a.dtype === 'float32' && b.dtype === 'float32' ? planMatMul(a, b, transposeA, transposeB) : null;
  if (
    plan === null ||
    (!transposeA && !transposeB && plan.batch === 1) ||
    plan.m * plan.n * plan.k < SMALL_MATMUL_MACS ||
    (fused && plan.batch > 1)
  ) {
    return run(name, be, args.inputs, args.attrs);
  }
  const { batchA, batchB, batch, m, k, n } = plan;
  // Aᵀ·B with a tall A: (Bᵀ·A)ᵀ transposes B and the small product instead of A (the weight
  // gradient of a dense layer or recurrent input projection, xᵀ·dy, has k = batch·frames rows).
  if (!fused && batch === 1 && transposeA && !transposeB && k * n + n * m < k * m) {
    const bT = transposeLast2(be, b, 1, k, n);
    const prod = run('BatchMatMul', be, { a: bT, b: reshaped(a, [1, k, m]) }, { transposeA: false, transposeB: false }); // [1, n, m]
    const out = transposeLast2(be, prod, 1, n, m);
    free(be, bT, prod);
    return reshaped(out, plan.outShape);
  }
  const temps: tf.TensorInfo[] = [];
  const a3 = transposeA ? transposeLast2(be, a, batchA, k, m) : reshaped(a, [batchA, m, k]);
  const b3 = transposeB ? transposeLast2(be, b, batchB, n, k) : reshaped(b, [batchB, k, n]);
  if (transposeA) temps.push(a3);
  if (transposeB) temps.push(b3);
  let out: tf.TensorInfo;
  if (batch === 1) {
    const inputs: tf.NamedTensorInfoMap = { ...args.inputs, a: a3, b: b3 };
    out = run(name, be, inputs, { ...attrs, transposeA: false, transposeB: false });
  } else {
    out = alloc(be, [batch, m, n]);
    const one = (t: tf.TensorInfo, batches: number, rows: number, cols: number, i: number): tf.TensorInfo => {
      if (batches === 1) return reshaped(t, [1, rows, cols]);
      const s = alloc(be, [1, rows, cols]);
      view(be, s).set(view(be, t).subarray(i * rows * cols, (i + 1) * rows * cols));
      temps.push(s);
      return s;
    };
    for (let i = 0; i < batch; i++) {
      const before = temps.length;
      const ai = one(a3, batchA, m, k, i);
      const bi = one(b3, batchB, k, n, i);
      const prod = run('BatchMatMul', be, { a: ai, b: bi }, { transposeA: false, transposeB: false });
      view(be, out).set(view(be, prod), i * m * n);
      free(be, prod, ...temps.splice(before));
    }
  }
  free(be, ...temps);
  return reshaped(out, plan.outShape);
}

// ---------------------------------------------------------------------------------------
// WebAssembly SIMD on the heap (heapKernels.ts)
// ---------------------------------------------------------------------------------------

/** The heap kernels for `channels` values per row (a multiple of 4), or null (JS loops then). */
function simdKernels(be: WasmBackend, channels: number): HeapKernels | null {
  return channels % 4 === 0 ? heapKernels(be) : null;
}

/** A zeroed float64 scratch array of `n` values on the heap (a float32 tensor of 2n values). */
function float64Scratch(be: WasmBackend, kernels: HeapKernels, n: number): { tensor: tf.TensorInfo; address: number; values(): Float64Array } {
  const tensor = alloc(be, [2 * n], true);
  const address = heapAddress(be, tensor.dataId);
  if (address % 8 !== 0) throw new BackendError(`wasm heap allocation at ${address} is not 8-byte aligned`);
  return { tensor, address, values: () => new Float64Array(kernels.memory.buffer, address, n) };
}

// ---------------------------------------------------------------------------------------
// Sum / Mean over leading axes
// ---------------------------------------------------------------------------------------

/** Reductions with fewer values than this keep the original kernel. */
const SMALL_REDUCTION = 1 << 14;

/**
 * Sum or mean over axes 0..k−1 (k < rank) of a float32 tensor: the input read once as a
 * [rows, columns] matrix, columns accumulated in float64. Any other reduction (other axes,
 * dtypes, small inputs) runs the original kernel.
 */
function leadingAxesReduction(kind: 'Sum' | 'Mean', args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const x = args.inputs.x as tf.TensorInfo;
  const attrs = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const rank = x.shape.length;
  const total = x.shape.reduce((a, b) => a * b, 1);
  if (x.dtype !== 'float32' || rank < 2 || total < SMALL_REDUCTION) return run(kind, be, args.inputs, args.attrs);
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
  const k = axes.length;
  if (k === 0 || k >= rank || axes.some((a, i) => a !== i)) return run(kind, be, args.inputs, args.attrs);
  const columns = x.shape.slice(k).reduce((a, b) => a * b, 1);
  const rows = total / columns;
  const simd = simdKernels(be, columns);
  let acc: Float64Array;
  if (simd !== null) {
    const scratch = float64Scratch(be, simd, columns);
    simd.columnSums(heapAddress(be, x.dataId), total, columns, scratch.address);
    acc = scratch.values().slice();
    free(be, scratch.tensor);
  } else {
    acc = new Float64Array(columns);
    const xv = view(be, x);
    // One flat loop with a wrapping column index: ~2x faster in V8 than nested row/column loops
    // when rows are short (per-channel statistics: 32 or 64 columns).
    for (let i = 0, c = 0; i < total; i++) {
      acc[c] += xv[i];
      if (++c === columns) c = 0;
    }
  }
  if (kind === 'Mean') for (let c = 0; c < columns; c++) acc[c] /= rows;
  const outShape = attrs.keepDims ? x.shape.map((d, i) => (i < k ? 1 : d)) : x.shape.slice(k);
  const out = alloc(be, outShape);
  view(be, out).set(acc);
  return out;
}

// ---------------------------------------------------------------------------------------
// FusedBatchNorm
// ---------------------------------------------------------------------------------------

/**
 * y = (x − mean) · scale / √(variance + ε) + offset with one parameter per channel (last axis)
 * or a single value: the per-channel affine map computed once (float64), then one pass.
 */
function fusedBatchNorm(args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const { x, mean, variance, offset, scale } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const epsilon = (args.attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  const channels = x!.shape[x!.shape.length - 1] ?? 1;
  const total = x!.shape.reduce((a, b) => a * b, 1);
  const params = [mean, variance, offset, scale].filter((t): t is tf.TensorInfo => t != null);
  const perChannel = (t: tf.TensorInfo): boolean => {
    const n = t.shape.reduce((a, b) => a * b, 1);
    return n === 1 || (n === channels && t.shape[t.shape.length - 1] === channels);
  };
  if (x!.dtype !== 'float32' || x!.shape.length === 0 || total < SMALL_REDUCTION || !params.every((t) => t.dtype === 'float32' && perChannel(t))) {
    return run('FusedBatchNorm', be, args.inputs, args.attrs);
  }
  const at = (t: tf.TensorInfo | undefined, fallback: number): ((c: number) => number) => {
    if (t == null) return () => fallback;
    const v = view(be, t);
    return v.length === 1 ? () => v[0] : (c) => v[c];
  };
  const [m, s2, o, g] = [at(mean, 0), at(variance, 1), at(offset, 0), at(scale, 1)];
  const a = new Float32Array(channels);
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const k = g(c) / Math.sqrt(s2(c) + epsilon);
    a[c] = k;
    b[c] = o(c) - m(c) * k;
  }
  const out = alloc(be, x!.shape);
  const simd = simdKernels(be, channels);
  if (simd !== null) {
    const params = alloc(be, [2 * channels]);
    const pv = view(be, params);
    pv.set(a);
    pv.set(b, channels);
    const at = heapAddress(be, params.dataId);
    simd.affine(heapAddress(be, x!.dataId), heapAddress(be, out.dataId), total, channels, at, at + 4 * channels);
    free(be, params);
    return out;
  }
  const xv = view(be, x!);
  const yv = view(be, out);
  for (let i = 0, c = 0; i < total; i++) {
    yv[i] = xv[i] * a[c] + b[c];
    if (++c === channels) c = 0;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// FusedBatchNorm gradient
// ---------------------------------------------------------------------------------------

/** Kernel computing every gradient of a per-channel FusedBatchNorm in one pass (wasm only). */
const BATCH_NORM_GRAD = 'AdtFusedBatchNormGrad';

/**
 * dx, dmean, dvariance, dscale, doffset of y = (x − m)·g/√(v + ε) + b with per-channel
 * (last axis) m, v, g: one pass accumulating Σdy and Σdy·(x − m) per channel in float64 and
 * writing dx; TF.js's gradient takes ten full-size element-wise ops and four reductions.
 */
function batchNormGrad(args: KernelArgs): tf.TensorInfo[] {
  const be = args.backend as WasmBackend;
  const { dy, x, mean, variance, scale } = args.inputs as Record<string, tf.TensorInfo | undefined>;
  const epsilon = (args.attrs as unknown as { varianceEpsilon: number }).varianceEpsilon;
  const channels = mean!.shape[0];
  const total = x!.shape.reduce((a, b) => a * b, 1);
  const k = new Float64Array(channels);
  const g = new Float64Array(channels);
  const m = new Float64Array(channels);
  {
    const mv = view(be, mean!);
    const vv = view(be, variance!);
    const gv = scale != null ? view(be, scale) : null;
    for (let c = 0; c < channels; c++) {
      k[c] = 1 / Math.sqrt(vv[c] + epsilon);
      g[c] = gv === null ? 1 : gv[c];
      m[c] = mv[c];
    }
  }
  const dx = alloc(be, x!.shape);
  let sumDy = new Float64Array(channels);
  let sumDyXc = new Float64Array(channels);
  const simd = simdKernels(be, channels);
  if (simd !== null) {
    const params = alloc(be, [2 * channels]);
    const pv = view(be, params);
    for (let c = 0; c < channels; c++) {
      pv[c] = m[c];
      pv[channels + c] = g[c] * k[c];
    }
    const sums = float64Scratch(be, simd, 2 * channels);
    const at = heapAddress(be, params.dataId);
    simd.batchNormGrad(heapAddress(be, dy!.dataId), heapAddress(be, x!.dataId), heapAddress(be, dx.dataId), total, channels, at, at + 4 * channels, sums.address, sums.address + 8 * channels);
    const values = sums.values();
    sumDy = values.slice(0, channels);
    sumDyXc = values.slice(channels);
    free(be, params, sums.tensor);
  } else {
    const dyv = view(be, dy!);
    const xv = view(be, x!);
    const dxv = view(be, dx);
    const factor = Float32Array.from({ length: channels }, (_, c) => g[c] * k[c]);
    for (let i = 0, c = 0; i < total; i++) {
      const d = dyv[i];
      sumDy[c] += d;
      sumDyXc[c] += d * (xv[i] - m[c]);
      dxv[i] = d * factor[c];
      if (++c === channels) c = 0;
    }
  }
  const outs = [alloc(be, [channels]), alloc(be, [channels]), alloc(be, [channels]), alloc(be, [channels])];
  const [dMean, dVariance, dScale, dOffset] = outs.map((t) => view(be, t));
  for (let c = 0; c < channels; c++) {
    dMean[c] = -k[c] * g[c] * sumDy[c];
    dVariance[c] = -0.5 * k[c] * k[c] * k[c] * g[c] * sumDyXc[c];
    dScale[c] = k[c] * sumDyXc[c];
    dOffset[c] = sumDy[c];
  }
  return [dx, ...outs];
}

/** TF.js's FusedBatchNorm gradient while enabled (restored by disableWasmTraining). */
let originalBatchNormGrad: tf.GradConfig | null = null;

/** The FusedBatchNorm gradient: one pass on wasm for per-channel parameters, TF.js's elsewhere. */
function batchNormGradConfig(original: tf.GradConfig): tf.GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const [x, mean, variance, scale] = saved;
      const channels = x.shape[x.shape.length - 1];
      const fits =
        tf.getBackend() === WASM &&
        tf.getKernel(BATCH_NORM_GRAD, WASM) !== undefined &&
        x.dtype === 'float32' &&
        x.rank >= 2 &&
        [mean, variance, scale].every((t) => t == null || (t.rank === 1 && t.shape[0] === channels && t.dtype === 'float32'));
      if (!fits) return original.gradFunc(dy, saved, attrs);
      const inputs: tf.NamedTensorMap = { dy: dy as tf.Tensor, x, mean, variance };
      if (scale != null) inputs.scale = scale;
      const [dx, dMean, dVariance, dScale, dOffset] = tf.engine().runKernel(BATCH_NORM_GRAD, inputs, attrs as tf.NamedAttrMap) as tf.Tensor[];
      return { x: () => dx, mean: () => dMean, variance: () => dVariance, scale: () => dScale, offset: () => dOffset };
    },
  };
}

// ---------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------

/** What {@link enableWasmTraining} registered. */
// ---------------------------------------------------------------------------------------
// Identity; Sum / Mean gradients
// ---------------------------------------------------------------------------------------

/**
 * Identity without a copy: the output shares the input's data (reference counted, as wasm's
 * own Reshape does; no wasm kernel writes into its inputs). TF.js clones every tensor a
 * kernel saves for its gradient, and wasm's Identity copies it (≈30 ms per 8 × 400 × 84 × 32
 * activation, 60 ms of a CRNN training step).
 */
function identity(args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const x = args.inputs.x as tf.TensorInfo;
  if (x.dtype === 'string') return run('Identity', be, args.inputs, args.attrs);
  be.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * erf in WebAssembly SIMD (the exact GELU of the transformer models): the same
 * Abramowitz-Stegun formula as TF.js's cpu kernel, 4 values at a time; the stock wasm kernel
 * calls the C library's erf per value (5% of a ViT forward pass).
 */
function erf(args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const x = args.inputs.x as tf.TensorInfo;
  const total = x.shape.reduce((a, b) => a * b, 1);
  const simd = heapKernels(be);
  if (x.dtype !== 'float32' || simd === null || total < 4) return run('Erf', be, args.inputs, args.attrs);
  const out = alloc(be, x.shape);
  const body = total - (total % 4);
  simd.erf(heapAddress(be, x.dataId), heapAddress(be, out.dataId), body);
  if (body < total) {
    const xv = view(be, x);
    const yv = view(be, out);
    for (let i = body; i < total; i++) yv[i] = erfScalar(xv[i]);
  }
  return out;
}

/** The same formula for the last (total mod 4) values. */
function erfScalar(v: number): number {
  const a = Math.abs(v);
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return Math.sign(v) * (1 - poly * Math.exp(-a * a));
}

/** TF.js's gradients replaced while enabled (restored by disableWasmTraining). */
let originalGradients: Map<string, tf.GradConfig> | null = null;

/**
 * Sum / Mean gradients on wasm: the broadcast of dy (÷ the reduced size for Mean) as one Tile
 * of the small reduced tensor, instead of TF.js's `dy · ones(x.shape)` (a full-size fill and
 * multiply, and for Mean a full-size division). Same values: dy ÷ n is the same float32
 * division either way. Every BatchNorm in training mode takes two Mean gradients.
 */
function reductionGradConfig(original: tf.GradConfig, kind: 'Sum' | 'Mean'): tf.GradConfig {
  return {
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      if (tf.getBackend() !== WASM || x.dtype !== 'float32' || (dy as tf.Tensor).dtype !== 'float32') return original.gradFunc(dy, saved, attrs);
      const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
      const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const reps = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
      const n = axes.reduce((p, a) => p * x.shape[a], 1);
      return {
        x: () =>
          tf.tidy(() => {
            const d = tf.reshape(dy as tf.Tensor, expanded);
            return tf.tile(kind === 'Mean' ? tf.div(d, n) : d, reps);
          }),
      };
    },
  };
}

export interface WasmTrainingKernels {
  /** Kernels the wasm backend lacked and that adtkit added (e.g. `Conv2DBackpropFilter`). */
  added: string[];
  /** Wasm kernels replaced by faster ones (the originals remain the fallback for other cases). */
  replaced: string[];
  /**
   * Kernels whose gradient is computed by adtkit on wasm (`FusedBatchNorm`: one pass for
   * per-channel parameters; `Sum`, `Mean`: one broadcast); other backends keep TF.js's gradient.
   */
  gradients: string[];
}

const implementations: Record<string, Kernel> = {
  Conv2D: conv2D,
  FusedConv2D: fusedConv2D,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  MaxPoolGrad: maxPoolGrad,
  Tile: tile,
  BatchMatMul: (args) => fastMatMul(args, false),
  _FusedMatMul: (args) => fastMatMul(args, true),
  Sum: (args) => leadingAxesReduction('Sum', args),
  Mean: (args) => leadingAxesReduction('Mean', args),
  FusedBatchNorm: fusedBatchNorm,
  Identity: identity,
  Erf: erf,
};

/**
 * Makes adtkit's models trainable on TF.js's wasm backend and speeds up their gradients
 * there: registers the missing `Conv2DBackpropFilter` kernel, replaces the wasm
 * `MaxPoolGrad` (which loses the gradient of all-negative windows in TF.js 4.22) with a
 * correct one, and replaces `Conv2DBackpropInput`, `BatchMatMul` and `_FusedMatMul` with
 * versions that run on the backend's XNNPACK convolution and matrix product, and `Tile` with
 * block copies (see the module comment). `Conv2D` / `FusedConv2D` of 3×3 'same' stride-1
 * convolutions (every convolution of the conv front ends but the first) run as Winograd
 * F(4×4, 3×3) in WebAssembly SIMD (winogradConv.ts: 4× fewer multiply-adds; on two threads
 * with `enableWasmThreads`), their filter gradients as F(2×2, 3×3). Results match the cpu
 * backend to float32 rounding (Winograd: within 1e-5 relative). Other backends
 * are not touched. Also speeds up inference on wasm (the convolutions, batched `q·kᵀ`). Idempotent.
 *
 * Requires `@tensorflow/tfjs-backend-wasm` to be imported (its kernels registered); the
 * backend itself may be initialised before or after this call.
 *
 * @returns The kernels added and replaced, and the gradients swapped (FusedBatchNorm).
 * @throws {@link BackendError} (code `BACKEND_UNAVAILABLE`) when the wasm backend's kernels
 *   are not registered.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { createCRNN, enableWasmTraining } from 'adtkit/models';
 * enableWasmTraining();
 * await tf.setBackend('wasm');
 * const model = createCRNN({ numLayers: 2, hiddenSize: 72 }); // now trainable on wasm
 * ```
 */
export function enableWasmTraining(): WasmTrainingKernels {
  if (originals !== null) return enabledKernels();
  const missing = REQUIRED_KERNELS.filter((k) => tf.getKernel(k, WASM) === undefined);
  if (missing.length > 0) {
    throw new BackendError(
      `enableWasmTraining: the wasm backend's kernels ${missing.join(', ')} are not registered; ` +
        `import '@tensorflow/tfjs-backend-wasm' before calling it`,
    );
  }
  const saved = new Map<string, tf.KernelConfig>();
  const newlyAdded: string[] = [];
  for (const name of ADDED_KERNELS) {
    if (tf.getKernel(name, WASM) !== undefined) continue; // a later TF.js has it: keep theirs
    tf.registerKernel({ kernelName: name, backendName: WASM, kernelFunc: implementations[name] as unknown as tf.KernelFunc });
    newlyAdded.push(name);
  }
  for (const name of REPLACED_KERNELS) {
    const original = tf.getKernel(name, WASM);
    saved.set(name, original);
    tf.unregisterKernel(name, WASM);
    tf.registerKernel({
      kernelName: name,
      backendName: WASM,
      kernelFunc: implementations[name] as unknown as tf.KernelFunc,
      // The original's setup binds its wasm function; the backend runs setup on every setBackend.
      setupFunc: original.setupFunc,
      disposeFunc: original.disposeFunc,
    });
  }
  originals = saved;
  added = newlyAdded;
  const bnGrad = tf.getGradient('FusedBatchNorm');
  if (bnGrad !== undefined) {
    tf.registerKernel({ kernelName: BATCH_NORM_GRAD, backendName: WASM, kernelFunc: batchNormGrad as unknown as tf.KernelFunc });
    originalBatchNormGrad = bnGrad;
    tf.registerGradient(batchNormGradConfig(bnGrad));
  }
  originalGradients = new Map();
  for (const kind of ['Sum', 'Mean'] as const) {
    const original = tf.getGradient(kind);
    if (original === undefined) continue;
    originalGradients.set(kind, original);
    tf.registerGradient(reductionGradConfig(original, kind));
  }
  return enabledKernels();
}

function enabledKernels(): WasmTrainingKernels {
  return {
    added: [...added],
    replaced: [...(originals?.keys() ?? [])],
    gradients: [...(originalBatchNormGrad !== null ? ['FusedBatchNorm'] : []), ...(originalGradients?.keys() ?? [])],
  };
}

/**
 * Undoes {@link enableWasmTraining}: restores the wasm backend's original kernels and removes
 * the added ones. A no-op when not enabled.
 */
export function disableWasmTraining(): void {
  if (originals === null) return;
  for (const name of added) tf.unregisterKernel(name, WASM);
  for (const [name, config] of originals) {
    tf.unregisterKernel(name, WASM);
    tf.registerKernel(config);
  }
  originals = null;
  added = [];
  if (originalBatchNormGrad !== null) {
    tf.registerGradient(originalBatchNormGrad);
    tf.unregisterKernel(BATCH_NORM_GRAD, WASM);
    originalBatchNormGrad = null;
  }
  for (const config of originalGradients?.values() ?? []) tf.registerGradient(config);
  originalGradients = null;
}

/** Whether {@link enableWasmTraining} is in effect. */
export function isWasmTrainingEnabled(): boolean {
  return originals !== null;
}
