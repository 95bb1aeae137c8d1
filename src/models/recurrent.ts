/**
 * Bidirectional GRU / LSTM stacks with PyTorch's equations and parameters (`nn.GRU`,
 * `nn.LSTM` with `bidirectional=True, batch_first=True, dropout`).
 *
 * GRU (gate order r, z, n; two bias vectors):
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz),
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h.
 * LSTM (gate order i, f, g, o; two bias vectors):
 *   i, f, o = σ(·), g = tanh(·) of W_i* x + b_i* + W_h* h + b_h*;  c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c').
 *
 * Written for speed. TF.js runs every op through its engine, so what matters is the number
 * of engine calls per time step and avoiding ops that are slow on a backend (measured in
 * Node with TF.js 4.22; see bench/models.bench.ts):
 * - the input projection of all time steps is one matMul per direction over T·B rows, with
 *   the additive biases folded in (all but GRU's b_hn);
 * - each step is then two engine calls per direction: the recurrent matMul (GRU's b_hn fused
 *   into it) and one fused gate kernel (./rnnKernels.ts: plain JS over the backend's data on
 *   cpu and wasm, with its own gradient kernel; other backends compose the same equations
 *   from TF.js ops);
 * - the reverse direction reads its inputs in reverse order and its outputs are re-ordered
 *   as a JS array: no tensor reversal;
 * - per-step input tensors are cut from the projection with contiguous slices, except on
 *   the wasm backend outside gradient recording, where every slice copies its whole source
 *   tensor out of the heap: there the projection is read once and cut in JS.
 * Gradients: on cpu and wasm each direction of a layer is one `tf.customGrad` node with a
 * hand-written backward pass through time ({@link recurrentScan}): per step one gate-gradient
 * kernel and one matMul; the recurrent weight gradient is one [H, T·B] × [T·B, G·H] product
 * instead of T per-step products that autodiff keeps alive until the end of the backward pass
 * (T·G·H² floats: 1.6 GB for GRU(288) at 400 frames, which exhausts the wasm heap). Other
 * backends: TF.js autodiff through the composed ops.
 *
 * Weight layout per layer k (TF.js side; the parameter count equals PyTorch's):
 *   kernel_ih_l{k} [2, in_k, G·H]: [direction (forward, reverse), in, gate blocks in PyTorch order];
 *   kernel_hh_l{k} [2, H, G·H];  bias_ih_l{k}, bias_hh_l{k} [2, G·H].
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers as tfl, type LayerVariable, type Shape } from '@tensorflow/tfjs-layers';
import { ModelConfigError } from '../errors.js';
import type { AdtLayerArgs } from './convFrontEnd.js';
import { ADT_GRU_SCAN, ADT_GRU_SCAN_GRAD, ADT_GRU_SCAN_PAIR, ADT_LSTM_SCAN, ADT_LSTM_SCAN_GRAD, ADT_LSTM_SCAN_PAIR } from './gruScan.js';
import { ADT_GRU_GATES, ADT_GRU_GATES_GRAD, ADT_LSTM_GATES, ADT_LSTM_GATES_GRAD, gruGates, lstmGates } from './rnnKernels.js';
import { transposeMatrix, type TorchImportable, type TorchTensorSource } from './torchWeights.js';

/** Recurrent cell type. */
export type RecurrentCell = 'gru' | 'lstm';

/** Gates per cell: GRU 3 (r, z, n), LSTM 4 (i, f, g, o). */
export function gateCount(cell: RecurrentCell): number {
  return cell === 'gru' ? 3 : 4;
}

/**
 * Trainable parameters of a bidirectional PyTorch GRU/LSTM stack, without building it.
 *
 * @param cell - 'gru' or 'lstm'.
 * @param inputSize - Features per frame of the input.
 * @param hiddenSize - H, units per direction.
 * @param numLayers - Stacked layers.
 * @returns The count (as `sum(p.numel() for p in nn.GRU(...).parameters())`).
 */
