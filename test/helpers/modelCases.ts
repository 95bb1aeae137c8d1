/**
 * Helpers for the models tests: builds the adtkit model of a models.json case and loads the
 * shared fixture input in TF.js layout.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createCNN, createConvTransformer, createCRNN, createRNN, createViT } from '../../src/models/index.js';
import { loadArray, readManifest } from './fixtures.js';

/** Reference classes built by createRNN / createCNN / createCRNN. */
export const RECURRENT_AND_CNN_CLASSES = ['RNN', 'CNN', 'ConvolutionalRNN'] as const;
/** Reference classes covered by the transformer tests (test/models.transformer*.test.ts). */
export const TRANSFORMER_CLASSES = ['ConvolutionalTransformer', 'VisionTransformer'] as const;

export interface ModelCase {
  name: string;
  cls: string;
  params: Record<string, unknown>;
  weights: string;
  trainable_param_count: number;
  output?: { dtype: 'float32'; shape: number[]; file?: string; data?: number[] };
}

export interface ModelsManifest {
  input_x: Parameters<typeof loadArray>[0];
  cases: ModelCase[];
  default_configs: Record<string, { params: Record<string, unknown>; trainable_param_count: number; hyperparameter_grid: Record<string, unknown[]> }>;
}

export const modelsManifest = (): ModelsManifest => readManifest<ModelsManifest>('models.json');

/** Options of the adtkit factory equivalent to reference constructor arguments. */
export function optionsFor(cls: string, params: Record<string, unknown>, searchSpace: 'thesis' | 'any' = 'any'): Record<string, unknown> {
  const cell = params.use_gru === false ? 'lstm' : 'gru';
  switch (cls) {
    case 'RNN':
    case 'ConvolutionalRNN':
      return { searchSpace, numLayers: params.num_layers, hiddenSize: params.hidden_size, cell };
    case 'CNN':
      return { searchSpace, numConvBlocks: params.num_convs, numLayers: params.num_layers, hiddenSize: params.hidden_size };
    default:
      throw new Error(`no adtkit factory for reference class ${cls}`);
  }
}

/** Builds the adtkit model of a reference class and constructor arguments. */
export function buildModel(cls: string, params: Record<string, unknown>, searchSpace: 'thesis' | 'any' = 'any'): LayersModel {
  const options = optionsFor(cls, params, searchSpace) as any;
  if (cls === 'RNN') return createRNN(options);
  if (cls === 'CNN') return createCNN(options);
  return createCRNN(options);
}

/** Builds the adtkit model of any models.json case: recurrent, CNN, CRNN and both transformers. */
export function buildCaseModel(c: ModelCase): LayersModel {
  if (c.cls === 'ConvolutionalTransformer' || c.cls === 'VisionTransformer') {
    const p = c.params as { num_heads: number; num_layers: number; embed_dim: number; patch_size?: [number, number] };
    const o = { searchSpace: 'any' as const, numHeads: p.num_heads, numLayers: p.num_layers, embedDim: p.embed_dim };
    return c.cls === 'VisionTransformer' ? createViT({ ...o, patchSize: p.patch_size![1] } as any) : createConvTransformer(o as any);
  }
  return buildModel(c.cls, c.params);
}

/** The fixture input [2, 1, 400, 84] (NCHW) as a TF.js tensor [2, 400, 84, 1]. */
export function fixtureInput(manifest: ModelsManifest): tf.Tensor4D {
  const x = loadArray(manifest.input_x);
  return tf.tidy(() => tf.transpose(tf.tensor4d(x.data as Float32Array, x.shape as [number, number, number, number]), [0, 2, 3, 1]));
}

/** Sum of the sizes of a model's trainable weights. */
export function trainableCount(model: LayersModel): number {
  return model.trainableWeights.reduce((a, w) => a + w.shape.reduce((p: number, d) => p * (d as number), 1), 0);
}

/** Builds a safetensors file from named float32 / int64 arrays (for error-path tests). */
export function buildSafetensors(entries: Array<{ name: string; dtype?: 'F32' | 'I64' | string; shape: number[]; data: Float32Array | BigInt64Array | Uint8Array }>, headerPatch?: (h: Record<string, any>) => void): Uint8Array {
  const header: Record<string, any> = {};
  let offset = 0;
  const blobs: Uint8Array[] = [];
  for (const e of entries) {
    const bytes = new Uint8Array(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    header[e.name] = { dtype: e.dtype ?? 'F32', shape: e.shape, data_offsets: [offset, offset + bytes.byteLength] };
    offset += bytes.byteLength;
    blobs.push(bytes);
  }
  headerPatch?.(header);
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  for (const b of blobs) { out.set(b, p); p += b.length; }
  return out;
}
