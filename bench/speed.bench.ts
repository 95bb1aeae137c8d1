/**
 * Speed against PyTorch on the same machine, in one run (issue 6): every figure is a ratio
 * TF.js / PyTorch measured by this bench.
 *
 * - PyTorch: bench/pytorch_reference.py (the thesis architectures in plain torch, 2 threads),
 *   in two passes (before and after the threaded wasm phase: its times drift up to 2x between
 *   runs on a shared VM, and the headline ratio takes each side's fastest run), run when a `python3` that imports torch is found (ADTKIT_BENCH_PYTHON picks one), skipped
 *   with the reason otherwise. Debian's python3-torch uses the system libblas.so.3; when the
 *   reference BLAS is the system default, PyTorch's dense and recurrent layers run ~10x slower
 *   than with OpenBLAS, so an OpenBLAS found on disk (the Debian libopenblas0-* directories, or
 *   ADTKIT_OPENBLAS_DIR) is put first on the child's LD_LIBRARY_PATH. The BLAS used and its
 *   matrix-product throughput are reported. OMP_WAIT_POLICY defaults to PASSIVE for the child:
 *   with spinning OpenMP threads on a busy 2-core machine PyTorch's GRU runs 30x slower.
 * - TF.js wasm: forward (predict) of the five default architectures and CRNN(2, 72, GRU), batch
 *   8 × 400 frames, and a training step of CRNN(2, 72, GRU) (forward in training mode, weighted
 *   BCE, gradients, clipping at 2, AdamW; stock TF.js 4.22 cannot run it on wasm): first on
 *   the threaded wasm backend (enableWasmThreads, ADTKIT_BENCH_WASM_THREADS threads, default 2
 *   like PyTorch) with adtkit's kernels (enableWasmTraining), then on the stock single-threaded
 *   backend with adtkit's kernels and with the stock kernels.
 * - TF.js cpu: forward of CRNN(2, 72, GRU) only (the others take minutes); its training step
 *   is not timed (the cpu Conv2DBackpropFilter alone takes > 10 min for this batch).
 * - Transcription of 3 minutes of audio on the threaded wasm backend (spectrogram and peak
 *   picking included), as a real-time factor: the default CRNN (random weights) and the
 *   built-in model (models/default).
 * Env: ADTKIT_BENCH_SPEED_RUNS (timed runs, default 3), ADTKIT_BENCH_SPEED_CPU=0 (skip cpu),
 * ADTKIT_BENCH_WASM_THREADS (default 2), ADTKIT_BENCH_PYTHON, ADTKIT_OPENBLAS_DIR.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createCNN,
  createConvTransformer,
  createCRNN,
  createRNN,
  createViT,
  disableWasmThreads,
  disableWasmTraining,
  enableWasmThreads,
  enableWasmTraining,
  wasmThreadsCount,
} from '../src/models/index.js';
import { AdamW, clipGradientsByGlobalNorm, weightedBceWithLogits, withSeededRandom } from '../src/train/index.js';
import { countForwardMacs, wasmSimdPeakGmacPerSecond, type ForwardMacs } from './ceiling.js';
import { time, type Timing } from './timing.js';

export const name = 'speed';

const BATCH = 8;
const FRAMES = 400;
const TRAIN_ARCHITECTURE = 'CRNN(2, 72, GRU)';
const here = dirname(fileURLToPath(import.meta.url));

const architectures: Array<{ id: string; build: () => LayersModel }> = [
  { id: 'RNN(3, 288, GRU)', build: () => createRNN() },
  { id: 'CNN(2, 2, 288)', build: () => createCNN() },
  { id: 'CRNN(3, 288, GRU)', build: () => createCRNN() },
  { id: 'ConvTransformer(6, 5, 576)', build: () => createConvTransformer() },
  { id: 'ViT(21, 6, 5, 576)', build: () => createViT() },
  { id: TRAIN_ARCHITECTURE, build: () => createCRNN({ numLayers: 2, hiddenSize: 72, cell: 'gru' }) },
];

interface TorchTiming { trainableParams: number; medianSeconds: number; minSeconds: number; runs: number }
interface TorchResult {
  torch: string;
  threads: number;
  blasLibraries: string[];
  gemmGMACperSecond: number;
  forward: Record<string, TorchTiming>;
  trainStep?: TorchTiming & { architecture: string; step: string };
}

function envInt(key: string, fallback: number): number {
  const v = Number(process.env[key]);
  return Number.isInteger(v) && v > 0 ? v : fallback;
}

const OPENBLAS_DIRS = [
  '/usr/lib/x86_64-linux-gnu/openblas-pthread',
  '/usr/lib/x86_64-linux-gnu/openblas-openmp',
  '/usr/lib/aarch64-linux-gnu/openblas-pthread',
  '/usr/lib/aarch64-linux-gnu/openblas-openmp',
];

/** Runs bench/pytorch_reference.py, or says why it cannot. */
function runPytorch(runs: number): { result?: TorchResult; python?: string; openblasDir?: string; skipped?: string; warning?: string } {
  const candidates = [process.env.ADTKIT_BENCH_PYTHON, 'python3', '/usr/bin/python3', 'python'].filter((p): p is string => !!p);
  const python = candidates.find((p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0);
  if (python === undefined) {
    return { skipped: `no Python that imports torch among ${candidates.join(', ')} (Debian: apt-get install python3-torch; or set ADTKIT_BENCH_PYTHON)` };
  }
  const openblasDir = [process.env.ADTKIT_OPENBLAS_DIR, ...OPENBLAS_DIRS].find((d) => d && existsSync(join(d, 'libblas.so.3')));
  // Idle OpenMP threads must sleep, not spin: on a shared machine a spinning partner thread
  // makes PyTorch's 2-thread GRU 30x slower (23 s instead of 0.6 s for RNN(3, 288) here).
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_WAIT_POLICY: process.env.OMP_WAIT_POLICY ?? 'PASSIVE' };
  if (openblasDir) env.LD_LIBRARY_PATH = [openblasDir, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const child = spawnSync(python, [join(here, 'pytorch_reference.py'), '--threads', '2', '--batch', String(BATCH), '--frames', String(FRAMES), '--runs', String(runs)], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (child.status !== 0) return { python, skipped: `pytorch_reference.py failed (${child.status}): ${(child.stderr ?? '').slice(-500)}` };
  const result = JSON.parse(child.stdout) as TorchResult;
  const reference = !result.blasLibraries.some((l) => /openblas|mkl/i.test(l));
  return {
    result,
    python,
    openblasDir,
    warning: reference
      ? `PyTorch ran on the reference BLAS (${result.gemmGMACperSecond} GMAC/s): its dense and recurrent layers are ~10x slower than with OpenBLAS, ` +
        'which flatters TF.js; install libopenblas0-pthread or set ADTKIT_OPENBLAS_DIR'
      : undefined,
  };
}

async function forwardTime(model: LayersModel, x: tf.Tensor, runs: number, warmup = 1): Promise<Timing> {
  return time(async () => {
    const y = model.predict(x) as tf.Tensor;
    await y.data();
    y.dispose();
  }, { runs, warmup });
}

async function trainStepTime(runs: number): Promise<Timing> {
  const model = withSeededRandom(1, () => createCRNN({ numLayers: 2, hiddenSize: 72, cell: 'gru' }));
  const optimizer = new AdamW({ learningRate: 1e-3, weightDecay: 1e-2 });
  const x = withSeededRandom(2, () => tf.randomNormal([BATCH, FRAMES, 84, 1]));
  const y = withSeededRandom(3, () => tf.cast(tf.greater(tf.randomUniform([BATCH, FRAMES, 5]), 0.95), 'float32'));
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    return await time(async () => {
      const loss = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => weightedBceWithLogits(model.apply(x, { training: true }) as tf.Tensor, y, [8, 12, 30, 4, 20]), vars);
        optimizer.applyGradients(clipGradientsByGlobalNorm(grads, { maxNorm: 2 }).grads);
        return value;
      });
      await loss.data();
      loss.dispose();
    }, { runs, warmup: 1 });
  } finally {
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  }
}

