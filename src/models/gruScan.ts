/**
 * A whole direction of a GRU layer in one call: the WebAssembly SIMD kernels of
 * `wasm/gruScan.wat` (forward and backward through time), wrapped as TF.js kernels
 * `AdtGRUScan` / `AdtGRUScanGrad` for the cpu and wasm backends; likewise `AdtLSTMScan` /
 * `AdtLSTMScanGrad` for LSTM layers.
 *
 * Why: per time step TF.js needs two engine calls (recurrent matMul + gate kernel), each with
 * tensor bookkeeping, a heap copy on wasm and a thread-pool dispatch; for the built-in model's
 * 72-unit layers that overhead is most of the recurrent time. Here the data is copied once per
 * layer direction into the module's own memory (padded to its SIMD layout), and every step runs
 * inside WebAssembly. The module is 2 kB, compiled synchronously on first use (allowed on a
 * browser's main thread below 4 kB); where WebAssembly SIMD is missing the kernels are not
 * registered and the layers keep the per-step path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import { decodeBase64 } from '../base64.js';
import { startWasmWorker, type WasmWorkerPair } from '../wasmWorker.js';
import { GRU_SCAN_SHARED_WASM_BASE64, GRU_SCAN_WASM_BASE64 } from './wasm/gruScanBinary.js';

export const ADT_GRU_SCAN = 'AdtGRUScan';
export const ADT_GRU_SCAN_GRAD = 'AdtGRUScanGrad';
export const ADT_LSTM_SCAN = 'AdtLSTMScan';
export const ADT_LSTM_SCAN_GRAD = 'AdtLSTMScanGrad';
/** Both directions of a GRU layer (inference): on two threads when {@link startParallelScans} ran. */
export const ADT_GRU_SCAN_PAIR = 'AdtGRUScanPair';
/** Both directions of an LSTM layer (inference), likewise. */
export const ADT_LSTM_SCAN_PAIR = 'AdtLSTMScanPair';

interface ScanExports {
  memory: WebAssembly.Memory;
  gruForward(proj: number, w: number, bias: number, hs: number, ghs: number, zeros: number, steps: number, rows: number, hp: number, reverse: number, saveGh: number): void;
  gruBackward(dy: number, proj: number, ghs: number, hs: number, wT: number, dPre: number, dGh: number, dhd: number, dhm: number, zeros: number, steps: number, rows: number, hp: number, reverse: number): void;
  lstmForward(proj: number, w: number, hs: number, c: number, ghs: number, zeros: number, steps: number, rows: number, hp: number, reverse: number, cs: number, save: number): void;
  lstmBackward(dy: number, proj: number, ghs: number, cs: number, wT: number, dA: number, dhm: number, dc: number, zeros: number, steps: number, rows: number, hp: number, reverse: number): void;
}

let instance: ScanExports | null | undefined;

/** The module's exports, or null where WebAssembly SIMD is unavailable. */
function scanModule(): ScanExports | null {
  if (instance !== undefined) return instance;
  try {
    const bytes = decodeBase64(GRU_SCAN_WASM_BASE64);
    instance = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? (new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as ScanExports) : null;
  } catch {
    instance = null;
  }
  return instance;
}

/** Whether the WebAssembly SIMD scan kernels can run here. */
export function gruScanAvailable(): boolean {
  return scanModule() !== null;
}

/**
 * Lays out one call's regions (float32 counts, each 16-byte aligned) from address 0 of the
 * module's memory (the kernels are synchronous, so every call starts afresh), grows the memory
 * to fit and zero-fills it (the padding of units and rows must be zero). Returns the module,
 * the padded sizes, a view of the memory and each region's byte address.
 */
function stage(caller: string, h: number, b: number, regions: (hp: number, rowsP: number) => number[], on: ScanExports | null = scanModule()): { module: ScanExports; hp: number; rowsP: number; heap: Float32Array; at: number[] } {
  const module = on;
  if (module === null) throw new BackendError(`${caller}: WebAssembly SIMD is not available`);
  const hp = roundUp(h, 16);
  const rowsP = roundUp(b, 2);
  let end = 0;
  const at = regions(hp, rowsP).map((floats) => {
    const address = end;
    end += roundUp(floats * 4, 16);
    return address;
  });
  const pages = Math.ceil(end / 65536);
  const have = module.memory.buffer.byteLength / 65536;
  if (pages > have) module.memory.grow(pages - have);
  // A fresh view: growing detaches the old buffer.
  const heap = new Float32Array(module.memory.buffer);
  heap.fill(0, 0, end / 4);
  return { module, hp, rowsP, heap, at };
}

