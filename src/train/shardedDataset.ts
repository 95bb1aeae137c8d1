/**
 * Disk-backed segment dataset: segments written once into binary shards, then read back by
 * index a batch at a time, so data larger than memory trains in bounded memory.
 *
 * Node only: `node:fs` is imported dynamically on first use, so importing `adtkit/train` in a
 * browser stays possible (these two functions then fail with an IO_ERROR).
 *
 * Layout of a shard directory:
 * - `manifest.json`: `{ format: "adtkit-segments", version: 1, frames, bins, classes, length,
 *   segmentsPerShard, shards: [{ file, segments }] }`;
 * - `shard-00000.bin`, ...: per segment, features [frames, bins] then targets [frames, classes],
 *   float32 little-endian, no header.
 */
import { AdtError, CorruptFileError, InvalidArgumentError } from '../errors.js';
import { SEGMENT_FRAMES, checkIndices, checkSegment } from './dataset.js';
import type { Segment, SegmentBatch, SegmentDataset, SegmentShape } from './dataset.js';
import { nodeFs, nodePath } from '../nodeBuiltins.js';

/** Manifest of a shard directory. */
export interface ShardManifest {
  format: 'adtkit-segments';
  version: 1;
  frames: number;
  bins: number;
  classes: number;
  /** Number of segments. */
  length: number;
  /** Segments per shard (all shards but the last are full). */
  segmentsPerShard: number;
  shards: Array<{ file: string; segments: number }>;
}

/** Options of {@link writeSegmentShards}. */
export interface WriteSegmentShardsOptions extends SegmentShape {
  /** Segments per shard file. @defaultValue 256 (about 36 MB for 84 bins) */
  segmentsPerShard?: number;
}

type FsPromises = typeof import('node:fs/promises');
type FileHandle = import('node:fs/promises').FileHandle;

async function nodeModules(): Promise<{ fs: FsPromises; join: (...p: string[]) => string }> {
  try {
    const fs = await nodeFs('adtkit/train');
    const path = await nodePath('adtkit/train');
    return { fs, join: path.join };
  } catch (cause) {
    throw new AdtError('IO_ERROR', 'disk-backed datasets need Node.js (node:fs is not available here); use InMemorySegmentDataset instead', { cause });
  }
}

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new AdtError('IO_ERROR', 'segment shards are little-endian; this big-endian platform is not supported');
  }
}

const MANIFEST = 'manifest.json';

/**
 * Writes segments into shard files under `directory` (created if missing), streaming: at most
 * one segment is held by this function at a time.
 *
 * @param directory - output directory; an existing manifest there is overwritten.
 * @param segments - the segments, from any (async) iterable (e.g. a generator that computes
 *   spectrograms file by file).
 * @param options - segment shape and shard size.
 * @returns the manifest written.
 * @throws ShapeError when a segment does not match the shape; AdtError IO_ERROR outside Node.
 */
