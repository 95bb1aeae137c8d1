/**
 * Transformer architectures on the cpu backend: custom layers (values, shapes, config and
 * save/load round trips), reference parity for every ConvolutionalTransformer /
 * VisionTransformer case of models.json (parameter counts, imported weights → logits),
 * option validation, any T, tensor leaks. Backends beyond cpu: models.transformer.backends.test.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { input, loadLayersModel, model as tfModel, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdtError, ModelConfigError, WeightsError } from '../src/errors.js';
import { AdtGelu, AdtMultiHeadSelfAttention, AdtTransformerBlock, gelu, layerNorm, multiHeadSelfAttention } from '../src/models/attention.js';
import { getModelInfo } from '../src/models/modelInfo.js';
import { AdtPositionalEncoding, sinusoidalPositionalEncoding } from '../src/models/positionalEncoding.js';
import { importTorchWeights } from '../src/models/torchWeights.js';
import { countConvTransformerParams, createConvTransformer } from '../src/models/transformer.js';
import { countViTParams, createViT } from '../src/models/vit.js';
import { AdtPatchEmbedding } from '../src/models/vitPatchEmbedding.js';
import { fixturePath, loadArray, maxAbsDiff, readManifest, type ArraySpec } from './helpers/fixtures.js';
import { buildSafetensors } from './helpers/modelCases.js';
import { parseSafetensors } from '../src/models/safetensors.js';

interface TransformerCase {
  name: string;
  cls: 'ConvolutionalTransformer' | 'VisionTransformer' | string;
  params: { num_heads: number; num_layers: number; embed_dim: number; patch_size?: [number, number] };
  weights: string;
  trainable_param_count: number;
  omitted_from_weights: Array<{ name: string; shape: number[] }>;
  output: ArraySpec;
}

const manifest = readManifest('models.json');
const TRANSFORMER_CLASSES = ['ConvolutionalTransformer', 'VisionTransformer'];
const cases: TransformerCase[] = manifest.cases.filter((c: TransformerCase) => TRANSFORMER_CLASSES.includes(c.cls));
const LOGIT_ATOL = 1e-4;
/**
 * The reference table is PyTorch float32 (its exp/sin/cos differ from correctly rounded
 * results by an ulp): 1 ulp of an angle ≈ 335 rad is 3e-5 rad → ≤ 1e-6 in the table.
 */
const PE_ATOL = 2e-6;

/** adtkit factory options equivalent to the reference constructor arguments. */
function optionsOf(c: Pick<TransformerCase, 'cls' | 'params'>, searchSpace: 'thesis' | 'any' = 'any'): Record<string, unknown> {
  const o: Record<string, unknown> = { searchSpace, numHeads: c.params.num_heads, numLayers: c.params.num_layers, embedDim: c.params.embed_dim };
  if (c.cls === 'VisionTransformer') o.patchSize = c.params.patch_size![1];
  return o;
}

function build(c: Pick<TransformerCase, 'cls' | 'params'>, searchSpace: 'thesis' | 'any' = 'any'): LayersModel {
  return c.cls === 'VisionTransformer' ? createViT(optionsOf(c, searchSpace) as any) : createConvTransformer(optionsOf(c, searchSpace) as any);
}

function trainableCount(m: LayersModel): number {
  return m.trainableWeights.reduce((a, w) => a + w.shape.reduce((p: number, d) => p * (d as number), 1), 0);
}

/** The fixture input [2, 1, 400, 84] (NCHW) as [2, 400, 84, 1]. */
function fixtureInput(): tf.Tensor4D {
  const x = loadArray(manifest.input_x);
  return tf.tidy(() => tf.transpose(tf.tensor4d(x.data as Float32Array, x.shape as [number, number, number, number]), [0, 2, 3, 1]));
}

async function saveAndLoad(m: LayersModel): Promise<LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await m.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }));
  // Through JSON, as a file or browser storage would hold the topology.
  const topology = JSON.parse(JSON.stringify(saved!.modelTopology));
  return loadLayersModel(tf.io.fromMemory({ ...saved!, modelTopology: topology }));
}

