/**
 * The frame-local split of a model (src/transcribe/frameLocalSplit.ts) that lets transcribe()
 * run the convolutional front end once per batch span: which models qualify, that the decoder
 * applied to the encoder equals the model, and that the encoder over any span extended by
 * `margin` frames gives exactly (bit for bit) the whole input's encoding on its interior, so
 * the batch grouping cannot change results (the streaming Transcriber's identity with
 * transcribe() rests on it; transcribe.stream.test.ts checks that end to end).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCNN, createConvTransformer, createCRNN, createRNN, createViT } from '../src/models/index.js';
import { frameLocalSplit } from '../src/transcribe/frameLocalSplit.js';

function values(length: number, seed: number): Float32Array {
  return Float32Array.from({ length }, (_, k) => Math.sin(k * 0.377 + seed) + 0.3 * Math.cos(k * 0.0131 * seed));
}

describe('frameLocalSplit', () => {
  beforeAll(() => {
    setWasmPaths(join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  });

  it('splits the convolutional front ends (CRNN, CNN, ConvTransformer) with a margin of one frame per 3×3 convolution, caches the split, and declines the others', async () => {
    await tf.setBackend('cpu');
    const crnn = createCRNN({ numLayers: 1, hiddenSize: 8, searchSpace: 'any' } as never);
    const topology = JSON.stringify(crnn.toJSON(null, false));
    const split = frameLocalSplit(crnn);
    // Splitting reuses the layers (new nodes in other models) but leaves the model's own graph as it was.
    expect(JSON.stringify(crnn.toJSON(null, false))).toBe(topology);
    expect(split).not.toBeNull();
    expect(split!.margin).toBe(4); // 2 blocks × 2 convolutions of height 3
    expect(frameLocalSplit(crnn)).toBe(split);
    const cnn = createCNN();
    const convTransformer = createConvTransformer();
    expect(frameLocalSplit(cnn)?.margin).toBe(4);
    expect(frameLocalSplit(convTransformer)?.margin).toBe(4);
    // No frame-local front end: a recurrent model and the ViT (patch embedding, no 'same' convolutions).
    const rnn = createRNN({ numLayers: 1, hiddenSize: 8, searchSpace: 'any' } as never);
    const vit = createViT();
    expect(frameLocalSplit(rnn)).toBeNull();
    expect(frameLocalSplit(vit)).toBeNull();
    for (const m of [crnn, cnn, convTransformer, rnn, vit]) m.dispose();
  });

  for (const backend of ['cpu', 'wasm']) {
    it(`${backend}: decoder(encoder(x)) equals the model, and a span's encoding equals the whole input's on its interior bit for bit`, async () => {
      await tf.setBackend(backend);
      const models = [createCRNN({ numLayers: 1, hiddenSize: 8, searchSpace: 'any' } as never), createCNN(), createConvTransformer()];
      for (const model of models) {
        const split = frameLocalSplit(model)!;
        const before = tf.memory().numTensors;
        const frames = 48;
        const x = tf.tensor4d(values(frames * 84, 3), [1, frames, 84, 1]);
        const whole = tf.tidy(() => split.encoder.predict(x) as tf.Tensor);
        const wholeRows = (await whole.data()) as Float32Array;
        const features = whole.shape[2] as number;
        // The model equals its two halves.
        const direct = tf.tidy(() => model.predict(x) as tf.Tensor);
        const composed = tf.tidy(() => split.decoder.predict(whole) as tf.Tensor);
        const a = (await direct.data()) as Float32Array;
        const b = (await composed.data()) as Float32Array;
        let worst = 0;
        for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
        expect(worst, model.name).toBeLessThan(1e-6);
        // Spans [s − margin, e + margin) of the input: rows [s, e) equal the whole encoding.
        for (const [s, e] of [[6, 20], [13, 40], [4, 44]]) {
          const span = tf.slice(x, [0, s - split.margin, 0, 0], [1, e - s + 2 * split.margin, 84, 1]);
          const encoded = tf.tidy(() => split.encoder.predict(span) as tf.Tensor);
          const rows = (await encoded.data()) as Float32Array;
          const interior = rows.subarray(split.margin * features, (split.margin + e - s) * features);
          expect(Array.from(interior), `${model.name} span ${s}..${e}`).toEqual(Array.from(wholeRows.subarray(s * features, e * features)));
          tf.dispose([span, encoded]);
        }
        tf.dispose([x, whole, direct, composed]);
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      }
    });
  }
});
