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
 * Written for speed (TF.js runs every op through its engine, so op count per time step is
 * what matters): the input projection of all time steps and both directions is ONE matMul
 * per layer (kernel [in, 2·G·H]); the step loop runs both directions together as one batched
 * matMul [2, B, H] × [2, H, G·H] plus the gate element-wise ops (12 ops per step for either
 * cell); the time-reversed direction is handled by reversing its projection once. Biases that
 * only add (all but GRU's b_hn) are folded into the input projection. Gradients come from
 * TF.js autodiff through these ops. (A hand-written backward pass through time as a
 * `tf.customGrad`, or a per-backend fused step kernel, would cut the tape further.)
 *
 * Weight layout per layer k (TF.js side; the parameter count equals PyTorch's):
 *   kernel_ih_l{k} [in_k, 2·G·H]: columns [forward gates | reverse gates], each in PyTorch gate order;
 *   kernel_hh_l{k} [2, H, G·H]  : [forward, reverse] recurrent kernels (transposed PyTorch weight_hh);
 *   bias_ih_l{k}, bias_hh_l{k} [2·G·H]: [forward | reverse].
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializers, layers as tfl, type LayerVariable, type Shape } from '@tensorflow/tfjs-layers';
import { ModelConfigError } from '../errors.js';
import type { AdtLayerArgs } from './convFrontEnd.js';
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
    const gh = gateCount(this.cell) * h;
    // PyTorch initialises every recurrent weight and bias with U(-1/sqrt(H), 1/sqrt(H)).
    const bound = 1 / Math.sqrt(h);
    const init = () => initializers.randomUniform({ minval: -bound, maxval: bound });
    for (let k = 0; k < this.numLayers; k++) {
      const inSize = k === 0 ? inputSize : 2 * h;
      this.kernelIH.push(this.addWeight(`kernel_ih_l${k}`, [inSize, 2 * gh], 'float32', init()));
      this.kernelHH.push(this.addWeight(`kernel_hh_l${k}`, [2, h, gh], 'float32', init()));
      this.biasIH.push(this.addWeight(`bias_ih_l${k}`, [2 * gh], 'float32', init()));
      this.biasHH.push(this.addWeight(`bias_hh_l${k}`, [2 * gh], 'float32', init()));
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

  /** One bidirectional layer, time-major [T, B, F] → [T, B, 2H]. */
  private runLayer(seq: tf.Tensor, k: number): tf.Tensor {
    const [t, b, f] = seq.shape;
    const h = this.units;
    const gru = this.cell === 'gru';
    const g = gateCount(this.cell);
    const gh = g * h;
    const biasIH = this.biasIH[k].read();
    const biasHH = this.biasHH[k].read();
    let inBias: tf.Tensor1D;
    let bhn: tf.Tensor | null = null;
    if (gru) {
      // b_hr, b_hz fold into the input projection; b_hn stays inside r ⊙ (W_hn h + b_hn).
      const mask = tf.tensor1d(Array.from({ length: 2 * gh }, (_, i) => (i % gh < 2 * h ? 1 : 0)));
      inBias = tf.add(biasIH, tf.mul(biasHH, mask)) as tf.Tensor1D;
      const parts = tf.reshape(biasHH, [2, 1, gh]);
      bhn = tf.slice(parts, [0, 0, 2 * h], [2, 1, h]);
    } else {
      inBias = tf.add(biasIH, biasHH) as tf.Tensor1D;
    }
    // Input projection of all steps and both directions in one matMul.
    const proj = tf.fused.matMul({ a: tf.reshape(seq, [t * b, f]), b: this.kernelIH[k].read() as tf.Tensor2D, bias: inBias });
    const [pf, pr] = tf.split(tf.reshape(proj, [t, b, 2 * gh]), 2, 2);
    // Step s processes forward time s and reverse time T-1-s.
    const gates = tf.stack([pf, tf.reverse(pr, 0)], 1); // [T, 2, B, G·H]
    const whh = this.kernelHH[k].read();
    const outs: tf.Tensor[] = [];
    let hState: tf.Tensor = tf.zeros([2, b, h]);
    if (gru) {
      const [giRZ, giN] = tf.split(gates, [2 * h, h], 3);
      const rzSteps = tf.unstack(giRZ, 0);
      const nSteps = tf.unstack(giN, 0);
      for (let s = 0; s < t; s++) {
        const [ghRZ, ghN] = tf.split(tf.matMul(hState, whh), [2 * h, h], 2);
        const [r, z] = tf.split(tf.sigmoid(tf.add(rzSteps[s], ghRZ)), 2, 2);
        const n = tf.tanh(tf.add(nSteps[s], tf.mul(r, tf.add(ghN, bhn as tf.Tensor))));
        hState = tf.add(n, tf.mul(z, tf.sub(hState, n)));
        outs.push(hState);
      }
    } else {
      const steps = tf.unstack(gates, 0);
      let cState: tf.Tensor = tf.zeros([2, b, h]);
      for (let s = 0; s < t; s++) {
        const [i, fg, gg, o] = tf.split(tf.add(steps[s], tf.matMul(hState, whh)), 4, 2);
        cState = tf.add(tf.mul(tf.sigmoid(fg), cState), tf.mul(tf.sigmoid(i), tf.tanh(gg)));
        hState = tf.mul(tf.sigmoid(o), tf.tanh(cState));
        outs.push(hState);
      }
    }
    const [of, or] = tf.unstack(tf.stack(outs, 0), 1); // [T, B, H] each
    return tf.concat([of, tf.reverse(or, 0)], 2);
  }

  /** PyTorch `weight_ih_l{k}[_reverse]`, `weight_hh_…`, `bias_ih_…`, `bias_hh_…` → this layer's weights. */
  torchWeightValues(source: TorchTensorSource): Float32Array[] {
    const h = this.units;
    const gh = gateCount(this.cell) * h;
    const out: Float32Array[] = [];
    for (let k = 0; k < this.numLayers; k++) {
      const inSize = this.kernelIH[k].shape[0] as number;
      const kih = new Float32Array(inSize * 2 * gh);
      const khh = new Float32Array(2 * h * gh);
      const bih = new Float32Array(2 * gh);
      const bhh = new Float32Array(2 * gh);
      ['', '_reverse'].forEach((suffix, d) => {
        const wih = transposeMatrix(source.take(`weight_ih_l${k}${suffix}`, [gh, inSize]), gh, inSize); // [in, GH]
        for (let row = 0; row < inSize; row++) kih.set(wih.subarray(row * gh, (row + 1) * gh), row * 2 * gh + d * gh);
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