const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Copies [T·B rows, blocks·h] into [T, rowsP, blocks·hp] at float offset `at` (zero padding must already be there). */
function pack(heap: Float32Array, at: number, src: Float32Array, t: number, b: number, rowsP: number, blocks: number, h: number, hp: number): void {
  for (let s = 0; s < t; s++) {
    for (let r = 0; r < b; r++) {
      const from = (s * b + r) * blocks * h;
      const to = at + (s * rowsP + r) * blocks * hp;
      for (let g = 0; g < blocks; g++) heap.set(src.subarray(from + g * h, from + (g + 1) * h), to + g * hp);
    }
  }
}

/** The inverse of {@link pack}: [T, rowsP, blocks·hp] at `at` → new [T·B rows, blocks·h]. */
function unpack(heap: Float32Array, at: number, t: number, b: number, rowsP: number, blocks: number, h: number, hp: number): Float32Array {
  const out = new Float32Array(t * b * blocks * h);
  for (let s = 0; s < t; s++) {
    for (let r = 0; r < b; r++) {
      const from = at + (s * rowsP + r) * blocks * hp;
      const to = (s * b + r) * blocks * h;
      for (let g = 0; g < blocks; g++) out.set(heap.subarray(from + g * hp, from + g * hp + h), to + g * h);
    }
  }
  return out;
}

/** w [H, G·H] → padded [HP, G·HP] (transposed: [G·HP, HP]) at float offset `at`. */
function packWeights(heap: Float32Array, at: number, w: Float32Array, h: number, hp: number, transposed: boolean, gates = 3): void {
  for (let i = 0; i < h; i++) {
    for (let g = 0; g < gates; g++) {
      for (let j = 0; j < h; j++) {
        const value = w[i * gates * h + g * h + j];
        if (transposed) heap[at + (g * hp + j) * hp + i] = value;
        else heap[at + i * gates * hp + g * hp + j] = value;
      }
    }
  }
}

/**
 * Runs one GRU direction. `proj` [T, B, 3H] (biases folded in except b_hn), `w` [H, 3H],
 * `recBias` [3H] or null. Returns hidden states [T, B, H] and, with `saveGates`, the recurrent
 * products gh [T, B, 3H] the backward pass needs.
 */
export function gruScanForward(proj: Float32Array, w: Float32Array, recBias: Float32Array | null, t: number, b: number, h: number, reverse: boolean, saveGates: boolean): { hs: Float32Array; ghs: Float32Array | null } {
  const { module, hp, rowsP, heap, at } = stage('gruScanForward', h, b, (hp, rows) => [t * rows * 3 * hp, hp * 3 * hp, 3 * hp, t * rows * hp, (saveGates ? t : 1) * rows * 3 * hp, rows * hp]);
  const [projAt, wAt, biasAt, hsAt, ghsAt, zerosAt] = at;
  pack(heap, projAt / 4, proj, t, b, rowsP, 3, h, hp);
  packWeights(heap, wAt / 4, w, h, hp, false);
  if (recBias !== null) for (let g = 0; g < 3; g++) heap.set(recBias.subarray(g * h, (g + 1) * h), biasAt / 4 + g * hp);
  module.gruForward(projAt, wAt, biasAt, hsAt, ghsAt, zerosAt, t, rowsP, hp, reverse ? 1 : 0, saveGates ? 1 : 0);
  const view = new Float32Array(module.memory.buffer);
  return { hs: unpack(view, hsAt / 4, t, b, rowsP, 1, h, hp), ghs: saveGates ? unpack(view, ghsAt / 4, t, b, rowsP, 3, h, hp) : null };
}