export function bidirectionalRNNParamCount(cell: RecurrentCell, inputSize: number, hiddenSize: number, numLayers: number): number {
  const gh = gateCount(cell) * hiddenSize;
  let total = 0;
  for (let k = 0; k < numLayers; k++) {
    const inSize = k === 0 ? inputSize : 2 * hiddenSize;
    total += 2 * (gh * inSize + gh * hiddenSize + 2 * gh);
  }
  return total;
}

/** Arguments of {@link AdtBidirectionalRNN}. */
export interface AdtBidirectionalRNNArgs extends AdtLayerArgs {
  /** 'gru' or 'lstm'. */
  cell: RecurrentCell;
  /** Units per direction H (output has 2·H features). */
  units: number;
  /** Number of stacked bidirectional layers. */
  numLayers: number;
  /** Dropout on the outputs of every layer but the last, during training. @defaultValue 0 */
  dropout?: number;
}

type Kwargs = Record<string, unknown>;

/**
 * Splits a time-major tensor [T, ...] into T tensors [...].
 * On wasm every slice copies its whole source tensor out of the heap, so outside gradient
 * recording the data is read once and cut in JS; while recording, a two-level split
 * (≈√T chunks) bounds the copying. Elsewhere contiguous slices are cheap.
 */
function splitTime(x: tf.Tensor): tf.Tensor[] {
  const t = x.shape[0];
  const stepShape = x.shape.slice(1);
  if (tf.getBackend() !== 'wasm') return unstackTime(x);
  if (!tf.engine().isTapeOn()) {
    const data = x.dataSync() as Float32Array;
    const size = data.length / t;
    return Array.from({ length: t }, (_, s) => tf.tensor(data.subarray(s * size, (s + 1) * size), stepShape, 'float32'));
  }
  const chunk = Math.max(1, Math.round(Math.sqrt(t)));
  const sizes: number[] = [];
  for (let s = 0; s < t; s += chunk) sizes.push(Math.min(chunk, t - s));
  // (A split into one part would hit the same single-output gradient problem as below.)
  const parts = sizes.length === 1 ? [x] : tf.split(x, sizes, 0);
  return parts.flatMap(unstackTime);
}

/**
 * `tf.unstack` along axis 0, safe for a length of 1: TF.js hands a single-output op's
 * gradient a bare tensor, which Unpack's gradient (a `stack` of an array) rejects.
 */
function unstackTime(x: tf.Tensor): tf.Tensor[] {
  return x.shape[0] === 1 ? [tf.reshape(x, x.shape.slice(1))] : tf.unstack(x, 0);
}

/**
 * One direction of a GRU / LSTM layer over a time-major input projection as ONE tape node with
 * a hand-written backward pass through time (BPTT), on backends that have the fused gate
 * kernels (cpu, wasm). Forward: per step the recurrent matMul and the gate kernel (the tape is
 * off inside, so on wasm the projection is read once and cut in JS). Backward: per step one
 * gate-gradient kernel and one matMul dgh·W_hhᵀ; the recurrent weight and bias gradients
 * are one matMul H_prevᵀ·dGH [H, T·B]×[T·B, G·H] and one sum over all steps, instead of 2T
 * small matMuls and T sums recorded by autodiff.
 *
 * @param proj - [T, B, G·H] input projection (with the biases folded in).
 * @param wRec - [H, G·H] recurrent weights.
 * @param recBias - [G·H] bias of the recurrent matMul (GRU's b_hn block), or null.
 * @param reverse - run from the last step to the first.
 * @returns [T, B, H] hidden states, in time order.
 */