/** Expects `fn` to throw a ModelConfigError for `field` without creating any tensor. */
function expectConfigError(fn: () => unknown, field: string, message?: RegExp): void {
  const before = tf.memory().numTensors;
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a ModelConfigError for ${field}`).toBeInstanceOf(ModelConfigError);
  expect((caught as AdtError).code).toBe('INVALID_MODEL_CONFIG');
  expect((caught as AdtError).field).toBe(field);
  if (message) expect((caught as Error).message).toMatch(message);
  expect(tf.memory().numTensors).toBe(before);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('sinusoidal positional encoding', () => {
  it('has reference fixtures for at least one embedding size', () => {
    expect(manifest.positional_encoding.length).toBeGreaterThan(0);
  });

  for (const entry of manifest.positional_encoding as Array<{ d_model: number; pe: ArraySpec }>) {
    it(`matches PositionalEncoding(${entry.d_model}).pe[0, :400] within ${PE_ATOL}`, () => {
      const ref = loadArray(entry.pe);
      const [frames, d] = ref.shape;
      expect(d).toBe(entry.d_model);
      const table = sinusoidalPositionalEncoding(frames, d);
      const { max } = maxAbsDiff(table, ref.data);
      expect(max).toBeLessThanOrEqual(PE_ATOL);
    });

    it(`layer adds the table for any T (T = 5003 > the reference's 5000), d = ${entry.d_model}`, () => {
      const ref = loadArray(entry.pe);
      const d = entry.d_model;
      const frames = 5003;
      const layer = new AdtPositionalEncoding();
      const ones = tf.ones([1, frames, d]);
      const y = layer.apply(ones) as tf.Tensor;
      expect(y.shape).toEqual([1, frames, d]);
      const values = y.dataSync();
      // The first 400 rows are the reference table + 1.
      const head = values.slice(0, 400 * d).map((v) => v - 1);
      expect(maxAbsDiff(head, ref.data).max).toBeLessThanOrEqual(PE_ATOL);
      // Later rows follow the same sin/cos law (float32 angle: ≤ 5e-4 at t = 5002).
      const t = frames - 1;
      for (const i of [0, 1, d - 2, d - 1]) {
        const w = Math.exp(-(i - (i % 2)) * Math.log(10000) / d);
        const expected = (i % 2 === 0 ? Math.sin(t * w) : Math.cos(t * w)) + 1;
        expect(Math.abs(values[t * d + i] - expected)).toBeLessThan(5e-4);
      }
      tf.dispose([ones, y]);
    });
  }

  it('rejects invalid sizes', () => {
    expect(() => sinusoidalPositionalEncoding(-1, 8)).toThrow(AdtError);
    expect(() => sinusoidalPositionalEncoding(4, 0)).toThrow(/embedDim/);
  });
});

