/**
 * Small models for the transcription tests: a tiny random CRNN, and a known-function model
 * (a fixed temporal smoothing of the frame energy) whose activations and onsets can be
 * predicted from the input.
 */
import * as tf from '@tensorflow/tfjs-core';
import { input as tfInput, layers as tfl, model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { createCRNN } from '../../src/models/index.js';
import { createBundle, type ModelBundle, type ModelCardDraft } from '../../src/transcribe/index.js';
import { prng } from '../audioHelpers.js';

export const SR = 44100;
export const HOP = 441;

/** Weights over frames t-2..t+2 of the energy model (symmetric: peaks stay in place). */
export const SMOOTHING = [0.25, 0.5, 1, 0.5, 0.25];

/**
 * Logit of class 0 at frame t = 20 · Σ_k SMOOTHING[k] · mean_bins(x[t+k-2]) − 7, zero-padded in
 * time; classes 1.. always off (logit −10). Receptive field 5 frames.
 */
export function energyModel(classes = 5, bins = 84): LayersModel {
  const radius = (SMOOTHING.length - 1) / 2;
  const inp = tfInput({ shape: [null, bins, 1] });
  let x = tfl.zeroPadding2d({ padding: [[radius, radius], [0, 0]] }).apply(inp) as SymbolicTensor;
  x = tfl.conv2d({ filters: classes, kernelSize: [SMOOTHING.length, bins], padding: 'valid' }).apply(x) as SymbolicTensor;
  x = tfl.reshape({ targetShape: [-1, classes] }).apply(x) as SymbolicTensor;
  const model = tfModel({ inputs: inp, outputs: x });
  const kernel = new Float32Array(SMOOTHING.length * bins * classes);
  for (let k = 0; k < SMOOTHING.length; k++) for (let b = 0; b < bins; b++) kernel[(k * bins + b) * classes] = (20 * SMOOTHING[k]) / bins;
  const bias = new Float32Array(classes).fill(-10);
  bias[0] = -7;
  const w = [tf.tensor4d(kernel, [SMOOTHING.length, bins, 1, classes]), tf.tensor1d(bias)];
  model.setWeights(w);
  tf.dispose(w);
  return model;
}

/** A bundle of the energy model with identity standardization. */
export function energyBundle(card: Partial<ModelCardDraft> = {}): ModelBundle {
  return createBundle(energyModel(), { license: 'MIT', standardization: { mean: 0, std: 1 }, ...card });
}

/** A tiny random CRNN bundle (1 bidirectional GRU layer of 8 units). */
export function tinyCrnnBundle(card: Partial<ModelCardDraft> = {}): ModelBundle {
  const model = createCRNN({ searchSpace: 'any', numLayers: 1, hiddenSize: 8 });
  return createBundle(model, { license: 'MIT', standardization: { mean: 0.2, std: 0.3 }, name: 'tiny-crnn', ...card });
}

/** Mono clicks (single samples of `amplitude`) at the centres of the given frames. */
export function clicks(frames: readonly number[], seconds: number, amplitude = 0.9, sampleRate = SR): Float32Array {
  const x = new Float32Array(Math.round(seconds * sampleRate));
  for (const f of frames) x[Math.round((f / 100) * sampleRate)] = amplitude;
  return x;
}

/** Deterministic PRNG (mulberry32) in [0, 1): the audio tests' generator. */
export const rng = prng;

/** A drum-like test signal: decaying noise bursts and low tones at varying levels, plus quiet noise. */
export function drumLike(seconds: number, seed = 1, sampleRate = SR): Float32Array {
  const random = rng(seed);
  const n = Math.round(seconds * sampleRate);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.002 * (random() - 0.5);
  let t = 0.05;
  while (t < seconds) {
    const at = Math.round(t * sampleRate);
    const level = 0.2 + 0.7 * random();
    const tone = random() < 0.4;
    for (let i = 0; i < 3000 && at + i < n; i++) {
      const env = Math.exp(-i / (tone ? 900 : 250));
      x[at + i] += level * env * (tone ? Math.sin(i * 0.02) : random() - 0.5);
    }
    t += 0.08 + 0.3 * random();
  }
  return x;
}

/** Clicks (single samples) of random amplitude in [0.4, 1) at random times 0.1–0.4 s apart, plus quiet noise. */
export function clickTrack(seconds: number, seed = 1, sampleRate = SR): Float32Array {
  const random = rng(seed);
  const n = Math.round(seconds * sampleRate);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.001 * (random() - 0.5);
  for (let t = 0.05 + 0.1 * random(); t < seconds; t += 0.1 + 0.3 * random()) x[Math.round(t * sampleRate)] += 0.4 + 0.6 * random();
  return x;
}
