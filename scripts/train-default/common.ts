/**
 * Shared pieces of the default-model scripts (not shipped): the synthetic data split, the
 * per-example segment cache, and a dataset that concatenates cached examples.
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_MAPPING } from '../../src/io/index.js';
import { openShardedDataset, writeExampleShards, type SegmentBatch, type SegmentDataset, type ShardedSegmentDataset } from '../../src/train/index.js';

/** Every tenth example (index % 10 === 9) is validation; the split depends only on the index. */
export const VALIDATION_MODULUS = 10;
export const VALIDATION_REMAINDER = 9;

/** Segment options of the default model: thesis preset at 44.1 kHz, 400 frames, widening radius 1. */
export const SEGMENT_OPTIONS = { preset: 'thesis' as const, sampleRate: 44100, mapping: DEFAULT_MAPPING, segmentFrames: 400, widening: { radius: 1 } };

export interface SynthExample {
  index: number;
  id: string;
  wav: string;
  txt: string;
  json: string;
}

/** Examples whose rendering is complete (`NNNNN.json` is written last), sorted by index. */
export function listSynthExamples(dataDir: string): SynthExample[] {
  return readdirSync(dataDir)
    .filter((f) => /^\d{5}\.json$/.test(f))
    .map((f) => f.slice(0, 5))
    .filter((id) => existsSync(join(dataDir, `${id}.wav`)) && existsSync(join(dataDir, `${id}.txt`)))
    .sort()
    .map((id) => ({ index: Number(id), id, wav: join(dataDir, `${id}.wav`), txt: join(dataDir, `${id}.txt`), json: join(dataDir, `${id}.json`) }));
}

/** Examples of one or several rendered directories (`dirs` comma-separated), sorted by index; indices must not repeat. */
export function listSynthDirectories(dirs: string): SynthExample[] {
  const examples = dirs.split(',').flatMap((dir) => listSynthExamples(dir.trim())).sort((a, b) => a.index - b.index);
  const duplicate = examples.find((e, i) => i > 0 && examples[i - 1].index === e.index);
  if (duplicate) throw new Error(`example ${duplicate.id} is in more than one of the directories ${dirs}`);
  return examples;
}

export function isValidation(index: number): boolean {
  return index % VALIDATION_MODULUS === VALIDATION_REMAINDER;
}

/** Caches the segments of one example under `cacheDir/NNNNN/` (written to a temp dir, then renamed). */
export async function cacheExample(cacheDir: string, example: SynthExample): Promise<string> {
  const dir = join(cacheDir, example.id);
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await writeExampleShards(tmp, [{ name: example.id, audio: example.wav, annotations: example.txt }], { ...SEGMENT_OPTIONS, segmentsPerShard: 64 });
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return dir;
}

/** Several datasets read as one (indices run through them in order). */
export class ConcatDataset implements SegmentDataset {
  readonly length: number;
  readonly frames: number;
  readonly bins: number;
  readonly classes: number;
  private readonly starts: number[] = [];

  constructor(readonly parts: SegmentDataset[]) {
    let n = 0;
    for (const p of parts) {
      this.starts.push(n);
      n += p.length;
    }
    this.length = n;
    this.frames = parts[0].frames;
    this.bins = parts[0].bins;
    this.classes = parts[0].classes;
  }

  locate(index: number): [number, number] {
    let lo = 0;
    let hi = this.parts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return [lo, index - this.starts[lo]];
  }

  async read(indices: readonly number[]): Promise<SegmentBatch> {
    const fx = this.frames * this.bins;
    const fy = this.frames * this.classes;
    const features = new Float32Array(indices.length * fx);
    const targets = new Float32Array(indices.length * fy);
    for (let k = 0; k < indices.length; k++) {
      const [part, local] = this.locate(indices[k]);
      const b = await this.parts[part].read([local]);
      features.set(b.features, k * fx);
      targets.set(b.targets, k * fy);
    }
    return { size: indices.length, features, targets };
  }
}

/**
 * A view of `subsetSize` segments of a dataset, redrawn by {@link EpochSubset.redraw} (called
 * once per epoch), so that an epoch is a seeded random sample of the training set.
 */
export class EpochSubset implements SegmentDataset {
  readonly frames: number;
  readonly bins: number;
  readonly classes: number;
  private map: number[] = [];

  constructor(readonly base: SegmentDataset, readonly length: number, private readonly seed: number) {
    this.frames = base.frames;
    this.bins = base.bins;
    this.classes = base.classes;
    this.redraw(0);
  }

  /** Draws the subset of epoch `epoch` (0-based): a seeded permutation's prefix, cycling. */
  redraw(epoch: number): void {
    const n = this.base.length;
    const perm = Array.from({ length: n }, (_, i) => i);
    let s = (this.seed * 2654435761 + 12345) >>> 0;
    const rand = () => {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    // Consecutive epochs take consecutive windows of one permutation, so every segment is seen
    // once before any is repeated.
    const start = (epoch * this.length) % n;
    this.map = Array.from({ length: this.length }, (_, k) => perm[(start + k) % n]);
  }

  read(indices: readonly number[]): Promise<SegmentBatch> {
    return this.base.read(indices.map((i) => this.map[i]));
  }
}

export async function openCached(cacheDir: string, examples: SynthExample[]): Promise<{ dataset: ConcatDataset; parts: ShardedSegmentDataset[] }> {
  const parts: ShardedSegmentDataset[] = [];
  for (const e of examples) parts.push(await openShardedDataset(join(cacheDir, e.id)));
  return { dataset: new ConcatDataset(parts), parts };
}

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}