/** 3 minutes of stereo 44.1 kHz drum-like audio (decaying noise bursts and low tones). */
function syntheticAudio(seconds: number): { channels: Float32Array[]; sampleRate: number } {
  const sampleRate = 44100;
  const n = seconds * sampleRate;
  const left = new Float32Array(n);
  let seed = 7;
  const noise = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 31 - 1);
  for (let k = 0, at = 0; at < n; k++, at += 5512) {
    for (let i = 0; i < 6000 && at + i < n; i++) {
      const env = Math.exp(-i / (k % 4 === 0 ? 1500 : 600));
      left[at + i] += 0.5 * env * (k % 4 === 0 ? Math.sin((2 * Math.PI * 60 * i) / sampleRate) : noise());
    }
  }
  const right = left.map((v) => 0.8 * v);
  return { channels: [left, right], sampleRate };
}

async function transcriptionRealTimeFactor(runs: number, simdPeakThreads: number): Promise<Record<string, unknown>> {
  let mod: typeof import('../src/transcribe/index.js');
  try {
    mod = await import('../src/transcribe/index.js');
  } catch (error) {
    return { skipped: `src/transcribe not available: ${String((error as Error).message ?? error).slice(0, 200)}` };
  }
  const seconds = 180;
  const audio = syntheticAudio(seconds);
  const measure = async (bundle: Awaited<ReturnType<typeof mod.loadBundle>>, model: string): Promise<Record<string, unknown>> => {
    try {
      await mod.transcribe(syntheticAudio(2), { model: bundle });
      // Several runs: the fastest is the least disturbed by other load on a shared machine.
      const all: Array<Awaited<ReturnType<typeof mod.transcribe>>['timings']> = [];
      for (let i = 0; i < runs; i++) all.push((await mod.transcribe(audio, { model: bundle })).timings);
      all.sort((a, b) => a.totalSeconds - b.totalSeconds);
      const t = all[0];
      const macs = await countForwardMacs(async () => {
        await mod.transcribe(audio, { model: bundle });
      });
      const median = all[Math.floor(all.length / 2)];
      return {
        model,
        audioSeconds: seconds,
        batchSize: mod.TRANSCRIBE_BATCH_SIZE,
        runs,
        totalSeconds: t.totalSeconds,
        realTimeFactor: seconds / t.totalSeconds,
        medianRealTimeFactor: seconds / median.totalSeconds,
        seconds: { resample: t.resampleSeconds, spectrogram: t.spectrogramSeconds, model: t.modelSeconds, peakPicking: t.peakPickingSeconds },
        denseGMAC: round(macs.dense / 1e9),
        convolutionGMAC: round(macs.convolution / 1e9),
        // The fastest any wasm SIMD128 code could run the matrix products and scans alone.
        wasmPeakBoundRealTimeFactor: round(seconds / (macs.dense / 1e9 / simdPeakThreads)),
      };
    } finally {
      bundle.model.dispose();
    }
  };
  const defaultCrnn = await measure(
    mod.createBundle(createCRNN(), { license: 'none (random weights)', standardization: { mean: 0.3, std: 0.4 } }),
    'CRNN(3, 288, GRU) (default architecture), random weights',
  );
  const builtIn = await measure(await mod.loadBundle(join(here, '..', 'models', 'default')), 'built-in model (models/default)');
  return { ...defaultCrnn, builtInModel: builtIn };
}

