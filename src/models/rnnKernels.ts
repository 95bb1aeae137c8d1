/**
 * Fused GRU / LSTM gate kernels for the cpu and wasm backends, with their gradients.
 *
 * Why: a recurrent step composed of TF.js ops costs a dozen engine calls (and on the cpu
 * backend, slicing the gate blocks out of a [B, G·H] matrix is very slow). Each kernel
 * here does all the element-wise gate work of one step in one plain-JS loop over the
 * backend's data, using only the public KernelBackend API (`readSync`, `write`), so one
 * step is two engine calls: the recurrent matMul and the gate kernel. Other backends
 * (webgl, webgpu) fall back to the same equations composed of TF.js ops.
 *
 * Equations (PyTorch):
 * - GRU, `pre` = W_i x + b_i (+ b_hr, b_hz folded in), `gh` = W_h h (+ b_hn in its n block):
 *   r = σ(pre_r + gh_r), z = σ(pre_z + gh_z), n = tanh(pre_n + r ⊙ gh_n), h' = n + z ⊙ (h − n).
 * - LSTM, `pre` = W_i x + b_i + b_h, `gh` = W_h h, a = pre + gh:
 *   i, f, o = σ(a_i, a_f, a_o), g = tanh(a_g), c' = f ⊙ c + i ⊙ g, h' = o ⊙ tanh(c').
 * Gate blocks are the column blocks [B, G·H] in PyTorch order. Arithmetic is float64 in JS,
 * stored as float32.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Kernel names (global in TF.js's registry, hence the prefix). */
export const ADT_GRU_GATES = 'AdtGRUGates';
export const ADT_GRU_GATES_GRAD = 'AdtGRUGatesGrad';
export const ADT_LSTM_GATES = 'AdtLSTMGates';
export const ADT_LSTM_GATES_GRAD = 'AdtLSTMGatesGrad';

/** Backends that get the fused kernels. */
const KERNEL_BACKENDS = ['cpu', 'wasm'];

interface Backend {
  readSync(dataId: object): unknown;
  write(values: Float32Array, shape: number[], dtype: 'float32'): object;
}
type Info = tf.TensorInfo;

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function read(backend: Backend, t: Info): Float32Array {
  return backend.readSync(t.dataId) as Float32Array;
}

function out(backend: Backend, values: Float32Array, shape: number[]): Info {
  return { dataId: backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
}

function gruGatesKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): Info {
  const be = backend as Backend;
  const h = inputs.h as Info;
  const [b, units] = h.shape;
  const pre = read(be, inputs.pre as Info);
  const gh = read(be, inputs.gh as Info);
  const hv = read(be, h);
  const res = new Float32Array(b * units);
  const g3 = 3 * units;
  for (let row = 0; row < b; row++) {
    const base = row * g3;
    for (let j = 0; j < units; j++) {
      const r = sigmoid(pre[base + j] + gh[base + j]);
      const z = sigmoid(pre[base + units + j] + gh[base + units + j]);
      const n = Math.tanh(pre[base + 2 * units + j] + r * gh[base + 2 * units + j]);
      const hp = hv[row * units + j];
      res[row * units + j] = n + z * (hp - n);
    }
  }
  return out(be, res, [b, units]);
}

function gruGatesGradKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): Info[] {
  const be = backend as Backend;
  const h = inputs.h as Info;
  const [b, units] = h.shape;
  const dy = read(be, inputs.dy as Info);
  const pre = read(be, inputs.pre as Info);
  const gh = read(be, inputs.gh as Info);
  const hv = read(be, h);
  const g3 = 3 * units;
  const dPre = new Float32Array(b * g3);
  const dGh = new Float32Array(b * g3);
  const dH = new Float32Array(b * units);
  for (let row = 0; row < b; row++) {
    const base = row * g3;
    for (let j = 0; j < units; j++) {
      const r = sigmoid(pre[base + j] + gh[base + j]);
      const z = sigmoid(pre[base + units + j] + gh[base + units + j]);
      const ghn = gh[base + 2 * units + j];
      const n = Math.tanh(pre[base + 2 * units + j] + r * ghn);
      const k = row * units + j;
      const d = dy[k];
      const dn = d * (1 - z);
      const dz = d * (hv[k] - n);
      dH[k] = d * z;
      const dan = dn * (1 - n * n);
      const dar = dan * ghn * r * (1 - r);
      const daz = dz * z * (1 - z);
      dPre[base + j] = dar;
      dPre[base + units + j] = daz;
      dPre[base + 2 * units + j] = dan;
      dGh[base + j] = dar;
      dGh[base + units + j] = daz;
      dGh[base + 2 * units + j] = dan * r;
    }
  }
  return [out(be, dPre, [b, g3]), out(be, dGh, [b, g3]), out(be, dH, [b, units])];
}

function lstmGatesKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): Info[] {
  const be = backend as Backend;
  const c = inputs.c as Info;
  const [b, units] = c.shape;
  const pre = read(be, inputs.pre as Info);
  const gh = read(be, inputs.gh as Info);
  const cv = read(be, c);
  const hOut = new Float32Array(b * units);
  const cOut = new Float32Array(b * units);
  const g4 = 4 * units;
  for (let row = 0; row < b; row++) {
    const base = row * g4;
    for (let j = 0; j < units; j++) {
      const i = sigmoid(pre[base + j] + gh[base + j]);
      const f = sigmoid(pre[base + units + j] + gh[base + units + j]);
      const g = Math.tanh(pre[base + 2 * units + j] + gh[base + 2 * units + j]);
      const o = sigmoid(pre[base + 3 * units + j] + gh[base + 3 * units + j]);
      const k = row * units + j;
      const cn = Math.fround(f * cv[k] + i * g);
      cOut[k] = cn;
      hOut[k] = o * Math.tanh(cn);
    }
  }
  return [out(be, hOut, [b, units]), out(be, cOut, [b, units])];
}

