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
 *   and the output gradient placed on the same grid (zeros elsewhere); each filter tap
 *   (kh, kw) is then one matrix product dyᵀ [Cout, rows] × grid rows shifted by
 *   kh·Wp + kw [rows, Cin] — a contiguous window, so the "im2col" is one memcpy per tap.
 *   Other strides gather the rows of each tap. Rows are processed in chunks of whole
 *   samples to bound temporary memory.
 * - input gradient (stride 1): the forward convolution of dy with the filter rotated by 180°
 *   and its channels swapped, padded by (k − 1 − pad); other strides use the original kernel.
 * - matMul: operands transposed explicitly (wasm `Transpose`), batches multiplied one by one
 *   through the fast single-matrix path; small products keep the original kernel.
 * Numerical results equal the cpu backend's gradients to float32 rounding (summation
 * order differs): test/wasmTraining*.test.ts checks every kernel and a full training step of
 * every architecture against the cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';

const WASM = 'wasm';
/** Kernels whose wasm implementation is replaced (the original stays as fallback). */
const REPLACED_KERNELS = ['Conv2DBackpropInput', 'BatchMatMul', '_FusedMatMul'] as const;
/** Kernels the wasm backend lacks and that are added. */
const ADDED_KERNELS = ['Conv2DBackpropFilter'] as const;
/** Wasm kernels the implementations call. */
const REQUIRED_KERNELS = ['Conv2D', 'Transpose', 'BatchMatMul', '_FusedMatMul', 'Conv2DBackpropInput'] as const;

/**
 * Products with fewer multiply-adds (per matrix) than this keep the original matMul kernel:
 * below it the extra transpose / copies cost more than the slow path loses.
 */
const SMALL_MATMUL_MACS = 1 << 15;
/** Rows × channels of the temporary window of a filter-gradient chunk (floats). */
const CHUNK_FLOATS = 1 << 22;