/**
 * Two-thread runtime (Node): the shared-memory build of the module, instantiated on one shared
 * WebAssembly.Memory here and in a worker thread, so both directions of a bidirectional layer
 * run at once. Why: a direction's steps are sequential and each step is too small to split, but
 * the two directions are independent; with XNNPACK's pool idle during the scan, the second core
 * would otherwise wait. The main thread blocks on `Atomics.wait` (allowed in Node) until the
 * worker signals.
 */
type ParallelRuntime = WasmWorkerPair<ScanExports>;
let parallel: ParallelRuntime | null = null;

/**
 * Starts the worker that runs the second direction of bidirectional GRU layers (Node only;
 * called by `enableWasmThreads` when it gets two threads or more). Returns whether it runs.
 */
export async function startParallelScans(): Promise<boolean> {
  if (parallel !== null && parallel.alive) return true;
  if (scanModule() === null) return false;
  parallel = await startWasmWorker<ScanExports>(decodeBase64(GRU_SCAN_SHARED_WASM_BASE64));
  return parallel !== null;
}

/** Stops the worker of {@link startParallelScans}; directions run one after the other again. */
export function stopParallelScans(): void {
  parallel?.terminate();
  parallel = null;
}

/** Whether bidirectional GRU layers run their two directions on two threads. */
export function parallelScansRunning(): boolean {
  return parallel !== null && parallel.alive;
}

/** One direction's inputs for {@link gruScanForwardPair}. */
export interface GruDirection {
  proj: Float32Array;
  w: Float32Array;
  recBias: Float32Array | null;
  reverse: boolean;
}

/**
 * Both directions of a GRU layer (inference), `proj` [T, B, 3H] each: on two threads when the
 * parallel runtime runs (the same code and data layout per direction, so results equal
 * {@link gruScanForward}'s bit for bit), else one after the other.
 */
export function gruScanForwardPair(directions: [GruDirection, GruDirection], t: number, b: number, h: number): [Float32Array, Float32Array] {
  const runtime = parallel;
  if (runtime === null) return [0, 1].map((d) => gruScanForward(directions[d].proj, directions[d].w, directions[d].recBias, t, b, h, directions[d].reverse, false).hs) as [Float32Array, Float32Array];
  const perDirection = (hp: number, rows: number) => [t * rows * 3 * hp, hp * 3 * hp, 3 * hp, t * rows * hp, rows * 3 * hp, rows * hp];
  const { module, hp, rowsP, heap, at } = stage('gruScanForwardPair', h, b, (hp, rows) => [...perDirection(hp, rows), ...perDirection(hp, rows)], runtime.exports);
  const calls = directions.map((dir, d) => {
    const [projAt, wAt, biasAt, hsAt, ghsAt, zerosAt] = at.slice(6 * d, 6 * d + 6);
    pack(heap, projAt / 4, dir.proj, t, b, rowsP, 3, h, hp);
    packWeights(heap, wAt / 4, dir.w, h, hp, false);
    if (dir.recBias !== null) for (let g = 0; g < 3; g++) heap.set(dir.recBias.subarray(g * h, (g + 1) * h), biasAt / 4 + g * hp);
    return { hsAt, args: [projAt, wAt, biasAt, hsAt, ghsAt, zerosAt, t, rowsP, hp, dir.reverse ? 1 : 0, 0] };
  });
  runOnTwoThreads(runtime, 'gruForward', calls[0].args, calls[1].args);
  const view = new Float32Array(module.memory.buffer);
  return [unpack(view, calls[0].hsAt / 4, t, b, rowsP, 1, h, hp), unpack(view, calls[1].hsAt / 4, t, b, rowsP, 1, h, hp)];
}