describe('GELU, layer norm, self-attention maths', () => {
  it('gelu is the exact erf form: x·Φ(x) with published standard normal CDF values', () => {
    // Φ(x) from standard tables (Abramowitz & Stegun 26.2): Φ(0.5), Φ(1), Φ(2), Φ(3).
    const phi: Array<[number, number]> = [[0.5, 0.6914624612740131], [1, 0.8413447460685429], [2, 0.9772498680518208], [3, 0.9986501019683699]];
    const xs = phi.flatMap(([x]) => [x, -x]);
    const expected = phi.flatMap(([x, p]) => [x * p, -x * (1 - p)]);
    const y = gelu(tf.tensor1d(xs));
    expect(maxAbsDiff(y.dataSync(), expected).max).toBeLessThan(1e-6);
    // The tanh approximation differs from these by up to ~5e-4 near |x| = 2: it must not be used.
    const tanhApprox = (x: number): number => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    expect(maxAbsDiff(xs.map(tanhApprox), expected).max).toBeGreaterThan(1e-5);
    y.dispose();
  });

  it('layerNorm uses the biased variance and eps 1e-5 by default', () => {
    const x = tf.tensor2d([[1, 2, 3, 4], [0.001, 0.002, 0.003, 0.004]]);
    const y = layerNorm(x, tf.ones([4]), tf.zeros([4]));
    // mean 2.5, biased var 1.25 → (x − 2.5)/√(1.25 + 1e-5); second row: var 1.25e-6 ≪ eps matters.
    const row0 = [1, 2, 3, 4].map((v) => (v - 2.5) / Math.sqrt(1.25 + 1e-5));
    const row1 = [1, 2, 3, 4].map((v) => ((v - 2.5) * 1e-3) / Math.sqrt(1.25e-6 + 1e-5));
    expect(maxAbsDiff(y.dataSync(), [...row0, ...row1]).max).toBeLessThan(2e-6);
    tf.dispose([x, y]);
  });

  it('one head attending to identical keys returns the mean of the values (and scales by 1/√dh)', () => {
    // D = 2, one head: q = 0 · x, k from x, v = x. With q = 0 all scores are equal → uniform mean.
    const x = tf.tensor3d([[[1, 2], [3, 4], [5, 6]]]);
    const d = 2;
    const inProj = new Float32Array(d * 3 * d); // [D, 3D], columns q | k | v
    inProj[0 * 6 + 4] = 1; inProj[1 * 6 + 5] = 1; // v = x
    inProj[0 * 6 + 2] = 1; inProj[1 * 6 + 3] = 1; // k = x
    const eye = tf.tensor2d([1, 0, 0, 1], [2, 2]);
    const out = multiHeadSelfAttention(x, {
      inProjKernel: tf.tensor2d(inProj, [d, 3 * d]), inProjBias: tf.zeros([3 * d]), outProjKernel: eye, outProjBias: tf.zeros([d]),
    }, 1);
    expect(Array.from(out.dataSync())).toEqual([3, 4, 3, 4, 3, 4]);
    // q = x as well: scores q·k/√2; check frame 0 against a hand computation.
    inProj[0 * 6 + 0] = 1; inProj[1 * 6 + 1] = 1;
    const out2 = multiHeadSelfAttention(x, {
      inProjKernel: tf.tensor2d(inProj, [d, 3 * d]), inProjBias: tf.zeros([3 * d]), outProjKernel: eye, outProjBias: tf.zeros([d]),
    }, 1);
    const rows = [[1, 2], [3, 4], [5, 6]];
    const scores = rows.map((k) => (1 * k[0] + 2 * k[1]) / Math.sqrt(2));
    const e = scores.map((s) => Math.exp(s - Math.max(...scores)));
    const z = e.reduce((a, b) => a + b, 0);
    const expected0 = [0, 1].map((j) => rows.reduce((a, r, i) => a + (e[i] / z) * r[j], 0));
    expect(maxAbsDiff(out2.dataSync().slice(0, 2), expected0).max).toBeLessThan(1e-5);
    tf.dispose([x, eye, out, out2]);
  });

  it('multiHeadSelfAttention rejects a wrong rank or heads that do not divide D', () => {
    const x = tf.zeros([2, 3, 6]);
    const w = { inProjKernel: tf.zeros([6, 18]), inProjBias: tf.zeros([18]), outProjKernel: tf.zeros([6, 6]), outProjBias: tf.zeros([6]) };
    expect(() => multiHeadSelfAttention(tf.zeros([3, 6]), w, 2)).toThrow(/\[batch, T, D\]/);
    expect(() => multiHeadSelfAttention(x, w, 4)).toThrow(/numHeads 4/);
  });
});

