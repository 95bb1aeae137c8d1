import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InMemorySegmentDataset,
  Rng,
  batchIndices,
  datasetInfrequencyWeights,
  deriveSeed,
  fitDatasetStandardization,
  infrequencyWeights,
  openShardedDataset,
  shuffledIndices,
  writeSegmentShards,
  type Segment,
} from '../src/train/index.js';
import { AdtError } from '../src/errors.js';
import { fitStandardization } from '../src/dsp/index.js';

const shape = { frames: 10, bins: 4, classes: 3 };

function segments(count: number, seed: number): Segment[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => ({
    features: Float32Array.from({ length: shape.frames * shape.bins }, () => rng.nextNormal() * 2 + 1),
    targets: Float32Array.from({ length: shape.frames * shape.classes }, () => [0, 0, 0, 0.5, 1][rng.nextInt(5)]),
  }));
}

function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'adtkit-ds-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('random', () => {
  it('Rng is reproducible from its state and spreads values', () => {
    const a = new Rng(42);
    for (let i = 0; i < 5; i++) a.next();
    const b = Rng.fromState(a.getState());
    expect(Array.from({ length: 10 }, () => a.nextUint32())).toEqual(Array.from({ length: 10 }, () => b.nextUint32()));
    const hist = new Array(4).fill(0);
    const r = new Rng(1);
    for (let i = 0; i < 4000; i++) hist[r.nextInt(4)]++;
    for (const h of hist) expect(Math.abs(h - 1000)).toBeLessThan(120);
    expect(deriveSeed(1, 2)).not.toBe(deriveSeed(2, 1));
    expect(shuffledIndices(10, new Rng(3)).slice().sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(() => new Rng(1.5)).toThrowError(/seed must be an integer/);
  });

  it('batchIndices: sizes, seeded order, dropLast, errors', () => {
    expect(batchIndices(5, { batchSize: 2 })).toEqual([[0, 1], [2, 3], [4]]);
    expect(batchIndices(5, { batchSize: 2, dropLast: true })).toEqual([[0, 1], [2, 3]]);
    const a = batchIndices(20, { batchSize: 8, shuffle: true, rng: new Rng(7) });
    const b = batchIndices(20, { batchSize: 8, shuffle: true, rng: new Rng(7) });
    const c = batchIndices(20, { batchSize: 8, shuffle: true, rng: new Rng(8) });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(() => batchIndices(5, { batchSize: 0 })).toThrowError(/batchSize must be a positive integer, got 0/);
    expect(() => batchIndices(5, { shuffle: true })).toThrowError(/needs an rng/);
  });
});

describe('InMemorySegmentDataset', () => {
  it('reads batches in the requested order and validates shapes and indices', async () => {
    const segs = segments(5, 1);
    const ds = new InMemorySegmentDataset(shape, segs);
    const batch = await ds.read([3, 0]);
    expect(batch.size).toBe(2);
    expect(Array.from(batch.features.subarray(0, 40))).toEqual(Array.from(segs[3].features));
    expect(Array.from(batch.targets.subarray(30))).toEqual(Array.from(segs[0].targets));
    await expect(ds.read([5])).rejects.toThrowError(/segment index 5 is out of range: the dataset has 5 segments/);
    expect(() => ds.add({ features: new Float32Array(39), targets: new Float32Array(30) })).toThrowError(/features hold 39 values, expected 10 frames × 4 bins = 40/);
  });
});

describe('disk-backed shards', () => {
  it('round-trips segments across shards and streams batches', () =>
    withDir(async (dir) => {
      const segs = segments(11, 2);
      async function* gen() { for (const s of segs) yield s; }
      const manifest = await writeSegmentShards(dir, gen(), { ...shape, segmentsPerShard: 4 });
      expect(manifest.length).toBe(11);
      expect(manifest.shards.map((s) => s.segments)).toEqual([4, 4, 3]);
      const ds = await openShardedDataset(dir);
      try {
        expect([ds.length, ds.frames, ds.bins, ds.classes]).toEqual([11, 10, 4, 3]);
        const order = [10, 0, 5, 4, 3];
        const batch = await ds.read(order);
        const mem = new InMemorySegmentDataset(shape, segs).readSync(order);
        expect(Array.from(batch.features)).toEqual(Array.from(mem.features));
        expect(Array.from(batch.targets)).toEqual(Array.from(mem.targets));
        // the same statistics as in memory
        expect(await datasetInfrequencyWeights(ds)).toEqual(infrequencyWeights(segs.map((s) => ({ data: s.targets, classes: 3 }))));
      } finally {
        await ds.close();
      }
    }));

  it('reports a truncated shard and a missing manifest with typed errors', () =>
    withDir(async (dir) => {
      await writeSegmentShards(dir, segments(3, 3), { ...shape, segmentsPerShard: 2 });
      truncateSync(join(dir, 'shard-00001.bin'), 100);
      const err = await openShardedDataset(dir).catch((e) => e);
      expect(err).toBeInstanceOf(AdtError);
      expect(err.code).toBe('CORRUPT_FILE');
      expect(err.message).toMatch(/shard-00001\.bin: 100 bytes, the manifest says 1 segments/);
      const missing = await openShardedDataset(join(dir, 'nope')).catch((e) => e);
      expect(missing.code).toBe('CORRUPT_FILE');
      writeFileSync(join(dir, 'manifest.json'), '{"format":"other"}');
      await expect(openShardedDataset(dir)).rejects.toThrowError(/not an adtkit segment manifest/);
    }));
});

