/**
 * Browser side of test/browser/models.webgl.test.ts: builds each reference model with
 * adtkit's factories on the webgl backend, imports the fixture weights and returns logits.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createCNN, createConvTransformer, createCRNN, createRNN, createViT, importTorchWeights, loadModel, saveModel } from '../../src/models/index.js';

export interface ReferenceCase {
  name: string;
  cls: string;
  params: Record<string, any>;
  weights: string;
}

export interface WebglCaseResult {
  name: string;
  backend: string;
  shape: number[];
  logits: number[];
  leakedTensors: number;
  /** Largest |difference| of the logits after a save to and load from browser storage. */
  storageRoundTrip: Record<string, number>;
}

function build(c: ReferenceCase): LayersModel {
  const p = c.params;
  const cell = p.use_gru === false ? 'lstm' : 'gru';
  switch (c.cls) {
    case 'RNN':
      return createRNN({ searchSpace: 'any', numLayers: p.num_layers, hiddenSize: p.hidden_size, cell } as any);
    case 'ConvolutionalRNN':
      return createCRNN({ searchSpace: 'any', numLayers: p.num_layers, hiddenSize: p.hidden_size, cell } as any);
    case 'CNN':
      return createCNN({ searchSpace: 'any', numConvBlocks: p.num_convs, numLayers: p.num_layers, hiddenSize: p.hidden_size } as any);
    case 'ConvolutionalTransformer':
      return createConvTransformer({ searchSpace: 'any', numHeads: p.num_heads, numLayers: p.num_layers, embedDim: p.embed_dim } as any);
    case 'VisionTransformer':
      return createViT({ searchSpace: 'any', numHeads: p.num_heads, numLayers: p.num_layers, embedDim: p.embed_dim, patchSize: p.patch_size[1] } as any);
    default:
      throw new Error(`unknown reference class ${c.cls}`);
  }
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

(globalThis as any).runWebglCase = async (c: ReferenceCase, inputShape: number[], inputFile: string): Promise<WebglCaseResult> => {
  await tf.setBackend('webgl');
  await tf.ready();
  const inputBytes = await fetchBytes(`/fixtures/${inputFile}`);
  const weights = await fetchBytes(`/fixtures/${c.weights}`);
  const model = build(c);
  importTorchWeights(model, weights);
  const before = tf.memory().numTensors;
  const x = tf.tidy(() =>
    tf.transpose(tf.tensor4d(new Float32Array(inputBytes.buffer, inputBytes.byteOffset, inputBytes.byteLength / 4), inputShape as [number, number, number, number]), [0, 2, 3, 1]),
  );
  const y = model.predict(x) as tf.Tensor;
  const logits = Array.from(await y.data());
  const shape = y.shape;
  x.dispose();
  y.dispose();
  const leakedTensors = tf.memory().numTensors - before;

  // TF.js's own browser storage: save, reload (custom layers come back by class name), compare.
  const storageRoundTrip: Record<string, number> = {};
  for (const scheme of ['indexeddb', 'localstorage']) {
    const url = `${scheme}://adtkit-${c.name}`;
    await saveModel(model, url);
    const reloaded = await loadModel(url);
    const x2 = tf.tidy(() =>
      tf.transpose(tf.tensor4d(new Float32Array(inputBytes.buffer, inputBytes.byteOffset, inputBytes.byteLength / 4), inputShape as [number, number, number, number]), [0, 2, 3, 1]),
    );
    const y2 = reloaded.predict(x2) as tf.Tensor;
    const again = await y2.data();
    storageRoundTrip[scheme] = Array.from(again).reduce((m: number, v: number, i: number) => Math.max(m, Math.abs(v - logits[i])), 0);
    tf.dispose([x2, y2]);
    reloaded.dispose();
    await tf.io.removeModel(url);
  }
  model.dispose();
  return { name: c.name, backend: tf.getBackend(), shape, logits, leakedTensors, storageRoundTrip };
};