describe('custom layers: shapes, config and save/load round trips', () => {
  const layerCases: Array<{ name: string; make: () => tf.serialization.Serializable & { getConfig(): tf.serialization.ConfigDict; apply: any }; shape: number[]; outShape: number[] }> = [
    { name: 'AdtPositionalEncoding', make: () => new AdtPositionalEncoding({ name: 'pe' }), shape: [7, 12], outShape: [7, 12] },
    { name: 'AdtGelu', make: () => new AdtGelu({ name: 'gelu' }), shape: [7, 12], outShape: [7, 12] },
    { name: 'AdtMultiHeadSelfAttention', make: () => new AdtMultiHeadSelfAttention({ name: 'mha', numHeads: 3 }), shape: [7, 12], outShape: [7, 12] },
    { name: 'AdtTransformerBlock', make: () => new AdtTransformerBlock({ name: 'block', numHeads: 2, dropoutRate: 0.2, epsilon: 1e-6 }), shape: [7, 12], outShape: [7, 12] },
    { name: 'AdtPatchEmbedding', make: () => new AdtPatchEmbedding({ name: 'patches', patchSize: 7, channels: 3 }), shape: [5, 21, 1], outShape: [5, 9] },
  ];

  for (const lc of layerCases) {
    it(`${lc.name}: output shape, getConfig → fromConfig → same config, save/load gives identical output`, async () => {
      const layer = lc.make();
      const x = input({ shape: [null, ...lc.shape.slice(1)] });
      const y = layer.apply(x) as SymbolicTensor;
      expect(y.shape).toEqual([null, null, ...lc.outShape.slice(1)]);
      const m = tfModel({ inputs: x, outputs: y });
      const config = layer.getConfig();
      const cls = layer.constructor as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>;
      expect(cls.className).toBe(lc.name);
      const clone = (cls as any).fromConfig(cls, config);
      expect(clone.getConfig()).toEqual(config);

      const data = tf.randomNormal([2, ...lc.shape], 0, 1, 'float32', 7);
      const before = m.predict(data) as tf.Tensor;
      expect(before.shape).toEqual([2, ...lc.outShape]);
      const loaded = await saveAndLoad(m);
      const reloadedLayer = loaded.layers[1];
      expect(reloadedLayer.getClassName()).toBe(lc.name);
      expect(reloadedLayer.getConfig()).toEqual(config);
      const after = loaded.predict(data) as tf.Tensor;
      expect(Array.from(after.dataSync())).toEqual(Array.from(before.dataSync()));
      tf.dispose([data, before, after]);
      m.dispose();
      loaded.dispose();
    });
  }

  it('AdtTransformerBlock: dropout only in training; identity-free residual path', () => {
    const block = new AdtTransformerBlock({ numHeads: 2, dropoutRate: 0.5 });
    const x = tf.randomNormal([1, 6, 8], 0, 1, 'float32', 3);
    const a = block.apply(x) as tf.Tensor;
    const b = block.apply(x) as tf.Tensor;
    const c = block.apply(x, { training: true }) as tf.Tensor;
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(maxAbsDiff(a.dataSync(), c.dataSync()).max).toBeGreaterThan(1e-3);
    tf.dispose([x, a, b, c]);
  });

  it('layer arguments are validated (ModelConfigError)', () => {
    expect(() => new AdtTransformerBlock({ numHeads: 0 })).toThrow(ModelConfigError);
    expect(() => new AdtTransformerBlock({ numHeads: 2, dropoutRate: 1 })).toThrow(/dropoutRate/);
    expect(() => new AdtMultiHeadSelfAttention({ numHeads: 2.5 })).toThrow(/numHeads/);
    expect(() => new AdtPatchEmbedding({ patchSize: 0, channels: 2 })).toThrow(/patchSize/);
    // Heads that do not divide D, patch sizes that do not divide the bins: at build time.
    expect(() => new AdtTransformerBlock({ numHeads: 5 }).apply(input({ shape: [null, 12] }))).toThrow(/numHeads 5 does not divide/);
    expect(() => new AdtPatchEmbedding({ patchSize: 5, channels: 2 }).apply(input({ shape: [null, 84, 1] }))).toThrow(/does not divide the 84/);
  });
});