function recurrentScan(cell: RecurrentCell, proj: tf.Tensor, wRec: tf.Tensor, recBias: tf.Tensor | null, reverse: boolean): tf.Tensor {
  const gru = cell === 'gru';
  if (gru && hasKernel(ADT_GRU_SCAN_GRAD)) return gruScanWithGradient(proj, wRec, recBias, reverse);
  if (!gru && recBias === null && hasKernel(ADT_LSTM_SCAN_GRAD)) return lstmScanWithGradient(proj, wRec, reverse);
  const [t, b] = proj.shape;
  const h = wRec.shape[0];
  const order = (s: number) => (reverse ? t - 1 - s : s);
  const forward = (p: tf.Tensor, w: tf.Tensor, bias: tf.Tensor | null, save: tf.GradSaveFunc) => {
    const steps = splitTime(p);
    const hs: tf.Tensor[] = new Array(t);
    const ghs: tf.Tensor[] = new Array(t);
    const hPrev: tf.Tensor[] = new Array(t);
    const cPrev: tf.Tensor[] = new Array(t);
    let hState: tf.Tensor = tf.zeros([b, h]);
    let cState: tf.Tensor = tf.zeros([b, h]);
    for (let s = 0; s < t; s++) {
      const time = order(s);
      hPrev[time] = hState;
      cPrev[time] = cState;
      const gh = bias ? tf.fused.matMul({ a: hState as tf.Tensor2D, b: w as tf.Tensor2D, bias }) : tf.matMul(hState as tf.Tensor2D, w as tf.Tensor2D);
      ghs[time] = gh;
      if (gru) hState = tf.engine().runKernel(ADT_GRU_GATES, { pre: steps[time], gh, h: hState }, {}) as tf.Tensor;
      else [hState, cState] = tf.engine().runKernel(ADT_LSTM_GATES, { pre: steps[time], gh, c: cState }, {}) as tf.Tensor[];
      hs[time] = hState;
    }
    save([p, w, tf.stack(ghs), tf.stack(hPrev), ...(gru ? [] : [tf.stack(cPrev)])]);
    return tf.stack(hs);
  };
  const backward = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
    const [p, w, ghAll, hPrevAll, cPrevAll] = saved;
    const g = w.shape[1] as number;
    const dys = splitTime(dy);
    const pre = splitTime(p);
    const gh = splitTime(ghAll);
    const hp = splitTime(hPrevAll);
    const cp = gru ? [] : splitTime(cPrevAll);
    const wT = tf.transpose(w);
    const dPre: tf.Tensor[] = new Array(t);
    const dGh: tf.Tensor[] = new Array(t);
    let dh: tf.Tensor | null = null;
    let dc: tf.Tensor = tf.zeros([b, h]);
    for (let s = t - 1; s >= 0; s--) {
      const time = order(s);
      const dTotal = dh === null ? dys[time] : tf.add(dys[time], dh);
      if (gru) {
        const [dP, dG, dH] = tf.engine().runKernel(ADT_GRU_GATES_GRAD, { dy: dTotal, pre: pre[time], gh: gh[time], h: hp[time] }, {}) as tf.Tensor[];
        dPre[time] = dP;
        dGh[time] = dG;
        dh = tf.add(dH, tf.matMul(dG, wT));
      } else {
        const [dA, dC] = tf.engine().runKernel(ADT_LSTM_GATES_GRAD, { dh: dTotal, dc, pre: pre[time], gh: gh[time], c: cp[time] }, {}) as tf.Tensor[];
        dPre[time] = dA;
        dGh[time] = dA;
        dh = tf.matMul(dA, wT);
        dc = dC;
      }
    }
    const dGH = tf.reshape(tf.stack(dGh), [t * b, g]);
    const dW = tf.matMul(tf.reshape(hPrevAll, [t * b, h]), dGH, true, false);
    const grads = [tf.stack(dPre), dW];
    if (recBias) grads.push(tf.sum(dGH, 0));
    return grads;
  };
  return scanNode(proj, wRec, recBias, forward, (dy, saved) => backward(dy as tf.Tensor, saved));
}

type ScanForward = (p: tf.Tensor, w: tf.Tensor, bias: tf.Tensor | null, save: tf.GradSaveFunc) => tf.Tensor;
type ScanGradient = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.Tensor[];

/**
 * One tape node over (proj, wRec[, recBias]) with a hand-written gradient: `tf.customGrad`
 * takes only tensors, so the optional bias decides the arity.
 */
function scanNode(proj: tf.Tensor, wRec: tf.Tensor, recBias: tf.Tensor | null, forward: ScanForward, gradFunc: ScanGradient): tf.Tensor {
  if (recBias) {
    return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [p, w, bias, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
      return { value: forward(p, w, bias, save), gradFunc };
    })(proj, wRec, recBias);
  }
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [p, w, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    return { value: forward(p, w, null, save), gradFunc };
  })(proj, wRec);
}