/** Both directions of an LSTM layer (inference), as {@link gruScanForwardPair}; `proj` [T, B, 4H] each. */
export function lstmScanForwardPair(directions: [Omit<GruDirection, 'recBias'>, Omit<GruDirection, 'recBias'>], t: number, b: number, h: number): [Float32Array, Float32Array] {
  const runtime = parallel;
  if (runtime === null) return [0, 1].map((d) => lstmScanForward(directions[d].proj, directions[d].w, t, b, h, directions[d].reverse).hs) as [Float32Array, Float32Array];
  const perDirection = (hp: number, rows: number) => [t * rows * 4 * hp, hp * 4 * hp, t * rows * hp, rows * hp, rows * 4 * hp, rows * hp, 4 * hp + rows * hp];
  const { module, hp, rowsP, heap, at } = stage('lstmScanForwardPair', h, b, (hp, rows) => [...perDirection(hp, rows), ...perDirection(hp, rows)], runtime.exports);
  const calls = directions.map((dir, d) => {
    const [projAt, wAt, hsAt, cAt, ghsAt, csAt, zerosAt] = at.slice(7 * d, 7 * d + 7);
    pack(heap, projAt / 4, dir.proj, t, b, rowsP, 4, h, hp);
    packWeights(heap, wAt / 4, dir.w, h, hp, false, 4);
    return { hsAt, args: [projAt, wAt, hsAt, cAt, ghsAt, zerosAt, t, rowsP, hp, dir.reverse ? 1 : 0, csAt, 0] };
  });
  runOnTwoThreads(runtime, 'lstmForward', calls[0].args, calls[1].args);
  const view = new Float32Array(module.memory.buffer);
  return [unpack(view, calls[0].hsAt / 4, t, b, rowsP, 1, h, hp), unpack(view, calls[1].hsAt / 4, t, b, rowsP, 1, h, hp)];
}

/** Runs `fn(mainArgs)` here and `fn(workerArgs)` on the worker, and returns when both are done. */
function runOnTwoThreads(runtime: ParallelRuntime, fn: 'gruForward' | 'lstmForward', mainArgs: number[], workerArgs: number[]): void {
  try {
    runtime.runOnTwoThreads(fn, mainArgs, workerArgs);
  } finally {
    // A worker that stopped answering is dropped; later calls run sequentially.
    if (!runtime.alive && parallel === runtime) parallel = null;
  }
}

/**
 * Runs one LSTM direction. `proj` [T, B, 4H] (all biases folded in), `w` [H, 4H], gate blocks
 * i, f, g, o (PyTorch order). Returns the hidden states [T, B, H] and, with `saveGates`, the
 * recurrent products gh [T, B, 4H] and cell states [T, B, H] the backward pass needs.
 */
export function lstmScanForward(proj: Float32Array, w: Float32Array, t: number, b: number, h: number, reverse: boolean, saveGates = false): { hs: Float32Array; ghs: Float32Array | null; cs: Float32Array | null } {
  const saved = saveGates ? t : 1;
  const { module, hp, rowsP, heap, at } = stage('lstmScanForward', h, b, (hp, rows) => [t * rows * 4 * hp, hp * 4 * hp, t * rows * hp, rows * hp, saved * rows * 4 * hp, saved * rows * hp, 4 * hp + rows * hp]);
  const [projAt, wAt, hsAt, cAt, ghsAt, csAt, zerosAt] = at;
  pack(heap, projAt / 4, proj, t, b, rowsP, 4, h, hp);
  packWeights(heap, wAt / 4, w, h, hp, false, 4);
  module.lstmForward(projAt, wAt, hsAt, cAt, ghsAt, zerosAt, t, rowsP, hp, reverse ? 1 : 0, csAt, saveGates ? 1 : 0);
  const view = new Float32Array(module.memory.buffer);
  return {
    hs: unpack(view, hsAt / 4, t, b, rowsP, 1, h, hp),
    ghs: saveGates ? unpack(view, ghsAt / 4, t, b, rowsP, 4, h, hp) : null,
    cs: saveGates ? unpack(view, csAt / 4, t, b, rowsP, 1, h, hp) : null,
  };
}

/**
 * LSTM backward pass through time of one direction: from dy [T, B, H] and the forward's proj,
 * gh, cell and hidden states, returns dA [T, B, 4H] (the gradient of the gate pre-activations,
 * i.e. of proj and of the recurrent products) and h_prev [T, B, H].
 */