describe('reference parity (models.json), cpu backend', () => {
  it('models.json lists both transformer classes', () => {
    expect(new Set(cases.map((c) => c.cls))).toEqual(new Set(TRANSFORMER_CLASSES));
  });

  for (const c of cases) {
    it(`${c.name}: trainable parameters = ${c.trainable_param_count} (counted and built)`, () => {
      const count = c.cls === 'VisionTransformer' ? countViTParams(optionsOf(c) as any) : countConvTransformerParams(optionsOf(c) as any);
      expect(count).toBe(c.trainable_param_count);
      const m = build(c);
      expect(trainableCount(m)).toBe(c.trainable_param_count);
      m.dispose();
    });

    it(`${c.name}: imported reference weights give the reference logits within ${LOGIT_ATOL}`, () => {
      const m = build(c);
      const result = importTorchWeights(m, new Uint8Array(readFileSync(fixturePath(c.weights))));
      expect(result.loaded.length).toBeGreaterThan(0);
      const expected = loadArray(c.output);
      const x = fixtureInput();
      const y = m.predict(x) as tf.Tensor;
      expect(y.shape).toEqual(expected.shape);
      const { max } = maxAbsDiff(y.dataSync(), expected.data);
      console.log(`[transformer parity cpu] ${c.name}: max |logit error| = ${max.toExponential(2)}`);
      expect(max).toBeLessThanOrEqual(LOGIT_ATOL);
      tf.dispose([x, y]);
      m.dispose();
    });
  }

  it('weights of another configuration are rejected (WeightsError) and leave the model unchanged', () => {
    const vit7 = cases.find((c) => c.cls === 'VisionTransformer' && c.params.patch_size![1] === 7)!;
    const vit21 = cases.find((c) => c.cls === 'VisionTransformer' && c.params.patch_size![1] === 21)!;
    const m = build(vit21);
    const before = m.getWeights().map((w) => w.dataSync().slice());
    expect(() => importTorchWeights(m, new Uint8Array(readFileSync(fixturePath(vit7.weights))))).toThrow(WeightsError);
    m.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(before[i]));
    m.dispose();
  });

  // Real thesis checkpoints carry the persistent buffer `decoder.positional_encoding.pe`
  // (the fixtures omit it); AdtPositionalEncoding.torchWeightValues marks it as skipped.
  it('a full state_dict including decoder.positional_encoding.pe imports (pe skipped)', () => {
    const c = cases.find((k) => k.cls === 'VisionTransformer')!;
    const file = parseSafetensors(new Uint8Array(readFileSync(fixturePath(c.weights))));
    const entries = [...file.tensors.values()].map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: t.data }));
    const d = c.params.embed_dim;
    entries.push({ name: 'decoder.positional_encoding.pe', dtype: 'F32', shape: [1, 5000, d], data: sinusoidalPositionalEncoding(5000, d) });
    const m = build(c);
    try {
      const result = importTorchWeights(m, buildSafetensors(entries));
      expect(result.skipped).toContain('decoder.positional_encoding.pe');
    } finally {
      m.dispose();
    }
  });

  const defaults: Array<[string, (o: any) => number, (o: any) => LayersModel]> = [
    ['ConvolutionalTransformer', countConvTransformerParams, createConvTransformer],
    ['VisionTransformer', countViTParams, createViT],
  ];
  for (const [cls, count, create] of defaults) {
    it(`${cls} default: counted and built parameters equal default_configs (SPEC §4)`, () => {
      const ref = manifest.default_configs[cls];
      expect(count({})).toBe(ref.trainable_param_count);
      expect(count(optionsOf({ cls, params: ref.params }, 'thesis'))).toBe(ref.trainable_param_count);
      const m = create({});
      expect(trainableCount(m)).toBe(ref.trainable_param_count);
      expect(getModelInfo(m)?.architecture).toBe(cls === 'VisionTransformer' ? 'vit' : 'convTransformer');
      m.dispose();
    });

    it(`${cls}: every point of the thesis hyper-parameter grid is accepted`, () => {
      const grid = manifest.default_configs[cls].hyperparameter_grid as Record<string, unknown[]>;
      let points: Record<string, unknown>[] = [{}];
      for (const [k, values] of Object.entries(grid)) points = points.flatMap((p) => values.map((v) => ({ ...p, [k]: v })));
      expect(points.length).toBeGreaterThan(1);
      for (const p of points) {
        const n = count(optionsOf({ cls, params: p as any }, 'thesis'));
        expect(n).toBeGreaterThan(0);
      }
    });
  }

  it('SPEC §4 figures: ConvTransformer 20,344,421; ViT 19,950,629', () => {
    expect(countConvTransformerParams()).toBe(20_344_421);
    expect(countViTParams()).toBe(19_950_629);
  });
});

describe('options validation (ModelConfigError before any tensor)', () => {
  it('unknown options and values outside the thesis search space', () => {
    expectConfigError(() => createConvTransformer({ num_heads: 4 } as any), 'num_heads', /numHeads/);
    expectConfigError(() => createConvTransformer({ numHeads: 3 } as any), 'numHeads', /2, 4, 6, 8/);
    expectConfigError(() => createConvTransformer({ numLayers: 3 } as any), 'numLayers');
    expectConfigError(() => createConvTransformer({ numLayers: 1 } as any), 'numLayers', /searchSpace: 'any'/);
    expectConfigError(() => createViT({ embedDim: 100 } as any), 'embedDim');
    expectConfigError(() => createViT({ patchSize: 12 } as any), 'patchSize', /7, 14, 21/);
    expectConfigError(() => createViT({ dropout: 1 }), 'dropout');
    expectConfigError(() => createViT({ numClasses: 0 }), 'numClasses');
    expectConfigError(() => createConvTransformer(null as any), 'options');
  });

  it('heads that do not divide D (searchSpace any)', () => {
    expectConfigError(() => createConvTransformer({ searchSpace: 'any', numHeads: 5, embedDim: 72 }), 'numHeads', /does not divide embedDim 72/);
    expectConfigError(() => countViTParams({ searchSpace: 'any', numHeads: 7, embedDim: 72 }), 'numHeads');
  });

  it('patch size that does not divide the bins, D not divisible by the number of patches', () => {
    expectConfigError(() => createViT({ inputBins: 90, patchSize: 14 }), 'patchSize', /does not divide inputBins 90/);
    expectConfigError(() => createViT({ searchSpace: 'any', patchSize: 5, inputBins: 84 }), 'patchSize');
    // 70 bins / 7 = 10 patches; 72 is not a multiple of 10.
    expectConfigError(() => createViT({ inputBins: 70, patchSize: 7, embedDim: 72, numHeads: 2, numLayers: 2 }), 'embedDim', /number of patches 10/);
  });

  it('too few bins for the conv front end', () => {
    expectConfigError(() => createConvTransformer({ inputBins: 8 }), 'inputBins');
  });
});