/**
 * {@link recurrentScan} for a GRU with the WebAssembly scan kernels (gruScan.ts): the forward
 * direction and its backward pass through time are one kernel call each; the weight and bias
 * gradients stay one matMul and one sum.
 */
function gruScanWithGradient(proj: tf.Tensor, wRec: tf.Tensor, recBias: tf.Tensor | null, reverse: boolean): tf.Tensor {
  const [t, b, g] = proj.shape;
  const h = wRec.shape[0];
  const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
    const [p, w, ghs, hs] = saved;
    const [dPre, dGh, hPrev] = tf.engine().runKernel(ADT_GRU_SCAN_GRAD, { dy: dy as tf.Tensor, proj: p, ghs, hs, wRec: w }, { reverse }) as tf.Tensor[];
    const dGH = tf.reshape(dGh, [t * b, g]);
    const grads = [dPre, tf.matMul(tf.reshape(hPrev, [t * b, h]), dGH, true, false)];
    if (recBias) grads.push(tf.sum(dGH, 0));
    return grads;
  };
  const forward = (p: tf.Tensor, w: tf.Tensor, bias: tf.Tensor | null, save: tf.GradSaveFunc): tf.Tensor => {
    const [hs, ghs] = tf.engine().runKernel(ADT_GRU_SCAN, bias ? { proj: p, wRec: w, recBias: bias } : { proj: p, wRec: w }, { reverse, saveGates: true }) as tf.Tensor[];
    save([p, w, ghs, hs]);
    return hs;
  };
  return scanNode(proj, wRec, recBias, forward, gradFunc);
}

/** {@link recurrentScan} for an LSTM with the WebAssembly scan kernels (no recurrent bias: LSTM folds both biases into the projection). */
function lstmScanWithGradient(proj: tf.Tensor, wRec: tf.Tensor, reverse: boolean): tf.Tensor {
  const [t, b, g] = proj.shape;
  const h = wRec.shape[0];
  const forward = (p: tf.Tensor, w: tf.Tensor, _bias: tf.Tensor | null, save: tf.GradSaveFunc): tf.Tensor => {
    const [hs, ghs, cs] = tf.engine().runKernel(ADT_LSTM_SCAN, { proj: p, wRec: w }, { reverse, saveGates: true }) as tf.Tensor[];
    save([p, w, ghs, cs, hs]);
    return hs;
  };
  const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
    const [p, w, ghs, cs, hs] = saved;
    const [dA, hPrev] = tf.engine().runKernel(ADT_LSTM_SCAN_GRAD, { dy: dy as tf.Tensor, proj: p, ghs, cs, hs, wRec: w }, { reverse }) as tf.Tensor[];
    return [dA, tf.matMul(tf.reshape(hPrev, [t * b, h]), tf.reshape(dA, [t * b, g]), true, false)];
  };
  return scanNode(proj, wRec, null, forward, gradFunc);
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

function hasScanKernels(cell: RecurrentCell): boolean {
  const names = cell === 'gru' ? [ADT_GRU_GATES, ADT_GRU_GATES_GRAD] : [ADT_LSTM_GATES, ADT_LSTM_GATES_GRAD];
  return names.every((n) => tf.getKernel(n, tf.getBackend()) !== undefined);
}

/**
 * A stack of bidirectional GRU or LSTM layers computing exactly what PyTorch's
 * `nn.GRU`/`nn.LSTM(bidirectional=True, batch_first=True)` computes, with the same
 * parameters. Input [batch, T, features], output [batch, T, 2·units] (forward then reverse
 * direction, as PyTorch concatenates them). Any T.
 */
export class AdtBidirectionalRNN extends tfl.Layer implements TorchImportable {
  static className = 'AdtBidirectionalRNN';
  readonly cell: RecurrentCell;
  readonly units: number;
  readonly numLayers: number;
  readonly dropout: number;
  private kernelIH: LayerVariable[] = [];
  private kernelHH: LayerVariable[] = [];
  private biasIH: LayerVariable[] = [];
  private biasHH: LayerVariable[] = [];

