/**
 * Models: option validation, safetensors parsing, weight-import error paths, save/load,
 * custom-layer serialization, tensor leaks, free T and gradients (cpu backend, small models).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { layers as tfl, type LayersModel } from '@tensorflow/tfjs-layers';
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelConfigError, WeightsError, AdtError } from '../src/errors.js';
import {
  AdtBidirectionalRNN, AdtFrameFlatten, AdtSpatialDropout2D, createCNN, createCRNN, createRNN, getModelInfo,
  importTorchWeights, loadModel, nodeFileHandler, parseSafetensors, saveModel, saveModelToMemory,
} from '../src/models/index.js';
import { fixturePath } from './helpers/fixtures.js';
import { buildSafetensors, modelsManifest } from './helpers/modelCases.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function expectCode(fn: () => unknown, ctor: new (...a: any[]) => AdtError, code: string, messagePart?: RegExp): AdtError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a throw').toBeInstanceOf(ctor);
  const err = caught as AdtError;
  expect(err.code).toBe(code);
  if (messagePart) expect(err.message).toMatch(messagePart);
  return err;
}

const tiny = () => createCRNN({ searchSpace: 'any', numLayers: 2, hiddenSize: 8, cell: 'gru' });

describe('factory options', () => {
  const bad: Array<[string, () => unknown, RegExp]> = [
    ['unknown cell', () => createRNN({ cell: 'rnn' as any }), /cell must be one of "gru", "lstm", got "rnn"/],
    ['hidden size outside the thesis space', () => createRNN({ hiddenSize: 100 as any }), /hiddenSize must be one of 72, 144, 288, 576, got 100.*searchSpace: 'any'/],
    ['RNN numLayers 7', () => createRNN({ numLayers: 7 as any }), /numLayers must be one of 2, 3, 4, 5, 6, got 7/],
    ['CRNN numLayers 6', () => createCRNN({ numLayers: 6 as any }), /numLayers must be one of 2, 3, 4, 5, got 6/],
    ['CNN numConvBlocks 4', () => createCNN({ numConvBlocks: 4 as any }), /numConvBlocks must be one of 1, 2, 3, got 4/],
    ['CNN numLayers 0', () => createCNN({ numLayers: 0 as any }), /numLayers must be one of 1, 2, 3, 4, got 0/],
    ['snake_case key', () => createCRNN({ hidden_size: 72 } as any), /unknown option "hidden_size" \(did you mean "hiddenSize"\?\)/],
    ['numClasses 0', () => createCNN({ numClasses: 0 }), /numClasses must be an integer >= 1, got 0/],
    ['fractional inputBins', () => createRNN({ inputBins: 84.5 }), /inputBins must be an integer >= 1, got 84.5/],
    ['too few bins for the pooling', () => createCNN({ numConvBlocks: 3, inputBins: 20 }), /inputBins 20 is too small for 3 conv block\(s\)/],
    ['dropout 1', () => createCRNN({ dropout: 1 }), /dropout must be a number in \[0, 1\), got 1/],
    ['any space still needs positive sizes', () => createRNN({ searchSpace: 'any', hiddenSize: -3 }), /hiddenSize must be an integer >= 1, got -3/],
    ['unknown searchSpace', () => createRNN({ searchSpace: 'wide' as any }), /searchSpace must be one of "thesis", "any"/],
  ];
  for (const [what, fn, msg] of bad) {
    it(`rejects ${what} with ModelConfigError before creating any tensor`, () => {
      const before = tf.memory().numTensors;
      expectCode(fn, ModelConfigError, 'INVALID_MODEL_CONFIG', msg);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('records the resolved options, classes and bins as model info', () => {
    const m = createCNN({ numConvBlocks: 1, numLayers: 1, hiddenSize: 72, numClasses: 3, inputBins: 83 });
    expect(getModelInfo(m)).toMatchObject({ architecture: 'cnn', numClasses: 3, inputBins: 83, options: { numConvBlocks: 1, numLayers: 1, hiddenSize: 72, convDropout: 0.3 } });
    expect(m.inputs[0].shape).toEqual([null, null, 83, 1]);
    expect(m.outputs[0].shape).toEqual([null, null, 3]);
    m.dispose();
  });
});

describe('free time axis, shapes and classes', () => {
  for (const t of [1, 7, 37]) {
    it(`CRNN, RNN and CNN accept T = ${t} and return [batch, T, C]`, () => {
      const models = [tiny(), createRNN({ searchSpace: 'any', numLayers: 1, hiddenSize: 4, numClasses: 3 }), createCNN({ numConvBlocks: 1, numLayers: 1, hiddenSize: 72 })];
      const x = tf.randomNormal([2, t, 84, 1]);
      const outs = models.map((m) => m.predict(x) as tf.Tensor);
      expect(outs.map((o) => o.shape)).toEqual([[2, t, 5], [2, t, 3], [2, t, 5]]);
      tf.dispose([x, ...outs]);
      models.forEach((m) => m.dispose());
    });
  }

  it('bidirectional RNN: reverse direction sees the future (output at t=0 depends on the last frame)', () => {
    const m = createRNN({ searchSpace: 'any', numLayers: 1, hiddenSize: 4 });
    const x = tf.randomNormal([1, 10, 84, 1]);
    const x2 = tf.concat([tf.slice(x, [0, 0, 0, 0], [1, 9, 84, 1]), tf.fill([1, 1, 84, 1], 3)], 1);
    const d = tf.sub(tf.slice(m.predict(x) as tf.Tensor, [0, 0, 0], [1, 1, 5]), tf.slice(m.predict(x2) as tf.Tensor, [0, 0, 0], [1, 1, 5]));
    expect(tf.max(tf.abs(d)).dataSync()[0]).toBeGreaterThan(1e-6);
    m.dispose();
  });
});

describe('parseSafetensors', () => {
  const ok = () => buildSafetensors([
    { name: 'a', shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) },
    { name: 'n', dtype: 'I64', shape: [], data: BigInt64Array.from([7n]) },
  ]);

  it('reads F32 and I64 tensors with their shapes and the metadata', () => {
    const file = parseSafetensors(buildSafetensors([{ name: 'w', shape: [3], data: Float32Array.from([1.5, -2, 3]) }], (h) => { h.__metadata__ = { format: 'pt' }; }));
    expect([...file.tensors.keys()]).toEqual(['w']);
    expect(Array.from(file.tensors.get('w')!.data as Float32Array)).toEqual([1.5, -2, 3]);
    expect(file.metadata).toEqual({ format: 'pt' });
    const both = parseSafetensors(ok());
    expect(both.tensors.get('n')).toMatchObject({ dtype: 'I64', shape: [] });
    expect((both.tensors.get('n')!.data as BigInt64Array)[0]).toBe(7n);
  });

  it('reads every fixture state_dict', () => {
    for (const c of modelsManifest().cases) {
      const file = parseSafetensors(readFileSync(fixturePath(c.weights)));
      const listed = (c as any).tensors as Array<{ name: string; dtype: string; shape: number[] }>;
      expect([...file.tensors.values()].map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape })), c.name).toEqual(listed);
    }
  });

  const broken: Array<[string, () => Uint8Array, RegExp]> = [
    ['fewer than 8 bytes', () => new Uint8Array(5), /fewer than the 8-byte header length/],
    ['header longer than the file', () => { const b = ok(); new DataView(b.buffer).setBigUint64(0, 10_000n, true); return b; }, /header length 10000 does not fit/],
    ['header that is not JSON', () => { const b = ok(); b[8] = 0x7e; return b; }, /not valid UTF-8 JSON/],
    ['unsupported dtype', () => buildSafetensors([{ name: 'h', dtype: 'F16', shape: [2], data: new Uint8Array(4) }]), /tensor "h": dtype "F16" is not supported/],
    ['byte length not matching the shape', () => buildSafetensors([{ name: 'a', shape: [3], data: Float32Array.from([1, 2]) }]), /tensor "a": 8 bytes of data, but F32 shape \[3\] needs 12/],
    ['offsets past the end (truncated)', () => ok().slice(0, -4), /tensor "n": data_offsets \[16, 24\] run past the data section/],
    ['bad shape', () => buildSafetensors([{ name: 'a', shape: [-1], data: new Float32Array(0) }]), /tensor "a": shape \[-1\] is not a list of non-negative integers/],
    ['overlapping tensors', () => buildSafetensors([{ name: 'a', shape: [2], data: new Float32Array(2) }, { name: 'b', shape: [2], data: new Float32Array(2) }], (h) => { h.b.data_offsets = [4, 12]; }), /tensors "a" and "b" overlap/],
  ];
  for (const [what, make, msg] of broken) {
    it(`rejects a file with ${what} (WeightsError)`, () => {
      expectCode(() => parseSafetensors(make()), WeightsError, 'INVALID_WEIGHTS', msg);
    });
  }
});

describe('importTorchWeights error paths', () => {
  const c = modelsManifest().cases.find((x) => x.cls === 'RNN' && x.params.use_gru === true)!;
  const file = () => parseSafetensors(readFileSync(fixturePath(c.weights)));
  const build = (hiddenSize = c.params.hidden_size as number) => createRNN({ searchSpace: 'any', numLayers: c.params.num_layers as number, hiddenSize, cell: 'gru' });

  it('names a missing tensor and leaves the model unchanged', () => {
    const m = build();
    const before = m.getWeights().map((w) => w.dataSync().slice());
    const f = file();
    f.tensors.delete('recurrent.rnns.bias_hh_l1_reverse');
    expectCode(() => importTorchWeights(m, f), WeightsError, 'INVALID_WEIGHTS', /missing tensor "recurrent.rnns.bias_hh_l1_reverse"/);
    m.getWeights().forEach((w, i) => expect(w.dataSync()).toEqual(before[i]));
    m.dispose();
  });

  it('names an unknown tensor', () => {
    const m = build();
    const f = file();
    f.tensors.set('module.extra.weight', { name: 'module.extra.weight', dtype: 'F32', shape: [1], data: new Float32Array(1) });
    expectCode(() => importTorchWeights(m, f), WeightsError, 'INVALID_WEIGHTS', /unknown tensor "module.extra.weight"/);
    m.dispose();
  });

  it('names a mis-shaped tensor (state_dict of another hidden size)', () => {
    const m = build(16);
    expectCode(() => importTorchWeights(m, readFileSync(fixturePath(c.weights))), WeightsError, 'INVALID_WEIGHTS',
      /tensor "recurrent.rnns.weight_ih_l0" has shape \[216, 84\], expected \[48, 84\]/);
    m.dispose();
  });

  it('rejects a state_dict of another architecture (CNN weights into an RNN)', () => {
    const m = build();
    const cnn = modelsManifest().cases.find((x) => x.cls === 'CNN')!;
    expectCode(() => importTorchWeights(m, readFileSync(fixturePath(cnn.weights))), WeightsError, 'INVALID_WEIGHTS', /missing tensor "recurrent\.rnns\./);
    m.dispose();
  });

  it('rejects an I64 tensor where F32 is needed', () => {
    const m = build();
    const f = file();
    f.tensors.set('recurrent.fc.bias', { name: 'recurrent.fc.bias', dtype: 'I64', shape: [5], data: new BigInt64Array(5) });
    expectCode(() => importTorchWeights(m, f), WeightsError, 'INVALID_WEIGHTS', /tensor "recurrent.fc.bias" has dtype I64, expected F32/);
    m.dispose();
  });

  it('reports BatchNorm num_batches_tracked as skipped', () => {
    const cnn = modelsManifest().cases.find((x) => x.cls === 'CNN' && x.params.num_convs === 1)!;
    const m = createCNN({ numConvBlocks: 1, numLayers: 1, hiddenSize: 72 });
    const r = importTorchWeights(m, readFileSync(fixturePath(cnn.weights)));
    expect(r.skipped.sort()).toEqual(['encoder.convolutions.0.batchnorm1.num_batches_tracked', 'encoder.convolutions.0.batchnorm2.num_batches_tracked']);
    m.dispose();
  });
});

describe('save and load', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'adtkit-models-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const variants: Array<[string, () => LayersModel]> = [
    ['CRNN (GRU)', tiny],
    ['RNN (LSTM)', () => createRNN({ searchSpace: 'any', numLayers: 2, hiddenSize: 6, cell: 'lstm', numClasses: 3 })],
    ['CNN', () => createCNN({ numConvBlocks: 1, numLayers: 1, hiddenSize: 72 })],
  ];
  for (const [what, make] of variants) {
    it(`${what}: memory and file:// round trips give identical logits and keep the model info`, async () => {
      const m = make();
      const x = tf.randomNormal([2, 12, 84, 1]);
      const y = (m.predict(x) as tf.Tensor).dataSync();
      const fromMemory = await loadModel(await saveModelToMemory(m));
      const sub = join(dir, what.replace(/\W+/g, '_'));
      await saveModel(m, `file://${sub}`);
      expect(existsSync(join(sub, 'model.json')) && existsSync(join(sub, 'weights.bin'))).toBe(true);
      const fromFile = await loadModel(`file://${sub}`);
      for (const loaded of [fromMemory, fromFile]) {
        expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(y));
        expect(getModelInfo(loaded)).toEqual(getModelInfo(m));
        expect(loaded.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
        loaded.dispose();
      }
      m.dispose();
    });
  }

  it('a loaded model still imports PyTorch weights (names survive)', async () => {
    const c = modelsManifest().cases.find((x) => x.cls === 'ConvolutionalRNN' && x.params.use_gru === false)!;
    const m = createCRNN({ searchSpace: 'any', numLayers: c.params.num_layers as any, hiddenSize: c.params.hidden_size as any, cell: 'lstm' });
    const loaded = await loadModel(await saveModelToMemory(m));
    expect(() => importTorchWeights(loaded, readFileSync(fixturePath(c.weights)))).not.toThrow();
    m.dispose();
    loaded.dispose();
  });

  it('loading a missing directory or a non-model file fails with typed errors', async () => {
    await expect(loadModel(`file://${join(dir, 'nope')}`)).rejects.toMatchObject({ code: 'IO_ERROR' });
    const bad = join(dir, 'bad');
    await saveModel(tiny(), `file://${bad}`);
    writeFileSync(join(bad, 'model.json'), '{"hello": 1}');
    await expect(nodeFileHandler(bad).load!()).rejects.toMatchObject({ code: 'INVALID_WEIGHTS' });
  });
});

describe('custom layers: getConfig round trip and registration', () => {
  const layers: Array<[string, () => InstanceType<typeof tfl.Layer>]> = [
    ['AdtSpatialDropout2D', () => new AdtSpatialDropout2D({ rate: 0.25, name: 'sd' })],
    ['AdtFrameFlatten', () => new AdtFrameFlatten({ name: 'ff' })],
    ['AdtBidirectionalRNN', () => new AdtBidirectionalRNN({ cell: 'lstm', units: 5, numLayers: 3, dropout: 0.2, name: 'rnns' })],
  ];
  for (const [className, make] of layers) {
    it(`${className}: deserialize(getConfig()) rebuilds an equal layer`, () => {
      const layer = make();
      expect(layer.getClassName()).toBe(className);
      const config = layer.getConfig();
      const copy = tf.serialization.SerializationMap.getMap().classNameMap[className];
      expect(copy, `${className} is registered`).toBeDefined();
      const rebuilt = (copy[1] as any)(copy[0], config) as InstanceType<typeof tfl.Layer>;
      expect(rebuilt.getConfig()).toEqual(config);
    });
  }

  it('AdtBidirectionalRNN rejects a bad cell with ModelConfigError', () => {
    expectCode(() => new AdtBidirectionalRNN({ cell: 'rnn' as any, units: 3, numLayers: 1 }), ModelConfigError, 'INVALID_MODEL_CONFIG', /cell must be 'gru' or 'lstm'/);
  });
});

describe('training behaviour', () => {
  it('gradients reach every trainable weight and are finite (dropout active)', () => {
    for (const m of [tiny(), createRNN({ searchSpace: 'any', numLayers: 2, hiddenSize: 4, cell: 'lstm' })]) {
      const x = tf.randomNormal([1, 3, 84, 1]);
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar);
      const trainable = m.trainableWeights.map((w) => (w.read() as tf.Variable).name);
      for (const name of trainable) {
        const g = grads[name];
        expect(g, name).toBeDefined();
        const v = g.dataSync();
        expect(v.every(Number.isFinite), name).toBe(true);
        expect(v.some((e) => e !== 0), `${name} has a non-zero gradient`).toBe(true);
      }
      tf.dispose([x, value, ...Object.values(grads)]);
      m.dispose();
    }
  });

  it('spatial dropout zeroes whole channels in training and is the identity at inference', () => {
    const layer = new AdtSpatialDropout2D({ rate: 0.5 });
    const x = tf.ones([2, 5, 6, 16]);
    expect(tf.max(tf.abs(tf.sub(layer.apply(x) as tf.Tensor, x))).dataSync()[0]).toBe(0);
    const y = (layer.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][][][];
    for (let b = 0; b < 2; b++) {
      for (let c = 0; c < 16; c++) {
        const v = y[b][0][0][c];
        expect([0, 2]).toContain(v);
        for (let t = 0; t < 5; t++) for (let f = 0; f < 6; f++) expect(y[b][t][f][c]).toBe(v);
      }
    }
  });
});

describe('tensor memory', () => {
  it('predicting 50 times leaves tf.memory().numTensors unchanged (CRNN, RNN, CNN)', () => {
    const models = [tiny(), createRNN({ searchSpace: 'any', numLayers: 2, hiddenSize: 4, cell: 'lstm' }), createCNN({ numConvBlocks: 1, numLayers: 1, hiddenSize: 72 })];
    const x = tf.randomNormal([1, 4, 84, 1]);
    for (const m of models) tf.dispose(m.predict(x) as tf.Tensor); // warm-up
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      for (const m of models) tf.dispose(m.predict(x) as tf.Tensor);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    const withModels = tf.memory().numTensors;
    models.forEach((m) => m.dispose());
    expect(tf.memory().numTensors).toBeLessThan(withModels);
  });

  it('importTorchWeights does not leak', () => {
    const c = modelsManifest().cases.find((x) => x.cls === 'CNN' && x.params.num_convs === 1)!;
    const m = createCNN({ numConvBlocks: 1, numLayers: 1, hiddenSize: 72 });
    const bytes = readFileSync(fixturePath(c.weights));
    importTorchWeights(m, bytes);
    const before = tf.memory().numTensors;
    importTorchWeights(m, bytes);
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });
});