export function lstmScanBackward(dy: Float32Array, proj: Float32Array, ghs: Float32Array, cs: Float32Array, hs: Float32Array, w: Float32Array, t: number, b: number, h: number, reverse: boolean): { dA: Float32Array; hPrev: Float32Array } {
  const { module, hp, rowsP, heap, at } = stage('lstmScanBackward', h, b, (hp, rows) => {
    const big = t * rows * 4 * hp;
    return [t * rows * hp, big, big, t * rows * hp, 4 * hp * hp, big, rows * hp, rows * hp, 4 * hp + rows * hp];
  });
  const [dyAt, projAt, ghsAt, csAt, wTAt, dAAt, dhmAt, dcAt, zerosAt] = at;
  pack(heap, dyAt / 4, dy, t, b, rowsP, 1, h, hp);
  pack(heap, projAt / 4, proj, t, b, rowsP, 4, h, hp);
  pack(heap, ghsAt / 4, ghs, t, b, rowsP, 4, h, hp);
  pack(heap, csAt / 4, cs, t, b, rowsP, 1, h, hp);
  packWeights(heap, wTAt / 4, w, h, hp, true, 4);
  module.lstmBackward(dyAt, projAt, ghsAt, csAt, wTAt, dAAt, dhmAt, dcAt, zerosAt, t, rowsP, hp, reverse ? 1 : 0);
  return { dA: unpack(new Float32Array(module.memory.buffer), dAAt / 4, t, b, rowsP, 4, h, hp), hPrev: previousStates(hs, t, b, h, reverse) };
}

/**
 * Backward pass through time of one direction: from dy [T, B, H] (the gradient reaching the
 * outputs) and the forward's proj, gh and hidden states, returns dPre and dGh [T, B, 3H] (the
 * gradients of the input projection and of the recurrent products) and h_prev [T, B, H] (each
 * step's incoming state, for the weight gradient).
 */
export function gruScanBackward(dy: Float32Array, proj: Float32Array, ghs: Float32Array, hs: Float32Array, w: Float32Array, t: number, b: number, h: number, reverse: boolean): { dPre: Float32Array; dGh: Float32Array; hPrev: Float32Array } {
  const { module, hp, rowsP, heap, at } = stage('gruScanBackward', h, b, (hp, rows) => {
    const big = t * rows * 3 * hp;
    return [t * rows * hp, big, big, t * rows * hp, 3 * hp * hp, big, big, rows * hp, rows * hp, 3 * hp + rows * hp];
  });
  const [dyAt, projAt, ghsAt, hsAt, wTAt, dPreAt, dGhAt, dhdAt, dhmAt, zerosAt] = at;
  pack(heap, dyAt / 4, dy, t, b, rowsP, 1, h, hp);
  pack(heap, projAt / 4, proj, t, b, rowsP, 3, h, hp);
  pack(heap, ghsAt / 4, ghs, t, b, rowsP, 3, h, hp);
  pack(heap, hsAt / 4, hs, t, b, rowsP, 1, h, hp);
  packWeights(heap, wTAt / 4, w, h, hp, true);
  module.gruBackward(dyAt, projAt, ghsAt, hsAt, wTAt, dPreAt, dGhAt, dhdAt, dhmAt, zerosAt, t, rowsP, hp, reverse ? 1 : 0);
  const view = new Float32Array(module.memory.buffer);
  return { dPre: unpack(view, dPreAt / 4, t, b, rowsP, 3, h, hp), dGh: unpack(view, dGhAt / 4, t, b, rowsP, 3, h, hp), hPrev: previousStates(hs, t, b, h, reverse) };
}

/** Each step's incoming state [T, B, H]: the previous step's in the direction of the scan, zeros at its first. */
function previousStates(hs: Float32Array, t: number, b: number, h: number, reverse: boolean): Float32Array {
  const hPrev = new Float32Array(t * b * h);
  const stepSize = b * h;
  for (let time = 0; time < t; time++) {
    const prev = reverse ? time + 1 : time - 1;
    if (prev >= 0 && prev < t) hPrev.set(hs.subarray(prev * stepSize, (prev + 1) * stepSize), time * stepSize);
  }
  return hPrev;
}

