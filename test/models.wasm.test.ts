/**
 * Backends: every RNN / CNN / CRNN fixture case on the wasm backend gives the reference
 * logits, and cpu and wasm agree within 1e-3 (SPEC §4 / issue 4).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { locateWasmBinaries } from './helpers/wasm.js';
import { importTorchWeights } from '../src/models/index.js';
import { fixturePath, loadArray, maxAbsDiff } from './helpers/fixtures.js';
import { RECURRENT_AND_CNN_CLASSES, buildModel, fixtureInput, modelsManifest } from './helpers/modelCases.js';

const manifest = modelsManifest();
const mine = manifest.cases.filter((c) => (RECURRENT_AND_CNN_CLASSES as readonly string[]).includes(c.cls));
const CPU_WASM_ATOL = 1e-3;
const LOGIT_ATOL = 1e-4;
/** Frames compared between cpu and wasm (the cpu backend is slow; full segments run in the parity test). */
const CPU_FRAMES = 64;

beforeAll(async () => {
  locateWasmBinaries();
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.setBackend('cpu');
});

describe('wasm backend', () => {
  for (const c of mine) {
    it(`${c.name}: wasm gives the reference logits, and matches cpu within ${CPU_WASM_ATOL}`, async () => {
      await tf.setBackend('cpu');
      const model = buildModel(c.cls, c.params);
      importTorchWeights(model, new Uint8Array(readFileSync(fixturePath(c.weights))));
      const x = fixtureInput(manifest);
      const xShort = tf.slice(x, [0, 0, 0, 0], [2, CPU_FRAMES, 84, 1]);
      const onCpu = (model.predict(xShort) as tf.Tensor).dataSync().slice();

      await tf.setBackend('wasm');
      const full = model.predict(x) as tf.Tensor;
      const expected = loadArray(c.output as any);
      const errRef = maxAbsDiff(full.dataSync(), expected.data).max;
      const short = (model.predict(xShort) as tf.Tensor).dataSync();
      const errCpu = maxAbsDiff(short, onCpu).max;
      console.log(`[wasm] ${c.name}: max |logit error| vs reference ${errRef.toExponential(2)}, vs cpu ${errCpu.toExponential(2)}`);
      expect(errRef).toBeLessThanOrEqual(LOGIT_ATOL);
      expect(errCpu).toBeLessThanOrEqual(CPU_WASM_ATOL);
      tf.dispose([x, xShort, full]);
      model.dispose();
      await tf.setBackend('cpu');
    });
  }

  it('no leak on wasm: 50 predictions leave numTensors unchanged', async () => {
    await tf.setBackend('wasm');
    const c = mine.find((k) => k.cls === 'ConvolutionalRNN')!;
    const model = buildModel(c.cls, c.params);
    const x = tf.randomNormal([1, 8, 84, 1]);
    tf.dispose(model.predict(x) as tf.Tensor);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) tf.dispose(model.predict(x) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
    await tf.setBackend('cpu');
  });
});