describe('any T, classes and bins; no leaks; save/load of whole models', () => {
  const small = [
    // The conv front end is slow on cpu: the ViT carries the long sequence (T > 400).
    { label: 'ConvTransformer', frames: [1, 9, 57], make: (o: any = {}) => createConvTransformer({ numHeads: 2, numLayers: 2, embedDim: 72, ...o }) },
    { label: 'ViT', frames: [1, 9, 433], make: (o: any = {}) => createViT({ patchSize: 14, numHeads: 2, numLayers: 2, embedDim: 72, ...o }) },
  ];

  for (const s of small) {
    it(`${s.label}: T = ${s.frames.join(', ')} and 3 classes / 42 bins give [batch, T, C]`, () => {
      const m = s.make();
      for (const frames of s.frames) {
        const x = tf.randomNormal([1, frames, 84, 1], 0, 1, 'float32', frames);
        const y = m.predict(x) as tf.Tensor;
        expect(y.shape).toEqual([1, frames, 5]);
        expect(y.dataSync().every(Number.isFinite)).toBe(true);
        tf.dispose([x, y]);
      }
      m.dispose();
      const m2 = s.make({ numClasses: 3, inputBins: 42 });
      const x = tf.zeros([2, 4, 42, 1]);
      const y = m2.predict(x) as tf.Tensor;
      expect(y.shape).toEqual([2, 4, 3]);
      tf.dispose([x, y]);
      m2.dispose();
    });

    it(`${s.label}: 50 predictions leave tf.memory().numTensors unchanged`, () => {
      const m = s.make();
      const x = tf.randomNormal([1, 2, 84, 1], 0, 1, 'float32', 1);
      tf.dispose(m.predict(x) as tf.Tensor); // warm-up
      const before = tf.memory().numTensors;
      for (let i = 0; i < 50; i++) tf.dispose(m.predict(x) as tf.Tensor);
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      m.dispose();
    });

    it(`${s.label}: every trainable weight gets a finite, non-zero gradient; fit() runs (dropout on)`, async () => {
      const m = s.make();
      // Few frames: conv backprop is slow on cpu.
      const x = tf.randomNormal([1, 3, 84, 1], 0, 1, 'float32', 9);
      const target = tf.randomUniform([1, 3, 5], 0, 1, 'float32', 4);
      const { grads } = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(target, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar,
        m.trainableWeights.map((w) => (w as any).val as tf.Variable));
      expect(Object.keys(grads).length).toBe(m.trainableWeights.length);
      for (const [name, g] of Object.entries(grads)) {
        const v = g.dataSync();
        expect(v.every(Number.isFinite), name).toBe(true);
        expect(v.some((e) => e !== 0), name).toBe(true);
      }
      tf.dispose(Object.values(grads));
      m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
      const history = await m.fit(x, target, { epochs: 1, batchSize: 1, verbose: 0 });
      expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
      tf.dispose([x, target]);
      m.dispose();
    });

    it(`${s.label}: TF.js save/load round trip gives identical logits and keeps the model info`, async () => {
      const m = s.make();
      const x = tf.randomNormal([1, 12, 84, 1], 0, 1, 'float32', 5);
      const y = m.predict(x) as tf.Tensor;
      const loaded = await saveAndLoad(m);
      const y2 = loaded.predict(x) as tf.Tensor;
      expect(Array.from(y2.dataSync())).toEqual(Array.from(y.dataSync()));
      expect(getModelInfo(loaded)).toEqual(getModelInfo(m));
      tf.dispose([x, y, y2]);
      m.dispose();
      loaded.dispose();
    });
  }
});
