/**
 * Reference parity on the cpu backend: every RNN / CNN / CRNN case of models.json is built
 * with adtkit's factory, loaded with the reference state_dict and must give the reference
 * logits within 1e-4; trainable parameter counts must equal the reference.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { countCNNParams, countCRNNParams, countRNNParams, importTorchWeights } from '../src/models/index.js';
import { fixturePath, loadArray, maxAbsDiff } from './helpers/fixtures.js';
import {
  RECURRENT_AND_CNN_CLASSES, TRANSFORMER_CLASSES, buildModel, fixtureInput, modelsManifest, optionsFor, trainableCount,
} from './helpers/modelCases.js';

const manifest = modelsManifest();
const mine = manifest.cases.filter((c) => (RECURRENT_AND_CNN_CLASSES as readonly string[]).includes(c.cls));
const LOGIT_ATOL = 1e-4;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('models.json cases', () => {
  it('every case has a known reference class (RNN/CNN/CRNN here, transformers in models.transformer tests)', () => {
    const known = [...RECURRENT_AND_CNN_CLASSES, ...TRANSFORMER_CLASSES] as readonly string[];
    for (const c of manifest.cases) expect(known, c.name).toContain(c.cls);
    expect(mine.length).toBeGreaterThan(0);
  });

  for (const c of mine) {
    it(`${c.name}: trainable parameter count equals the reference (${c.trainable_param_count})`, () => {
      const count = c.cls === 'RNN' ? countRNNParams(optionsFor(c.cls, c.params) as any)
        : c.cls === 'CNN' ? countCNNParams(optionsFor(c.cls, c.params) as any)
          : countCRNNParams(optionsFor(c.cls, c.params) as any);
      expect(count).toBe(c.trainable_param_count);
      const model = buildModel(c.cls, c.params);
      expect(trainableCount(model)).toBe(c.trainable_param_count);
      model.dispose();
    });

    it(`${c.name}: imported reference weights give the reference logits within ${LOGIT_ATOL} (cpu)`, () => {
      const model = buildModel(c.cls, c.params);
      const result = importTorchWeights(model, new Uint8Array(readFileSync(fixturePath(c.weights))));
      expect(result.loaded.length).toBeGreaterThan(0);
      const expected = loadArray(c.output as any);
      const x = fixtureInput(manifest);
      const y = model.predict(x) as tf.Tensor;
      expect(y.shape).toEqual(expected.shape);
      const { max } = maxAbsDiff(y.dataSync(), expected.data);
      console.log(`[parity cpu] ${c.name}: max |logit error| = ${max.toExponential(2)}`);
      expect(max).toBeLessThanOrEqual(LOGIT_ATOL);
      tf.dispose([x, y]);
      model.dispose();
    });
  }
});

describe('thesis default configurations (SPEC §4)', () => {
  const defaults: Array<[string, (o: any) => number]> = [
    ['RNN', countRNNParams],
    ['CNN', countCNNParams],
    ['ConvolutionalRNN', countCRNNParams],
  ];
  for (const [cls, count] of defaults) {
    it(`${cls} default: counted and built trainable parameters equal models.json default_configs`, () => {
      const ref = manifest.default_configs[cls];
      expect(ref, `default_configs.${cls}`).toBeDefined();
      expect(count({})).toBe(ref.trainable_param_count);
      expect(count(optionsFor(cls, ref.params, 'thesis'))).toBe(ref.trainable_param_count);
      const model = buildModel(cls, ref.params, 'thesis');
      expect(trainableCount(model)).toBe(ref.trainable_param_count);
      model.dispose();
    });
  }

  it('SPEC §4 figures: RNN 3,642,053; CNN 316,037; CRNN 4,557,413', () => {
    expect(countRNNParams()).toBe(3_642_053);
    expect(countCNNParams()).toBe(316_037);
    expect(countCRNNParams()).toBe(4_557_413);
  });

  it('every point of the thesis grids is accepted and counts match built models (sampled build)', () => {
    for (const cls of ['RNN', 'CNN', 'ConvolutionalRNN']) {
      const grid = manifest.default_configs[cls].hyperparameter_grid;
      const keys = Object.keys(grid);
      const points: Record<string, unknown>[] = [{}];
      for (const k of keys) {
        const next: Record<string, unknown>[] = [];
        for (const p of points) for (const v of grid[k]) next.push({ ...p, [k]: v });
        points.splice(0, points.length, ...next);
      }
      for (const p of points) {
        const opts = optionsFor(cls, p, 'thesis');
        const n = cls === 'RNN' ? countRNNParams(opts as any) : cls === 'CNN' ? countCNNParams(opts as any) : countCRNNParams(opts as any);
        expect(n).toBeGreaterThan(0);
      }
      // Build the smallest and largest point of each grid and compare with the count.
      for (const p of [points[0], points[points.length - 1]]) {
        const opts = optionsFor(cls, p, 'thesis');
        const n = cls === 'RNN' ? countRNNParams(opts as any) : cls === 'CNN' ? countCNNParams(opts as any) : countCRNNParams(opts as any);
        const model = buildModel(cls, p, 'thesis');
        expect(trainableCount(model), `${cls} ${JSON.stringify(p)}`).toBe(n);
        model.dispose();
      }
    }
  });
});
