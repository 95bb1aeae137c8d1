/**
 * Transformer models on the cpu and wasm backends in Node: tf.erf (and so the exact GELU)
 * within 1e-6 of the true erf on each backend, the reference logits on wasm for every
 * transformer case of models.json, cpu vs wasm agreement, and no tensor leaks on wasm.
 * (webgl runs in the headless-browser suite.)
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gelu } from '../src/models/attention.js';
import { importTorchWeights } from '../src/models/torchWeights.js';
import { createConvTransformer } from '../src/models/transformer.js';
import { createViT } from '../src/models/vit.js';
import { fixturePath, loadArray, maxAbsDiff, readManifest, type ArraySpec } from './helpers/fixtures.js';

const require = createRequire(import.meta.url);
setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');

interface TransformerCase {
  name: string;
  cls: string;
  params: { num_heads: number; num_layers: number; embed_dim: number; patch_size?: [number, number] };
  weights: string;
  output: ArraySpec;
}

const manifest = readManifest('models.json');
const cases: TransformerCase[] = manifest.cases.filter((c: TransformerCase) => c.cls === 'ConvolutionalTransformer' || c.cls === 'VisionTransformer');
const BACKENDS = ['cpu', 'wasm'] as const;
const LOGIT_ATOL = 1e-4;
const BACKEND_ATOL = 1e-3;

function build(c: TransformerCase): LayersModel {
  const o = { searchSpace: 'any' as const, numHeads: c.params.num_heads, numLayers: c.params.num_layers, embedDim: c.params.embed_dim };
  return c.cls === 'VisionTransformer' ? createViT({ ...o, patchSize: c.params.patch_size![1] }) : createConvTransformer(o);
}

/** Fixture input [2, 1, 400, 84] → [batch, frames, 84, 1], optionally cut to fewer batches/frames. */
function fixtureInput(batch = 2, frames = 400): tf.Tensor4D {
  const x = loadArray(manifest.input_x);
  return tf.tidy(() => {
    const nchw = tf.tensor4d(x.data as Float32Array, x.shape as [number, number, number, number]);
    return tf.transpose(tf.slice(nchw, [0, 0, 0, 0], [batch, 1, frames, 84]), [0, 2, 3, 1]);
  });
}

/**
 * erf by its Maclaurin series in float64 (|x| ≤ 4: terms peak near 1e5, so the rounding
 * error stays below 1e-10); checked below against published values.
 */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

// Published values (Abramowitz & Stegun, table 7.1).
const ERF_TABLE: Array<[number, number]> = [
  [0.1, 0.1124629160182849], [0.25, 0.2763263901682369], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
  [1.5, 0.9661051464753108], [2, 0.9953222650189527], [3, 0.9999779095030014],
];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('reference erf for the tests', () => {
  it('the series matches published erf values to 1e-12', () => {
    for (const [x, e] of ERF_TABLE) expect(Math.abs(erfSeries(x) - e)).toBeLessThan(1e-12);
  });
});

for (const backend of BACKENDS) {
  describe(`${backend} backend`, () => {
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      await tf.ready();
    });

    it('has every kernel the transformers use (Erf included)', () => {
      for (const kernel of ['Erf', 'BatchMatMul', 'Softmax', 'Transpose', 'Rsqrt', 'Mean', 'Conv2D', 'MaxPool', 'FusedBatchNorm']) {
        expect(tf.getKernel(kernel, backend), `${kernel} on ${backend}`).toBeDefined();
      }
    });

    it('tf.erf is within 1e-6 of the true erf on [-6, 6] and on the published values', async () => {
      const xs: number[] = [];
      for (let x = -6; x <= 6.0000001; x += 1 / 512) xs.push(x);
      for (const [x] of ERF_TABLE) xs.push(x, -x);
      const t = tf.tensor1d(xs);
      const e = tf.erf(t);
      const y = await e.data();
      tf.dispose([t, e]);
      let max = 0;
      xs.forEach((x, i) => {
        // Beyond |x| = 4, erf = ±1 to within 1.6e-8.
        const ref = Math.abs(x) <= 4 ? erfSeries(Math.fround(x)) : Math.sign(x);
        max = Math.max(max, Math.abs(y[i] - ref));
      });
      console.log(`[erf ${backend}] max |tf.erf − erf| = ${max.toExponential(2)}`);
      expect(max).toBeLessThan(1e-6);
    });

    it('gelu gives x·Φ(x) within 1e-6', async () => {
      const xs = [-3, -1, -0.5, 0, 0.5, 1, 3];
      const t = tf.tensor1d(xs);
      const g = gelu(t);
      const y = await g.data();
      tf.dispose([t, g]);
      xs.forEach((x, i) => expect(Math.abs(y[i] - x * 0.5 * (1 + erfSeries(x / Math.SQRT2)))).toBeLessThan(1e-6));
    });

    if (backend === 'wasm') {
      for (const c of cases) {
        it(`${c.name}: reference logits within ${LOGIT_ATOL} on wasm`, async () => {
          const m = build(c);
          importTorchWeights(m, new Uint8Array(readFileSync(fixturePath(c.weights))));
          const x = fixtureInput();
          const y = m.predict(x) as tf.Tensor;
          const { max } = maxAbsDiff(await y.data(), loadArray(c.output).data);
          console.log(`[transformer parity wasm] ${c.name}: max |logit error| = ${max.toExponential(2)}`);
          expect(max).toBeLessThanOrEqual(LOGIT_ATOL);
          tf.dispose([x, y]);
          m.dispose();
        });
      }

      it('50 predictions leave tf.memory().numTensors unchanged on wasm', () => {
        for (const m of [createViT({ patchSize: 7, numHeads: 2, numLayers: 2, embedDim: 72 }), createConvTransformer({ numHeads: 2, numLayers: 2, embedDim: 72 })]) {
          const x = tf.randomNormal([1, 16, 84, 1], 0, 1, 'float32', 2);
          tf.dispose(m.predict(x) as tf.Tensor);
          const before = tf.memory().numTensors;
          for (let i = 0; i < 50; i++) tf.dispose(m.predict(x) as tf.Tensor);
          expect(tf.memory().numTensors).toBe(before);
          x.dispose();
          m.dispose();
        }
      });
    }
  });
}

describe('cpu and wasm agree', () => {
  for (const c of cases) {
    it(`${c.name}: |cpu − wasm| ≤ ${BACKEND_ATOL} (first 160 frames of batch item 0)`, async () => {
      // The cpu conv front end is slow: a 160-frame cut keeps the file fast (the full input
      // is compared with the reference on cpu in models.transformer.test.ts).
      const weights = new Uint8Array(readFileSync(fixturePath(c.weights)));
      const logits: Float32Array[] = [];
      for (const backend of BACKENDS) {
        await tf.setBackend(backend);
        const m = build(c);
        importTorchWeights(m, weights);
        const x = fixtureInput(1, 160);
        const y = m.predict(x) as tf.Tensor;
        logits.push((await y.data()) as Float32Array);
        tf.dispose([x, y]);
        m.dispose();
      }
      const { max } = maxAbsDiff(logits[0], logits[1]);
      console.log(`[transformer cpu vs wasm] ${c.name}: max |diff| = ${max.toExponential(2)}`);
      expect(max).toBeLessThanOrEqual(BACKEND_ATOL);
    });
  }
});