  constructor(args: AdtBidirectionalRNNArgs) {
    super(args);
    if (args.cell !== 'gru' && args.cell !== 'lstm') {
      throw new ModelConfigError(`AdtBidirectionalRNN: cell must be 'gru' or 'lstm', got ${JSON.stringify(args.cell)}`, { field: 'cell' });
    }
    if (!Number.isInteger(args.units) || args.units < 1) throw new ModelConfigError(`AdtBidirectionalRNN: units must be a positive integer, got ${args.units}`, { field: 'units' });
    if (!Number.isInteger(args.numLayers) || args.numLayers < 1) throw new ModelConfigError(`AdtBidirectionalRNN: numLayers must be a positive integer, got ${args.numLayers}`, { field: 'numLayers' });
    const dropout = args.dropout ?? 0;
    if (!(dropout >= 0 && dropout < 1)) throw new ModelConfigError(`AdtBidirectionalRNN: dropout must be in [0, 1), got ${dropout}`, { field: 'dropout' });
    this.cell = args.cell;
    this.units = args.units;
    this.numLayers = args.numLayers;
    this.dropout = dropout;
  }

  override build(inputShape: Shape | Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const inputSize = s[s.length - 1];
    if (s.length !== 3 || inputSize == null) {
      throw new ModelConfigError(`AdtBidirectionalRNN "${this.name}" expects input [batch, T, features] with known features, got [${s.join(', ')}]`);
    }
    const h = this.units;
    const g = gateCount(this.cell);
    // PyTorch initialises every recurrent weight and bias with U(-1/sqrt(H), 1/sqrt(H)).
    const bound = 1 / Math.sqrt(h);
    const init = () => initializers.randomUniform({ minval: -bound, maxval: bound });
    for (let k = 0; k < this.numLayers; k++) {
      const inSize = k === 0 ? inputSize : 2 * h;
      this.kernelIH.push(this.addWeight(`kernel_ih_l${k}`, [2, inSize, g * h], 'float32', init()));
      this.kernelHH.push(this.addWeight(`kernel_hh_l${k}`, [2, h, g * h], 'float32', init()));
      this.biasIH.push(this.addWeight(`bias_ih_l${k}`, [2, g * h], 'float32', init()));
      this.biasHH.push(this.addWeight(`bias_hh_l${k}`, [2, g * h], 'float32', init()));
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [s[0], s[1], 2 * this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    const training = kwargs.training === true;
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [b, t] = x.shape;
      if (t === 0) return tf.zeros([b, 0, 2 * this.units]);
      let seq: tf.Tensor = tf.transpose(x, [1, 0, 2]); // time-major [T, B, F]
      for (let k = 0; k < this.numLayers; k++) {
        if (k > 0 && training && this.dropout > 0) seq = tf.dropout(seq, this.dropout);
        seq = this.runLayer(seq, k);
      }
      return tf.transpose(seq, [1, 0, 2]);
    });
  }

