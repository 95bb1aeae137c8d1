/**
 * Segment datasets: fixed-length (400-frame) excerpts of spectrograms with their frame targets,
 * read by index in batches. TF-free; tensors are made by the training loop.
 */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { InfrequencyWeightsAccumulator } from './infrequencyWeights.js';
import { Rng, shuffledIndices } from './random.js';

/** Frames per training segment in the thesis (4 s at 100 fps). */
export const SEGMENT_FRAMES = 400;

/** Some segments, frame-major, packed one after the other. */
export interface SegmentBatch {
  /** Number of segments. */
  size: number;
  /** Features [size, frames, bins], row-major. */
  features: Float32Array;
  /** Targets [size, frames, classes], row-major (values 0, 0.5, 1). */
  targets: Float32Array;
}

/**
 * A collection of training segments readable by index. Implemented in memory
 * ({@link InMemorySegmentDataset}) and on disk (`openShardedDataset` in `adtkit/train`, Node).
 */
export interface SegmentDataset {
  /** Number of segments. */
  readonly length: number;
  /** Frames per segment. */
  readonly frames: number;
  /** Features per frame (filterbank bins). */
  readonly bins: number;
  /** Classes per frame. */
  readonly classes: number;
  /**
   * Reads segments in the given order.
   * @param indices - segment indices in [0, length).
   */
  read(indices: readonly number[]): Promise<SegmentBatch>;
}

/** One segment: features [frames, bins] and targets [frames, classes]. */
export interface Segment {
  features: Float32Array;
  targets: Float32Array;
}

/** Shape of the segments of a dataset. */
export interface SegmentShape {
  /** Frames per segment. @defaultValue 400 */
  frames?: number;
  /** Features per frame. */
  bins: number;
  /** Classes per frame. */
  classes: number;
}

/** Checks one segment against a shape; used by every dataset builder. @internal */
export function checkSegment(segment: Segment, frames: number, bins: number, classes: number, where: string): void {
  if (!(segment.features instanceof Float32Array) || segment.features.length !== frames * bins) {
    throw new ShapeError(`${where}: features hold ${segment.features?.length} values, expected ${frames} frames × ${bins} bins = ${frames * bins}`, { field: 'features' });
  }
  if (!(segment.targets instanceof Float32Array) || segment.targets.length !== frames * classes) {
    throw new ShapeError(`${where}: targets hold ${segment.targets?.length} values, expected ${frames} frames × ${classes} classes = ${frames * classes}`, { field: 'targets' });
  }
}

/** Checks indices given to `read`. @internal */
export function checkIndices(indices: readonly number[], length: number): void {
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= length) {
      throw new InvalidArgumentError(`segment index ${i} is out of range: the dataset has ${length} segments`, { field: 'indices' });
    }
  }
}

/** Segments held in memory (one Float32Array per segment and kind). */
export class InMemorySegmentDataset implements SegmentDataset {
  readonly frames: number;
  readonly bins: number;
  readonly classes: number;
  private readonly segments: Segment[] = [];

  /**
   * @param shape - frames, bins and classes of every segment.
   * @param segments - initial segments (more can be added with {@link InMemorySegmentDataset.add}).
   * @throws ShapeError when a segment does not have the stated shape.
   */
  constructor(shape: SegmentShape, segments: Iterable<Segment> = []) {
    this.frames = shape.frames ?? SEGMENT_FRAMES;
    this.bins = shape.bins;
    this.classes = shape.classes;
    for (const [name, v] of [['frames', this.frames], ['bins', this.bins], ['classes', this.classes]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got ${v}`, { field: name });
    }
    for (const s of segments) this.add(s);
  }

  get length(): number {
    return this.segments.length;
  }

  /** Appends one segment (kept by reference). */
  add(segment: Segment): void {
    checkSegment(segment, this.frames, this.bins, this.classes, `segment ${this.segments.length}`);
    this.segments.push(segment);
  }

  /** Segment `i` (by reference). */
  get(i: number): Segment {
    checkIndices([i], this.length);
    return this.segments[i];
  }

  async read(indices: readonly number[]): Promise<SegmentBatch> {
    return this.readSync(indices);
  }

  /** Synchronous form of `read`. */
  readSync(indices: readonly number[]): SegmentBatch {
    checkIndices(indices, this.length);
    const fx = this.frames * this.bins;
    const fy = this.frames * this.classes;
    const features = new Float32Array(indices.length * fx);
    const targets = new Float32Array(indices.length * fy);
    indices.forEach((idx, k) => {
      features.set(this.segments[idx].features, k * fx);
      targets.set(this.segments[idx].targets, k * fy);
    });
    return { size: indices.length, features, targets };
  }
}

/** Options of {@link batchIndices}. */
export interface BatchIndicesOptions {
  /** Segments per batch. @defaultValue 128 (the thesis) */
  batchSize?: number;
  /** Shuffle the order with `rng` (required when true). @defaultValue false */
  shuffle?: boolean;
  /** Generator for the shuffle. */
  rng?: Rng;
  /** Drop a last batch smaller than `batchSize`. @defaultValue false (PyTorch's DataLoader default) */
  dropLast?: boolean;
}

/**
 * Splits `0 .. length-1` into batches, optionally in a seeded random order.
 * @param length - number of segments.
 * @param options - see {@link BatchIndicesOptions}.
 * @returns one index list per batch.
 * @throws InvalidArgumentError for a non-positive batch size or `shuffle` without `rng`.
 */
export function batchIndices(length: number, options: BatchIndicesOptions = {}): number[][] {
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new InvalidArgumentError(`batchSize must be a positive integer, got ${batchSize}`, { field: 'batchSize' });
  }
  if (options.shuffle === true && options.rng === undefined) {
    throw new InvalidArgumentError('batchIndices: shuffle needs an rng (new Rng(seed))', { field: 'rng' });
  }
  const order = options.shuffle === true ? shuffledIndices(length, options.rng as Rng) : Array.from({ length }, (_, i) => i);
  const batches: number[][] = [];
  for (let start = 0; start < length; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    if (batch.length < batchSize && options.dropLast === true) break;
    batches.push(batch);
  }
  return batches;
}

/**
 * Visits every segment of a dataset in order, `chunkSize` at a time, in bounded memory.
 * @param dataset - the dataset.
 * @param chunkSize - segments per read. @defaultValue 64
 */
export async function* iterateDataset(dataset: SegmentDataset, chunkSize = 64): AsyncGenerator<SegmentBatch> {
  for (let start = 0; start < dataset.length; start += chunkSize) {
    const indices = Array.from({ length: Math.min(chunkSize, dataset.length - start) }, (_, k) => start + k);
    yield await dataset.read(indices);
  }
}

/**
 * Infrequency weights of a whole dataset, streamed in chunks (SPEC §5).
 * @param dataset - the training set.
 * @returns one weight per class.
 */
export async function datasetInfrequencyWeights(dataset: SegmentDataset): Promise<Float32Array> {
  const acc = new InfrequencyWeightsAccumulator(dataset.classes);
  for await (const batch of iterateDataset(dataset)) acc.add(batch.targets);
  return acc.weights();
}
