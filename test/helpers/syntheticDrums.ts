/**
 * Synthetic test material for the examples and the web demo: a drum pattern with clear hits,
 * and an "energy detector" model whose events on it are known without training.
 */
import * as tf from '@tensorflow/tfjs-core';
import { input as tfInput, layers as tfl, model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { applyStandardization, fitStandardization, logFilteredSpectrogram } from '../../src/dsp/index.js';

export const SAMPLE_RATE = 44100;

/** 4 s of synthetic drums: kick (55 Hz) every 0.5 s, noise snare every 1 s, clicky hi-hat every 0.25 s. */
export function syntheticDrums(): Float32Array {
  const n = 4 * SAMPLE_RATE;
  const x = new Float32Array(n);
  let seed = 1;
  const noise = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed / 2 ** 32) * 2 - 1;
  };
  const add = (t: number, seconds: number, f: (i: number) => number): void => {
    const start = Math.round(t * SAMPLE_RATE);
    for (let i = 0; i < seconds * SAMPLE_RATE && start + i < n; i++) x[start + i] += f(i);
  };
  for (let k = 0; k < 8; k++) add(0.25 + 0.5 * k, 0.3, (i) => 0.6 * Math.sin((2 * Math.PI * 55 * i) / SAMPLE_RATE) * Math.exp(-i / (0.05 * SAMPLE_RATE)));
  for (let k = 0; k < 4; k++) add(0.5 + k, 0.2, (i) => 0.4 * noise() * Math.exp(-i / (0.03 * SAMPLE_RATE)));
  for (let k = 0; k < 16; k++) add(0.125 + 0.25 * k, 0.05, (i) => 0.3 * noise() * Math.exp(-i / (0.01 * SAMPLE_RATE)));
  return x;
}

/**
 * A model whose logits are the summed standardized energy of a band of filters per class,
 * scaled so that the quietest frame maps to about -5 and the loudest to about +3:
 * KD bins 0–19, SD 20–83, HH 60–83; TT and CY never fire.
 */
export function energyDetector(signal: Float32Array): { model: LayersModel; mean: number; std: number } {
  const spec = logFilteredSpectrogram(signal, SAMPLE_RATE);
  const stats = fitStandardization([spec]);
  const z = applyStandardization(spec, stats);
  const bins = spec.bins;
  const bands: Array<[number, number] | null> = [[0, 20], [20, bins], null, [60, bins], null];
  const kernel = new Float32Array(bins * 5);
  const bias = new Float32Array(5);
  bands.forEach((band, c) => {
    if (band === null) {
      bias[c] = -10;
      return;
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = 0; t < spec.frames; t++) {
      let sum = 0;
      for (let k = band[0]; k < band[1]; k++) sum += z.data[t * bins + k];
      lo = Math.min(lo, sum);
      hi = Math.max(hi, sum);
    }
    const w = 8 / (hi - lo);
    for (let k = band[0]; k < band[1]; k++) kernel[k * 5 + c] = w;
    bias[c] = -w * (lo + 0.6 * (hi - lo));
  });
  const input = tfInput({ shape: [null, bins, 1] });
  const conv = tfl.conv2d({ filters: 5, kernelSize: [1, bins], padding: 'valid', useBias: true }).apply(input) as SymbolicTensor;
  const logits = tfl.reshape({ targetShape: [-1, 5] }).apply(conv) as SymbolicTensor; // [batch, frames, 5]
  const model = tfModel({ inputs: input, outputs: logits, name: 'energy_detector' });
  model.layers[1].setWeights([tf.tensor4d(kernel, [1, bins, 1, 5]), tf.tensor1d(bias)]);
  return { model, mean: stats.mean[0], std: stats.std[0] };
}