  /** One bidirectional layer, time-major [T, B, F] → [T, B, 2H] (forward features first). */
  private runLayer(seq: tf.Tensor, k: number): tf.Tensor {
    const [t, b, f] = seq.shape;
    const h = this.units;
    const gru = this.cell === 'gru';
    const gh = gateCount(this.cell) * h;
    const x2 = tf.reshape(seq, [t * b, f]) as tf.Tensor2D;
    const kih = this.kernelIH[k].read();
    const khh = this.kernelHH[k].read();
    const bih = this.biasIH[k].read();
    const bhh = this.biasHH[k].read();
    // GRU: b_hr, b_hz add to the input projection; b_hn stays in the recurrent matMul.
    const nMask = gru ? tf.tensor1d(Array.from({ length: gh }, (_, i) => (i >= 2 * h ? 1 : 0))) : null;
    const directions: tf.Tensor[][] = [];
    const pairInputs: tf.NamedTensorMap = {};
    for (let d = 0; d < 2; d++) {
      const wIn = tf.reshape(tf.slice(kih, [d, 0, 0], [1, f, gh]), [f, gh]) as tf.Tensor2D;
      const wRec = tf.reshape(tf.slice(khh, [d, 0, 0], [1, h, gh]), [h, gh]) as tf.Tensor2D;
      const bIn = tf.reshape(tf.slice(bih, [d, 0], [1, gh]), [gh]);
      const bRec = tf.reshape(tf.slice(bhh, [d, 0], [1, gh]), [gh]);
      // New tensors (not reshapes) so that wasm's fused matMul sees rank-1 biases.
      const inBias = (nMask ? tf.add(bIn, tf.sub(bRec, tf.mul(bRec, nMask))) : tf.add(bIn, bRec)) as tf.Tensor1D;
      const recBias = nMask ? (tf.mul(bRec, nMask) as tf.Tensor1D) : undefined;
      const proj = tf.reshape(tf.fused.matMul({ a: x2, b: wIn, bias: inBias }), [t, b, gh]);
      // Only while recording gradients: inference keeps the plain loop (no saved stacks).
      if (tf.engine().isTapeOn() && hasScanKernels(this.cell)) {
        directions.push([recurrentScan(this.cell, proj, wRec, recBias ?? null, d === 1)]);
        continue;
      }
      const pairKernel = gru ? ADT_GRU_SCAN_PAIR : ADT_LSTM_SCAN_PAIR;
      if (!tf.engine().isTapeOn() && hasKernel(pairKernel)) {
        // Both directions in one call (on two threads where startParallelScans runs).
        Object.assign(pairInputs, { [`proj${d}`]: proj, [`wRec${d}`]: wRec }, recBias ? { [`recBias${d}`]: recBias } : {});
        if (d === 1) directions.push(...(tf.engine().runKernel(pairKernel, pairInputs, {}) as tf.Tensor[]).map((hs) => [hs]));
        continue;
      }
      const steps = splitTime(proj);
      const outs: tf.Tensor[] = new Array(t);
      let hState: tf.Tensor = tf.zeros([b, h]);
      let cState: tf.Tensor = tf.zeros([b, h]);
      for (let s = 0; s < t; s++) {
        const time = d === 0 ? s : t - 1 - s;
        const rec = tf.fused.matMul({ a: hState as tf.Tensor2D, b: wRec, bias: recBias });
        if (gru) hState = gruGates(steps[time], rec, hState);
        else [hState, cState] = lstmGates(steps[time], rec, cState);
        outs[time] = hState;
      }
      directions.push(outs);
    }
    const whole = (outs: tf.Tensor[]) => (outs.length === 1 && outs[0].rank === 3 ? outs[0] : tf.stack(outs, 0));
    return tf.concat([whole(directions[0]), whole(directions[1])], 2);
  }

  /** PyTorch `weight_ih_l{k}[_reverse]`, `weight_hh_…`, `bias_ih_…`, `bias_hh_…` → this layer's weights. */
  torchWeightValues(source: TorchTensorSource): Float32Array[] {
    const h = this.units;
    const gh = gateCount(this.cell) * h;
    const out: Float32Array[] = [];
    for (let k = 0; k < this.numLayers; k++) {
      const inSize = this.kernelIH[k].shape[1] as number;
      const kih = new Float32Array(2 * inSize * gh);
      const khh = new Float32Array(2 * h * gh);
      const bih = new Float32Array(2 * gh);
      const bhh = new Float32Array(2 * gh);
      ['', '_reverse'].forEach((suffix, d) => {
        kih.set(transposeMatrix(source.take(`weight_ih_l${k}${suffix}`, [gh, inSize]), gh, inSize), d * inSize * gh);
        khh.set(transposeMatrix(source.take(`weight_hh_l${k}${suffix}`, [gh, h]), gh, h), d * h * gh);
        bih.set(source.take(`bias_ih_l${k}${suffix}`, [gh]), d * gh);
        bhh.set(source.take(`bias_hh_l${k}${suffix}`, [gh]), d * gh);
      });
      out.push(kih, khh, bih, bhh);
    }
    return out;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), cell: this.cell, units: this.units, numLayers: this.numLayers, dropout: this.dropout };
  }
}
tf.serialization.registerClass(AdtBidirectionalRNN);