interface Backend {
  readSync(dataId: object): unknown;
  write(values: Float32Array, shape: number[], dtype: 'float32'): object;
}
type Info = tf.TensorInfo;
const read = (backend: Backend, info: Info): Float32Array => backend.readSync(info.dataId) as Float32Array;
const output = (backend: Backend, values: Float32Array, shape: number[]): Info => ({ dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32' });

type KernelArgs<A = Record<string, never>> = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: A };

/** What every scan kernel starts with: the backend, a reader of its inputs, and the sizes T, B, G·H, H. */
function scanInputs({ inputs, backend }: KernelArgs<unknown>, projName = 'proj', wName = 'wRec') {
  const be = backend as Backend;
  const [t, b, g] = (inputs[projName] as Info).shape;
  const h = (inputs[wName] as Info).shape[0];
  const get = (name: string): Float32Array => read(be, inputs[name] as Info);
  const optional = (name: string): Float32Array | null => (inputs[name] ? get(name) : null);
  const out = (values: Float32Array, last: number): Info => output(be, values, [t, b, last]);
  return { t, b, g, h, get, optional, out };
}

function scanKernel(args: KernelArgs<{ reverse: boolean; saveGates: boolean }>): Info[] {
  const { t, b, g, h, get, optional, out } = scanInputs(args);
  const { hs, ghs } = gruScanForward(get('proj'), get('wRec'), optional('recBias'), t, b, h, args.attrs.reverse, args.attrs.saveGates);
  return ghs === null ? [out(hs, h)] : [out(hs, h), out(ghs, g)];
}

function scanGradKernel(args: KernelArgs<{ reverse: boolean }>): Info[] {
  const { t, b, g, h, get, out } = scanInputs(args);
  const r = gruScanBackward(get('dy'), get('proj'), get('ghs'), get('hs'), get('wRec'), t, b, h, args.attrs.reverse);
  return [out(r.dPre, g), out(r.dGh, g), out(r.hPrev, h)];
}

function lstmScanKernel(args: KernelArgs<{ reverse: boolean; saveGates: boolean }>): Info[] {
  const { t, b, g, h, get, out } = scanInputs(args);
  const r = lstmScanForward(get('proj'), get('wRec'), t, b, h, args.attrs.reverse, args.attrs.saveGates);
  return r.ghs === null || r.cs === null ? [out(r.hs, h)] : [out(r.hs, h), out(r.ghs, g), out(r.cs, h)];
}

function lstmScanGradKernel(args: KernelArgs<{ reverse: boolean }>): Info[] {
  const { t, b, g, h, get, out } = scanInputs(args);
  const r = lstmScanBackward(get('dy'), get('proj'), get('ghs'), get('cs'), get('hs'), get('wRec'), t, b, h, args.attrs.reverse);
  return [out(r.dA, g), out(r.hPrev, h)];
}

/** Inputs proj0, wRec0[, recBias0] (forward direction) and proj1, wRec1[, recBias1] (reverse). */
function scanPairKernel(args: KernelArgs): Info[] {
  const { t, b, h, get, optional, out } = scanInputs(args, 'proj0', 'wRec0');
  const direction = (d: number): GruDirection => ({ proj: get(`proj${d}`), w: get(`wRec${d}`), recBias: optional(`recBias${d}`), reverse: d === 1 });
  return gruScanForwardPair([direction(0), direction(1)], t, b, h).map((hs) => out(hs, h));
}

function lstmScanPairKernel(args: KernelArgs): Info[] {
  const { t, b, h, get, out } = scanInputs(args, 'proj0', 'wRec0');
  const direction = (d: number) => ({ proj: get(`proj${d}`), w: get(`wRec${d}`), reverse: d === 1 });
  return lstmScanForwardPair([direction(0), direction(1)], t, b, h).map((hs) => out(hs, h));
}

if (gruScanAvailable()) {
  for (const backendName of ['cpu', 'wasm']) {
    tf.registerKernel({ kernelName: ADT_LSTM_SCAN_PAIR, backendName, kernelFunc: lstmScanPairKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: ADT_GRU_SCAN_PAIR, backendName, kernelFunc: scanPairKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: ADT_LSTM_SCAN, backendName, kernelFunc: lstmScanKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: ADT_LSTM_SCAN_GRAD, backendName, kernelFunc: lstmScanGradKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: ADT_GRU_SCAN, backendName, kernelFunc: scanKernel as unknown as tf.KernelFunc });
    tf.registerKernel({ kernelName: ADT_GRU_SCAN_GRAD, backendName, kernelFunc: scanGradKernel as unknown as tf.KernelFunc });
  }
}