export async function writeSegmentShards(
  directory: string,
  segments: Iterable<Segment> | AsyncIterable<Segment>,
  options: WriteSegmentShardsOptions,
): Promise<ShardManifest> {
  assertLittleEndian();
  const { fs, join } = await nodeModules();
  const frames = options.frames ?? SEGMENT_FRAMES;
  const { bins, classes } = options;
  const perShard = options.segmentsPerShard ?? 256;
  for (const [name, v] of [['frames', frames], ['bins', bins], ['classes', classes], ['segmentsPerShard', perShard]] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got ${v}`, { field: name });
  }
  await fs.mkdir(directory, { recursive: true });
  const manifest: ShardManifest = { format: 'adtkit-segments', version: 1, frames, bins, classes, length: 0, segmentsPerShard: perShard, shards: [] };
  let handle: FileHandle | null = null;
  try {
    for await (const segment of segments as AsyncIterable<Segment>) {
      checkSegment(segment, frames, bins, classes, `segment ${manifest.length}`);
      let shard = manifest.shards[manifest.shards.length - 1];
      if (shard === undefined || shard.segments === perShard) {
        if (handle !== null) await handle.close();
        shard = { file: `shard-${String(manifest.shards.length).padStart(5, '0')}.bin`, segments: 0 };
        manifest.shards.push(shard);
        handle = await fs.open(join(directory, shard.file), 'w');
      }
      const h = handle as FileHandle;
      await h.write(new Uint8Array(segment.features.buffer, segment.features.byteOffset, segment.features.byteLength));
      await h.write(new Uint8Array(segment.targets.buffer, segment.targets.byteOffset, segment.targets.byteLength));
      shard.segments += 1;
      manifest.length += 1;
    }
  } finally {
    if (handle !== null) await handle.close();
  }
  await fs.writeFile(join(directory, MANIFEST), JSON.stringify(manifest, null, 1));
  return manifest;
}

/** A dataset read from shard files; call {@link ShardedSegmentDataset.close} when done. */
export class ShardedSegmentDataset implements SegmentDataset {
  readonly frames: number;
  readonly bins: number;
  readonly classes: number;
  readonly length: number;
  private readonly handles = new Map<number, FileHandle>();

  /** Use {@link openShardedDataset}. @internal */
  constructor(
    readonly directory: string,
    readonly manifest: ShardManifest,
    private readonly fs: FsPromises,
    private readonly join: (...p: string[]) => string,
  ) {
    this.frames = manifest.frames;
    this.bins = manifest.bins;
    this.classes = manifest.classes;
    this.length = manifest.length;
  }

  private async handle(shard: number): Promise<FileHandle> {
    let h = this.handles.get(shard);
    if (h === undefined) {
      h = await this.fs.open(this.join(this.directory, this.manifest.shards[shard].file), 'r');
      this.handles.set(shard, h);
    }
    return h;
  }

  async read(indices: readonly number[]): Promise<SegmentBatch> {
    checkIndices(indices, this.length);
    const fx = this.frames * this.bins;
    const fy = this.frames * this.classes;
    const recordBytes = (fx + fy) * 4;
    const features = new Float32Array(indices.length * fx);
    const targets = new Float32Array(indices.length * fy);
    const record = new Uint8Array(recordBytes);
    const floats = new Float32Array(record.buffer);
    // Read in file order for locality; place each segment at its requested position.
    const order = indices.map((idx, k) => ({ idx, k })).sort((a, b) => a.idx - b.idx);
    for (const { idx, k } of order) {
      const shard = Math.floor(idx / this.manifest.segmentsPerShard);
      const position = (idx % this.manifest.segmentsPerShard) * recordBytes;
      const h = await this.handle(shard);
      const { bytesRead } = await h.read(record, 0, recordBytes, position);
      if (bytesRead !== recordBytes) {
        throw new CorruptFileError(`${this.manifest.shards[shard].file}: segment ${idx} is truncated (${bytesRead} of ${recordBytes} bytes at offset ${position})`, { file: this.join(this.directory, this.manifest.shards[shard].file), offset: position });
      }
      features.set(floats.subarray(0, fx), k * fx);
      targets.set(floats.subarray(fx), k * fy);
    }
    return { size: indices.length, features, targets };
  }

  /** Closes the open shard files. */
  async close(): Promise<void> {
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map((h) => h.close()));
  }
}

/**
 * Opens a shard directory written by {@link writeSegmentShards}.
 * @param directory - the directory holding `manifest.json`.
 * @returns the dataset (file handles open lazily; close it when done).
 * @throws CorruptFileError for a missing or malformed manifest or shard sizes that disagree
 *   with it; AdtError IO_ERROR outside Node.
 */
export async function openShardedDataset(directory: string): Promise<ShardedSegmentDataset> {
  assertLittleEndian();
  const { fs, join } = await nodeModules();
  const manifestPath = join(directory, MANIFEST);
  let manifest: ShardManifest;
  try {
    manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8')) as ShardManifest;
  } catch (cause) {
    throw new CorruptFileError(`${manifestPath}: cannot read the shard manifest (${(cause as Error).message}); was the directory written by writeSegmentShards?`, { file: manifestPath, cause });
  }
  if (manifest.format !== 'adtkit-segments' || manifest.version !== 1 || !Array.isArray(manifest.shards)) {
    throw new CorruptFileError(`${manifestPath}: not an adtkit segment manifest (format ${JSON.stringify(manifest.format)}, version ${JSON.stringify(manifest.version)})`, { file: manifestPath });
  }
  const recordBytes = manifest.frames * (manifest.bins + manifest.classes) * 4;
  let total = 0;
  for (const [i, shard] of manifest.shards.entries()) {
    const path = join(directory, shard.file);
    const size = (await fs.stat(path)).size;
    if (size !== shard.segments * recordBytes) {
      throw new CorruptFileError(`${path}: ${size} bytes, the manifest says ${shard.segments} segments × ${recordBytes} bytes = ${shard.segments * recordBytes}`, { file: path });
    }
    if (i < manifest.shards.length - 1 && shard.segments !== manifest.segmentsPerShard) {
      throw new CorruptFileError(`${path}: ${shard.segments} segments in a non-final shard, expected ${manifest.segmentsPerShard}`, { file: path });
    }
    total += shard.segments;
  }
  if (total !== manifest.length) {
    throw new CorruptFileError(`${manifestPath}: shards hold ${total} segments, the manifest says ${manifest.length}`, { file: manifestPath });
  }
  return new ShardedSegmentDataset(directory, manifest, fs, join);
}