const round = (v: number, digits = 3): number => Number(v.toPrecision(digits));

export async function run(): Promise<object> {
  const runs = envInt('ADTKIT_BENCH_SPEED_RUNS', 3);
  const threads = envInt('ADTKIT_BENCH_WASM_THREADS', 2);
  const torch = runPytorch(runs);
  // The ceiling of any wasm SIMD128 code here, measured while nothing else of the bench runs.
  const simdPeak = { oneThread: await wasmSimdPeakGmacPerSecond(1), threads: await wasmSimdPeakGmacPerSecond(threads) };
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));

  // Phase 1: wasm with `threads` XNNPACK threads (enableWasmThreads, as PyTorch's 2 threads)
  // and adtkit's kernels. enableWasmThreads must come before the backend's first start.
  // The input, made on cpu (wasm must not start before enableWasmThreads).
  await tf.setBackend('cpu');
  const xData = withSeededRandom(4, () => tf.tidy(() => tf.randomNormal([BATCH, FRAMES, 84, 1]).dataSync() as Float32Array));
  const wasmForward: Record<string, Timing> = {};
  const forwardMacs: Record<string, ForwardMacs> = {};
  let wasmTrain: Timing;
  let transcription: Record<string, unknown>;
  if (threads > 1) enableWasmThreads({ threads });
  enableWasmTraining();
  await tf.setBackend('wasm');
  await tf.ready();
  const actualThreads = wasmThreadsCount() ?? 1;
  {
    const xw = tf.tensor4d(xData, [BATCH, FRAMES, 84, 1]);
    for (const arch of architectures) {
      const model = arch.build();
      wasmForward[arch.id] = await forwardTime(model, xw, runs);
      forwardMacs[arch.id] = await countForwardMacs(() => tf.tidy(() => { (model.predict(xw) as tf.Tensor).dataSync(); }));
      model.dispose();
    }
    wasmTrain = await trainStepTime(runs);
    xw.dispose();
    transcription = await transcriptionRealTimeFactor(runs, simdPeak.threads);
  }

  // PyTorch again: its times drift by up to 2x between runs on a shared VM, so it gets a pass
  // before and after the threaded-wasm phase and the ratios use its best time of both.
  const torchAgain = torch.result ? runPytorch(runs) : torch;

  // Phase 2: the stock single-threaded wasm backend, with adtkit's kernels and without.
  disableWasmThreads();
  await tf.setBackend('wasm');
  const wasmSingleForward: Record<string, Timing> = {};
  const wasmStockForward: Record<string, Timing> = {};
  const xs = tf.tensor4d(xData, [BATCH, FRAMES, 84, 1]);
  for (const arch of architectures) {
    const model = arch.build();
    enableWasmTraining();
    wasmSingleForward[arch.id] = await forwardTime(model, xs, runs);
    disableWasmTraining();
    wasmStockForward[arch.id] = await forwardTime(model, xs, 1);
    model.dispose();
  }
  enableWasmTraining();
  const wasmSingleTrain = await trainStepTime(runs);
  xs.dispose();

  let cpuForward: Timing | { skipped: string };
  if (process.env.ADTKIT_BENCH_SPEED_CPU === '0') {
    cpuForward = { skipped: 'ADTKIT_BENCH_SPEED_CPU=0' };
  } else {
    await tf.setBackend('cpu');
    const xc = tf.tensor4d(xData, [BATCH, FRAMES, 84, 1]);
    const model = architectures.find((a) => a.id === TRAIN_ARCHITECTURE)!.build();
    cpuForward = await forwardTime(model, xc, 1, 0);
    model.dispose();
    xc.dispose();
  }
  await tf.setBackend('cpu');

  // Ratio table TF.js / PyTorch (< 1 means TF.js is faster). wasmRatio compares the fastest
  // run of each side (PyTorch: of both passes), the estimate least affected by other load;
  // wasmMedianRatio compares medians (PyTorch: the faster pass's median).
  const pt = torch.result;
  const pt2 = torchAgain.result;
  const best = (a: TorchTiming | undefined, b: TorchTiming | undefined): TorchTiming | undefined =>
    a === undefined ? b : b === undefined ? a : { ...a, minSeconds: Math.min(a.minSeconds, b.minSeconds), medianSeconds: Math.min(a.medianSeconds, b.medianSeconds), runs: a.runs + b.runs };
  const table: Record<string, Record<string, number | string>> = {};
  for (const arch of architectures) {
    const torchBest = best(pt?.forward[arch.id], pt2?.forward[arch.id]);
    const p = torchBest?.medianSeconds;
    const row: Record<string, number | string> = {
      wasmSeconds: round(wasmForward[arch.id].medianSeconds),
      wasmMinSeconds: round(wasmForward[arch.id].minSeconds),
      wasmSingleThreadSeconds: round(wasmSingleForward[arch.id].medianSeconds),
      wasmStockKernelsSeconds: round(wasmStockForward[arch.id].medianSeconds),
    };
    if (p !== undefined && torchBest !== undefined) {
      row.pytorchSeconds = round(p);
      row.pytorchMinSeconds = round(torchBest.minSeconds);
      if (pt2?.forward[arch.id] && pt?.forward[arch.id]) row.pytorchSecondPassOverFirst = round(pt2.forward[arch.id].medianSeconds / pt.forward[arch.id].medianSeconds);
      row.wasmRatio = round(wasmForward[arch.id].minSeconds / torchBest.minSeconds);
      row.wasmMedianRatio = round(wasmForward[arch.id].medianSeconds / p);
      row.wasmSingleThreadRatio = round(wasmSingleForward[arch.id].medianSeconds / p);
      row.wasmStockKernelsRatio = round(wasmStockForward[arch.id].medianSeconds / p);
    }
    // Lower bound of any wasm SIMD128 implementation: the matrix products and recurrent scans
    // alone at the measured vector peak (convolutions left out: fast algorithms cut their count).
    const macs = forwardMacs[arch.id];
    row.denseGMAC = round(macs.dense / 1e9);
    row.convolutionGMAC = round(macs.convolution / 1e9);
    row.wasmPeakBoundSeconds = round(macs.dense / 1e9 / simdPeak.threads);
    if (torchBest !== undefined) row.wasmPeakBoundRatio = round(macs.dense / 1e9 / simdPeak.threads / torchBest.minSeconds);
    if (arch.id === TRAIN_ARCHITECTURE && 'medianSeconds' in cpuForward) {
      row.cpuSeconds = round(cpuForward.medianSeconds);
      if (p !== undefined) row.cpuRatio = round(cpuForward.medianSeconds / p);
    }
    table[`forward ${arch.id}`] = row;
  }
  const trainBest = best(pt?.trainStep, pt2?.trainStep);
  const pTrain = trainBest?.medianSeconds;
  const trainRatio = trainBest !== undefined ? wasmTrain.minSeconds / trainBest.minSeconds : undefined;
  table[`train step ${TRAIN_ARCHITECTURE}`] = {
    wasmSeconds: round(wasmTrain.medianSeconds),
    wasmMinSeconds: round(wasmTrain.minSeconds),
    wasmSingleThreadSeconds: round(wasmSingleTrain.medianSeconds),
    wasmStockKernelsSeconds: 'cannot train (Conv2DBackpropFilter missing on wasm in TF.js 4.22)',
    cpuSeconds: 'not timed (cpu Conv2DBackpropFilter: > 10 min for 8 × 400 frames)',
    ...(pTrain !== undefined && trainBest !== undefined && trainRatio !== undefined
      ? {
          pytorchSeconds: round(pTrain), pytorchMinSeconds: round(trainBest.minSeconds),
          ...(pt?.trainStep && pt2?.trainStep ? { pytorchSecondPassOverFirst: round(pt2.trainStep.medianSeconds / pt.trainStep.medianSeconds) } : {}),
          wasmRatio: round(trainRatio), wasmMedianRatio: round(wasmTrain.medianSeconds / pTrain), wasmSingleThreadRatio: round(wasmSingleTrain.medianSeconds / pTrain),
        }
      : {}),
  };

  const rtf = typeof transcription.realTimeFactor === 'number' ? transcription.realTimeFactor : undefined;
  const builtIn = transcription.builtInModel as { realTimeFactor?: number } | undefined;
  const builtInRtf = typeof builtIn?.realTimeFactor === 'number' ? builtIn.realTimeFactor : undefined;
  return {
    batch: BATCH,
    frames: FRAMES,
    note:
      `ratios are TF.js / PyTorch wall times in this run (< 1: TF.js faster): wasmRatio = fastest run / fastest run (PyTorch: of two passes, before and ` +
      `after the threaded wasm phase), the other ratios compare medians; wasm: ${actualThreads} XNNPACK threads (enableWasmThreads), ` +
      'wasmSingleThread: the stock single-threaded wasm backend; PyTorch uses 2 threads',
    wasmThreads: actualThreads,
    ceiling: {
      wasmSimdPeakGMACperSecond: { oneThread: round(simdPeak.oneThread), [`${threads}Threads`]: round(simdPeak.threads) },
      note:
        'peak multiply-add rate of 128-bit float vectors (12 independent mul+add chains, bench/ceiling.ts): no wasm SIMD128 kernel can beat it. ' +
        'wasmPeakBoundRatio = (the forward pass\'s matrix-product and recurrent-scan multiply-adds at that peak) / fastest PyTorch run: ' +
        'where it exceeds 1, ratio <= 1 is out of reach of any WebAssembly implementation on this machine (PyTorch uses wider AVX2/AVX-512 vectors)',
    },
    pytorch: pt
      ? {
          python: torch.python, torch: pt.torch, threads: pt.threads, ompWaitPolicy: process.env.OMP_WAIT_POLICY ?? 'PASSIVE',
          blas: pt.blasLibraries, gemmGMACperSecond: pt.gemmGMACperSecond, openblasDir: torch.openblasDir ?? null, warning: torch.warning,
        }
      : { skipped: torch.skipped },
    table,
    goals: pt
      ? {
          inferenceEveryArchitectureRatioAtMost1: architectures.every((a) => (table[`forward ${a.id}`].wasmRatio as number) <= 1),
          trainStepWithin2x: trainRatio !== undefined && trainRatio <= 2,
          // Fastest of the runs; the default architecture CRNN(3, 288) and the built-in CRNN(2, 72).
          transcriptionAtLeast100xRealTime: {
            defaultArchitecture: rtf !== undefined && rtf >= 100,
            builtInModel: builtInRtf !== undefined && builtInRtf >= 100,
          },
        }
      : undefined,
    transcription,
    timings: {
      wasmForward, wasmSingleForward, wasmStockForward, wasmTrain, wasmSingleTrain, cpuForward,
      pytorch: pt ? { forward: pt.forward, trainStep: pt.trainStep } : undefined,
      pytorchSecondPass: pt2 ? { forward: pt2.forward, trainStep: pt2.trainStep } : undefined,
    },
  };
}
