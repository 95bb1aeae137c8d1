/** Small timing helpers shared by the benchmarks. */
import { performance } from 'node:perf_hooks';

export interface Timing {
  /** Median wall time of one call [s]. */
  medianSeconds: number;
  minSeconds: number;
  runs: number;
}

/** Times `fn` after `warmup` untimed calls; returns median and minimum. */
export async function time(fn: () => unknown | Promise<unknown>, options: { runs?: number; warmup?: number } = {}): Promise<Timing> {
  const runs = options.runs ?? 5;
  const warmup = options.warmup ?? 1;
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { medianSeconds: samples[Math.floor(samples.length / 2)], minSeconds: samples[0], runs };
}