describe('standardization', () => {
  it('fits pooled statistics over the training set (like torch.std), streaming over chunks', async () => {
    const segs = segments(150, 4); // several chunks of 64
    const all = segs.flatMap((s) => Array.from(s.features));
    const mean = all.reduce((a, b) => a + b, 0) / all.length;
    const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / (all.length - 1));
    const ds = new InMemorySegmentDataset(shape, segs);
    const fitted = await fitDatasetStandardization(ds);
    expect(fitted.method).toBe('pooled');
    expect(fitted.count).toBe(all.length);
    expect(Math.abs(fitted.mean[0] - mean)).toBeLessThan(1e-12);
    expect(Math.abs(fitted.std[0] - std) / std).toBeLessThan(1e-12);
    // per band and the thesis method agree with dsp's fitStandardization on the whole set at once
    const matrices = segs.map((s) => ({ data: s.features, frames: shape.frames, bins: shape.bins }));
    for (const options of [{ perBand: true }, { method: 'thesis' as const }, { method: 'thesis' as const, perBand: true }]) {
      const streamed = await fitDatasetStandardization(ds, options);
      const whole = fitStandardization(matrices, options);
      expect(streamed.mean.length).toBe(whole.mean.length);
      streamed.mean.forEach((v, g) => expect(Math.abs(v - whole.mean[g])).toBeLessThan(1e-12));
      streamed.std.forEach((v, g) => expect(Math.abs(v - whole.std[g]) / whole.std[g]).toBeLessThan(1e-12));
      expect(streamed.count).toBe(whole.count);
    }
    const constant = new InMemorySegmentDataset(shape, [{ features: new Float32Array(40).fill(3), targets: new Float32Array(30) }, { features: new Float32Array(40).fill(3), targets: new Float32Array(30) }]);
    await expect(fitDatasetStandardization(constant)).rejects.toThrowError(/constant \(std 0\)/);
    await expect(fitDatasetStandardization(new InMemorySegmentDataset(shape))).rejects.toThrowError(/holds no segments/);
  });
});

describe('adtkit/train export list', () => {
  it('matches the snapshot (a small, deliberate public API)', async () => {
    const api = await import('../src/train/index.js');
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "ABSENT_CLASS_PROBABILITY",
        "AdamW",
        "EarlyStopping",
        "InMemorySegmentDataset",
        "InfrequencyWeightsAccumulator",
        "OPTIMIZER_SEARCH_SPACE",
        "RandomSampler",
        "ReduceLROnPlateau",
        "Rng",
        "SEGMENT_FRAMES",
        "ShardedSegmentDataset",
        "THESIS_SEARCH_SPACES",
        "TPESampler",
        "batchIndices",
        "bceWithLogits",
        "buildSegmentDataset",
        "clipGradientsByGlobalNorm",
        "datasetInfrequencyWeights",
        "deriveSeed",
        "directoryCheckpointStore",
        "enableWasmTraining",
        "exampleSegments",
        "fitDatasetStandardization",
        "hyperparameterSearch",
        "infrequencyWeights",
        "iterateDataset",
        "memoryCheckpointStore",
        "openShardedDataset",
        "sampleUniform",
        "segmentsFromExamples",
        "shuffledIndices",
        "thesisValidationScorer",
        "timestepWeights",
        "train",
        "unweightedBceWithLogits",
        "validateSearchSpace",
        "weightedBceWithLogits",
        "withSeededRandom",
        "writeExampleShards",
        "writeSegmentShards",
      ]
    `);
  });
});
