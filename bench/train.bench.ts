/**
 * Training-step time of CRNN(2 layers, 72, GRU) for a batch of 8 × 400 frames: forward,
 * weighted BCE, gradients, clipping and AdamW, per Node backend.
 *
 * - wasm: TF.js 4.22 cannot differentiate a convolution there (no Conv2DBackpropFilter); the
 *   step is timed with adtkit's opt-in `enableWasmTraining()`.
 * - cpu: a full step takes many minutes (see issue 6), so by default a reduced step
 *   (batch 1 × 100 frames) is timed and reported as such; ADTKIT_BENCH_CPU_FULL=1 times the
 *   full step.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { createCRNN } from '../src/models/index.js';
import { AdamW, clipGradientsByGlobalNorm, enableWasmTraining, weightedBceWithLogits, withSeededRandom } from '../src/train/index.js';
import { time } from './timing.js';

export const name = 'train';

interface StepResult {
  batch: number;
  frames: number;
  medianSeconds?: number;
  minSeconds?: number;
  runs?: number;
  firstStepSeconds?: number;
  note?: string;
  cannotTrain?: string;
}

async function stepTime(backend: string, batch: number, frames: number, runs: number): Promise<StepResult> {
  await tf.setBackend(backend);
  await tf.ready();
  const model = withSeededRandom(1, () => createCRNN({ numLayers: 2, hiddenSize: 72, cell: 'gru' }));
  const optimizer = new AdamW({ learningRate: 1e-3, weightDecay: 1e-2 });
  const x = withSeededRandom(2, () => tf.randomNormal([batch, frames, 84, 1]));
  const y = withSeededRandom(3, () => tf.cast(tf.greater(tf.randomUniform([batch, frames, 5]), 0.95), 'float32'));
  const weights = [8, 12, 30, 4, 20];
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const step = async () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => weightedBceWithLogits(model.apply(x, { training: true }) as tf.Tensor, y, weights), vars);
      optimizer.applyGradients(clipGradientsByGlobalNorm(grads, { maxNorm: 2 }).grads);
      return value;
    });
    await loss.data();
    loss.dispose();
  };
  try {
    const t0 = Date.now();
    await step();
    const firstStepSeconds = (Date.now() - t0) / 1000;
    const timing = await time(step, { runs, warmup: 0 });
    return { batch, frames, firstStepSeconds, ...timing };
  } catch (error) {
    return { batch, frames, cannotTrain: String((error as Error).message ?? error).slice(0, 300) };
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

export async function run(): Promise<object> {
  const results: Record<string, StepResult> = {};
  // Stock TF.js first (before the opt-in gradient is registered): the reason wasm cannot train.
  const stock = await stepTime('wasm', 1, 16, 1);
  enableWasmTraining();
  results.wasm = { ...(await stepTime('wasm', 8, 400, 3)), note: `with enableWasmTraining(); stock TF.js 4.22: ${stock.cannotTrain ?? 'trains'}` };
  if (process.env.ADTKIT_BENCH_CPU_FULL === '1') {
    results.cpu = await stepTime('cpu', 8, 400, 1);
  } else {
    results.cpu = { ...(await stepTime('cpu', 1, 100, 1)), note: 'reduced step (batch 1 × 100 frames): a batch 8 × 400 step takes many minutes on the cpu backend; ADTKIT_BENCH_CPU_FULL=1 times it' };
  }
  await tf.setBackend('cpu');
  return { model: 'CRNN(2, 72, GRU), 441k parameters', step: 'forward + weighted BCE + gradients + clip 2 + AdamW', results };
}
