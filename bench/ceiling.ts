/**
 * What any WebAssembly SIMD128 implementation could reach on this machine (issue 6): the
 * measured peak multiply-add rate of 128-bit float vectors, and the multiply-adds a forward
 * pass needs, so the bench can state a lower bound on the wasm/PyTorch ratio of each
 * architecture in the same run.
 *
 * Why a hand-written loop: the peak is a property of the CPU and the engine's code generator,
 * not of any library; 12 independent chains `acc = acc * y + c` keep both vector multiply
 * and both vector add pipes busy (a chain's latency is one multiply plus one add).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Worker } from 'node:worker_threads';
import wabtFactory from 'wabt';

const CHAINS = 12;
const LANES = 4;

/** The peak loop: `run(n)` performs n iterations of CHAINS vector multiply-adds. */
function peakWat(): string {
  const locals = Array.from({ length: CHAINS }, (_, i) => `(local $a${i} v128)`).join(' ');
  const init = Array.from({ length: CHAINS }, (_, i) => `(local.set $a${i} (f32x4.splat (f32.const ${(1 + i / 16).toFixed(4)})))`).join('\n    ');
  const body = Array.from({ length: CHAINS }, (_, i) => `(local.set $a${i} (f32x4.add (f32x4.mul (local.get $a${i}) (local.get $y)) (local.get $c)))`).join('\n      ');
  const sum = Array.from({ length: CHAINS - 1 }, (_, i) => `(local.set $a0 (f32x4.add (local.get $a0) (local.get $a${i + 1})))`).join('\n    ');
  return `(module
  (func (export "run") (param $n i32) (result f32)
    (local $y v128) (local $c v128) ${locals}
    (local.set $y (f32x4.splat (f32.const 0.999)))
    (local.set $c (f32x4.splat (f32.const 0.001)))
    ${init}
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      ${body}
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    ${sum}
    (f32x4.extract_lane 0 (local.get $a0))))`;
}

async function peakBytes(): Promise<Uint8Array> {
  const wabt = await wabtFactory();
  const module = wabt.parseWat('peak.wat', peakWat(), { simd: true });
  const { buffer } = module.toBinary({});
  module.destroy();
  return buffer;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const run = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes)).exports.run;
run(1e6);
parentPort.postMessage('ready');
parentPort.once('message', () => {
  const t0 = performance.now();
  const r = run(workerData.iterations);
  parentPort.postMessage({ seconds: (performance.now() - t0) / 1000, r });
});
`;

/**
 * Peak multiply-add rate of 128-bit float vectors on `threads` threads (one worker each, all
 * started together), in GMAC/s: the ceiling of any wasm SIMD128 float32 kernel here (wasm has
 * no wider vectors; relaxed-SIMD FMA has the same throughput as mul + add on CPUs with
 * separate multiply and add pipes).
 */
export async function wasmSimdPeakGmacPerSecond(threads: number, iterations = 60_000_000): Promise<number> {
  const bytes = await peakBytes();
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, workerData: { bytes, iterations } }));
  try {
    // Start the timed loops together, once every worker has compiled and warmed up.
    const message = (w: Worker) => new Promise<unknown>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await Promise.all(workers.map(message));
    const results = (await Promise.all(workers.map((w) => {
      const reply = message(w);
      w.postMessage('go');
      return reply;
    }))) as { seconds: number }[];
    const slowest = Math.max(...results.map((r) => r.seconds));
    return (threads * iterations * CHAINS * LANES) / slowest / 1e9;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Multiply-adds of one forward pass, by kind, counted from the kernels it runs. */
export interface ForwardMacs {
  /** Matrix products (dense layers, attention, recurrent input projections) and recurrent scans. */
  dense: number;
  /** Convolutions, counted as direct convolution (Winograd and FFT methods need fewer multiplies). */
  convolution: number;
}

const size = (shape: readonly number[] | undefined): number => (shape ?? []).reduce((a, b) => a * b, 1);

/**
 * Counts the multiply-adds of `run` from the kernels it executes on the current backend
 * (tf.profile): matrix products (elements of A times the output's columns), recurrent scans
 * (steps × rows × weight elements) and convolutions (output elements × filter taps × input
 * channels).
 */
export async function countForwardMacs(run: () => void | Promise<void>): Promise<ForwardMacs> {
  const profile = await tf.profile(async () => {
    await run();
    return [];
  });
  let dense = 0;
  let convolution = 0;
  for (const k of profile.kernels) {
    const inputs = k.inputShapes as number[][];
    const outputs = k.outputShapes as number[][];
    if (/^(_FusedMatMul|BatchMatMul|MatMul)$/.test(k.name)) {
      const out = outputs[0];
      dense += size(inputs[0]) * out[out.length - 1];
    } else if (/^Adt(GRU|LSTM)Scan(Pair)?$/.test(k.name)) {
      // Per direction: projections [T, rows, G·H] followed by the recurrent weights [H, G·H]
      // (the pair kernel takes both directions' inputs).
      for (let i = 0; i + 1 < inputs.length; i++) {
        if (inputs[i].length === 3 && inputs[i + 1].length === 2) dense += inputs[i][0] * inputs[i][1] * size(inputs[i + 1]);
      }
    } else if (/^(Conv2D|FusedConv2D)$/.test(k.name)) {
      const filter = inputs[1];
      convolution += size(outputs[0]) * (size(filter) / filter[filter.length - 1]);
    }
  }
  return { dense, convolution };
}