function lstmGatesGradKernel({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): Info[] {
  const be = backend as Backend;
  const c = inputs.c as Info;
  const [b, units] = c.shape;
  const dh = read(be, inputs.dh as Info);
  const dc = read(be, inputs.dc as Info);
  const pre = read(be, inputs.pre as Info);
  const gh = read(be, inputs.gh as Info);
  const cv = read(be, c);
  const g4 = 4 * units;
  const dA = new Float32Array(b * g4);
  const dC = new Float32Array(b * units);
  for (let row = 0; row < b; row++) {
    const base = row * g4;
    for (let j = 0; j < units; j++) {
      const i = sigmoid(pre[base + j] + gh[base + j]);
      const f = sigmoid(pre[base + units + j] + gh[base + units + j]);
      const g = Math.tanh(pre[base + 2 * units + j] + gh[base + 2 * units + j]);
      const o = sigmoid(pre[base + 3 * units + j] + gh[base + 3 * units + j]);
      const k = row * units + j;
      const cn = Math.fround(f * cv[k] + i * g);
      const tc = Math.tanh(cn);
      const dct = dc[k] + dh[k] * o * (1 - tc * tc);
      dA[base + j] = dct * g * i * (1 - i);
      dA[base + units + j] = dct * cv[k] * f * (1 - f);
      dA[base + 2 * units + j] = dct * i * (1 - g * g);
      dA[base + 3 * units + j] = dh[k] * tc * o * (1 - o);
      dC[k] = dct * f;
    }
  }
  return [out(be, dA, [b, g4]), out(be, dC, [b, units])];
}

for (const backendName of KERNEL_BACKENDS) {
  tf.registerKernel({ kernelName: ADT_GRU_GATES, backendName, kernelFunc: gruGatesKernel as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: ADT_GRU_GATES_GRAD, backendName, kernelFunc: gruGatesGradKernel as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: ADT_LSTM_GATES, backendName, kernelFunc: lstmGatesKernel as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: ADT_LSTM_GATES_GRAD, backendName, kernelFunc: lstmGatesGradKernel as unknown as tf.KernelFunc });
}

tf.registerGradient({
  kernelName: ADT_GRU_GATES,
  inputsToSave: ['pre', 'gh', 'h'],
  gradFunc: (dy, saved) => {
    const [pre, gh, h] = saved;
    const [dPre, dGh, dH] = tf.engine().runKernel(ADT_GRU_GATES_GRAD, { dy: dy as tf.Tensor, pre, gh, h }, {}) as tf.Tensor[];
    return { pre: () => dPre, gh: () => dGh, h: () => dH };
  },
});

tf.registerGradient({
  kernelName: ADT_LSTM_GATES,
  inputsToSave: ['pre', 'gh', 'c'],
  gradFunc: (dys, saved) => {
    const [pre, gh, c] = saved;
    const [dh, dc] = dys as tf.Tensor[];
    const [dA, dC] = tf.engine().runKernel(ADT_LSTM_GATES_GRAD, { dh, dc, pre, gh, c }, {}) as tf.Tensor[];
    return { pre: () => dA, gh: () => tf.clone(dA), c: () => dC };
  },
});

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

/**
 * One GRU step's gate computation. `pre` [B, 3H] input projection (with b_ir + b_hr,
 * b_iz + b_hz, b_in), `gh` [B, 3H] recurrent projection (with b_hn in its n block), `h` [B, H].
 * @returns h' [B, H].
 */
export function gruGates(pre: tf.Tensor, gh: tf.Tensor, h: tf.Tensor): tf.Tensor {
  if (hasKernel(ADT_GRU_GATES)) return tf.engine().runKernel(ADT_GRU_GATES, { pre, gh, h }, {}) as tf.Tensor;
  return tf.tidy(() => {
    const units = h.shape[1] as number;
    const [preRZ, preN] = tf.split(pre, [2 * units, units], 1);
    const [ghRZ, ghN] = tf.split(gh, [2 * units, units], 1);
    const [r, z] = tf.split(tf.sigmoid(tf.add(preRZ, ghRZ)), 2, 1);
    const n = tf.tanh(tf.add(preN, tf.mul(r, ghN)));
    return tf.add(n, tf.mul(z, tf.sub(h, n)));
  });
}

/**
 * One LSTM step's gate computation. `pre` [B, 4H] input projection with both biases,
 * `gh` [B, 4H] recurrent projection, `c` [B, H].
 * @returns [h', c'], each [B, H].
 */
export function lstmGates(pre: tf.Tensor, gh: tf.Tensor, c: tf.Tensor): [tf.Tensor, tf.Tensor] {
  if (hasKernel(ADT_LSTM_GATES)) return tf.engine().runKernel(ADT_LSTM_GATES, { pre, gh, c }, {}) as [tf.Tensor, tf.Tensor];
  return tf.tidy(() => {
    const [i, f, g, o] = tf.split(tf.add(pre, gh), 4, 1);
    const cNew = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
    return [tf.mul(tf.sigmoid(o), tf.tanh(cNew)), cNew];
  });
}