/** The part of TF.js's `BackendWasm` these kernels use (tfjs-backend-wasm 4.x). */
interface WasmBackend {
  dataIdMap: { get(dataId: object): { id: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
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
// Conv2DBackpropFilter
// ---------------------------------------------------------------------------------------

/**
 * Filter gradient dW[kh, kw, ci, co] = Σ_{n, h, w} x_pad[n, h·sh + kh, w·sw + kw, ci] · dy[n, h, w, co].
 * Rows r of a "grid" (stride 1: the padded input grid; otherwise the output grid) are
 * processed in chunks of whole samples; per chunk, dyᵀ [Cout, rows] is built once and each
 * tap's input window [rows, Cin] is multiplied by it.
 */
function conv2DBackpropFilter(args: KernelArgs): tf.TensorInfo {
  const be = args.backend as WasmBackend;
  const x = args.inputs.x as tf.TensorInfo;
  const dy = args.inputs.dy as tf.TensorInfo;
  const attrs = args.attrs as unknown as {
    strides: number | [number, number]; pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat?: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: [number, number, number, number];
  };
  assertFloat32NHWC('Conv2DBackpropFilter', attrs.dataFormat, x, dy);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
  const { batchSize: n, inHeight, inWidth, inChannels: ci, outChannels: co, outHeight: oh, outWidth: ow, filterHeight: fh, filterWidth: fw } = info;
  const [sh, sw] = [info.strideHeight, info.strideWidth];
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const contiguous = sh === 1 && sw === 1;
  // Grid per sample: stride 1 → padded input region [Hp, Wp]; else the output [oh, ow].
  const gh = contiguous ? oh + fh - 1 : oh;
  const gw = contiguous ? ow + fw - 1 : ow;
  const perSample = gh * gw;
  const tail = contiguous ? (fh - 1) * gw + (fw - 1) : 0;

  // Stride 1: the zero-padded input on the grid, with `tail` zero rows so every window fits.
  let xp: tf.TensorInfo | null = null;
  if (contiguous) {
    xp = alloc(be, [n * perSample + tail, ci], true);
    const xpv = view(be, xp);
    const xv = view(be, x);
    const j0 = Math.max(0, left);
    const j1 = Math.min(gw, inWidth + left);
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < gh; i++) {
        const src = i - top;
        if (src < 0 || src >= inHeight || j1 <= j0) continue;
        const from = ((b * inHeight + src) * inWidth + (j0 - left)) * ci;
        xpv.set(xv.subarray(from, from + (j1 - j0) * ci), ((b * gh + i) * gw + j0) * ci);
      }
    }
  }

  const acc = new Float64Array(fh * fw * ci * co);
  const samplesPerChunk = Math.max(1, Math.floor(CHUNK_FLOATS / (perSample * Math.max(ci, co))));
  for (let b0 = 0; b0 < n; b0 += samplesPerChunk) {
    const nb = Math.min(samplesPerChunk, n - b0);
    const rows = nb * perSample;
    // dy of these samples on the grid [rows, co] (zeros off the output), then transposed.
    const dyGrid = alloc(be, [rows, co], contiguous);
    {
      const dv = view(be, dy);
      const gv = view(be, dyGrid);
      if (contiguous) {
        for (let b = 0; b < nb; b++) {
          for (let h = 0; h < oh; h++) {
            const from = (((b0 + b) * oh + h) * ow) * co;
            gv.set(dv.subarray(from, from + ow * co), ((b * gh + h) * gw) * co);
          }
        }
      } else {
        gv.set(dv.subarray(b0 * oh * ow * co, (b0 + nb) * oh * ow * co));
      }
    }
    const dyT = run('Transpose', be, { x: dyGrid }, { perm: [1, 0] });
    free(be, dyGrid);
    for (let kh = 0; kh < fh; kh++) {
      for (let kw = 0; kw < fw; kw++) {
        const win = alloc(be, [rows, ci], !contiguous);
        if (contiguous) {
          const start = (b0 * perSample + kh * gw + kw) * ci;
          view(be, win).set(view(be, xp as tf.TensorInfo).subarray(start, start + rows * ci));
        } else {
          gatherStridedWindow(view(be, x), view(be, win), { b0, nb, oh, ow, ci, inHeight, inWidth, row0: kh - top, col0: kw - left, sh, sw });
        }
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
  if (xp) free(be, xp);
  const out = alloc(be, [fh, fw, ci, co]);
  view(be, out).set(acc);
  return out;
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
  const attrs = args.attrs as unknown as {
    strides: number | [number, number]; pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
    dataFormat?: 'NHWC' | 'NCHW'; dimRoundingMode?: 'floor' | 'round' | 'ceil'; inputShape: [number, number, number, number];
  };
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
  const dx = run('Conv2D', be, { x: dy, filter: rotated }, {
    strides: [1, 1], dilations: [1, 1], dataFormat: 'NHWC', dimRoundingMode: undefined,
    pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]],
  });
  free(be, rotated);
  return dx;
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
// Registration
// ---------------------------------------------------------------------------------------

/** What {@link enableWasmTraining} registered. */
export interface WasmTrainingKernels {
  /** Kernels the wasm backend lacked and that adtkit added (e.g. `Conv2DBackpropFilter`). */
  added: string[];
  /** Wasm kernels replaced by faster ones (the originals remain the fallback for other cases). */
  replaced: string[];
}

const implementations: Record<string, Kernel> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  BatchMatMul: (args) => fastMatMul(args, false),
  _FusedMatMul: (args) => fastMatMul(args, true),
};

/**
 * Makes adtkit's models trainable on TF.js's wasm backend and speeds up their gradients
 * there: registers the missing `Conv2DBackpropFilter` kernel and replaces
 * `Conv2DBackpropInput`, `BatchMatMul` and `_FusedMatMul` with versions that run on the
 * backend's XNNPACK convolution and matrix product (see the module comment). Results match
 * the cpu backend to float32 rounding. Other backends are not touched. Also speeds up
 * inference of the attention models on wasm (batched `q·kᵀ`). Idempotent.
 *
 * Requires `@tensorflow/tfjs-backend-wasm` to be imported (its kernels registered); the
 * backend itself may be initialised before or after this call.
 *
 * @returns The kernels added and replaced.
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
  if (originals !== null) return { added: [...added], replaced: [...originals.keys()] };
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
  return { added: [...added], replaced: [...saved.keys()] };
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
}

/** Whether {@link enableWasmTraining} is in effect. */
export function isWasmTrainingEnabled(): boolean {
  return originals !== null;
}
