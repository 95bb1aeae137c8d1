/**
 * From (audio, annotation) pairs to training segments: decode → mono → (resample) →
 * log-filtered spectrogram padded to whole segments (any preset) → annotations mapped to
 * classes → frame targets → widening → 400-frame segments. Built on `adtkit/dsp` and
 * `adtkit/io`; streaming (one recording at a time), so the result can go straight to disk
 * shards.
 */
import { logFilteredSpectrogram, resample, segmentFrames } from '../dsp/index.js';
import type { LogFilteredSpectrogramOptions, SpectrogramPreset } from '../dsp/index.js';
import { InvalidArgumentError } from '../errors.js';
import {
  DEFAULT_MAPPING,
  decodeAudio,
  downmixToMono,
  eventsToTargets,
  parseMidiAnnotations,
  parseTextAnnotations,
  readAudioFile,
  widenTargets,
} from '../io/index.js';
import type { AudioData, ClassMapping, OutOfRangePolicy, WidenTargetsOptions } from '../io/index.js';
import type { DrumEvent } from '../types.js';
import { DEFAULT_FRAME_RATE } from '../types.js';
import { InMemorySegmentDataset, SEGMENT_FRAMES } from './dataset.js';
import type { Segment } from './dataset.js';
import { writeSegmentShards } from './shardedDataset.js';
import type { ShardManifest } from './shardedDataset.js';
import { nodeFs } from '../nodeBuiltins.js';

/** Annotations of one recording. */
export type AnnotationSource =
  /** Path of a text (`time label` lines) or MIDI (`.mid`, `.midi`) file (Node). */
  | string
  /** Text annotation content. */
  | { text: string | Uint8Array; file?: string }
  /** Standard MIDI file bytes. */
  | { midi: Uint8Array | ArrayBuffer; file?: string }
  /** Events already mapped to class indices. */
  | readonly DrumEvent[];

/** One recording with its annotations. */
export interface TrainingExample {
  /** Audio file path (Node), encoded file bytes (WAV, FLAC, MP3) or decoded audio. */
  audio: string | Uint8Array | AudioData;
  /** Its onsets. */
  annotations: AnnotationSource;
  /** Name used in messages and segment metadata. @defaultValue the audio path or `example <i>` */
  name?: string;
}

/** Options of {@link exampleSegments} and the builders using it. */
export interface BuildSegmentsOptions {
  /** Spectrogram preset. @defaultValue 'thesis' */
  preset?: SpectrogramPreset;
  /** Other spectrogram options (filterbank overrides, `compat: 'thesis'`). @defaultValue {} */
  spectrogram?: Omit<LogFilteredSpectrogramOptions, 'preset' | 'padToSegments' | 'segmentFrames'>;
  /** Sample rate the audio is resampled to first (the filter count depends on it); null keeps each file's rate. @defaultValue 44100 */
  sampleRate?: number | null;
  /** Label / pitch → class mapping. @defaultValue DEFAULT_MAPPING (KD, SD, TT, HH, CY) */
  mapping?: ClassMapping;
  /** Frames per segment. @defaultValue 400 */
  segmentFrames?: number;
  /** Frames between segment starts. @defaultValue `segmentFrames` (no overlap) */
  hopFrames?: number;
  /** Target widening; false disables it. @defaultValue radius 1, value 0.5 */
  widening?: WidenTargetsOptions | false;
  /** Onsets after the last frame. @defaultValue 'drop' */
  outOfRange?: OutOfRangePolicy;
  /** MIDI onset times as the thesis reads them (float32). @defaultValue 'float64' */
  midiTimePrecision?: 'float64' | 'float32';
  /** Receives warnings (dropped onsets, skipped labels). */
  onWarning?: (message: string) => void;
}

/** A segment with where it came from. */
export interface SourcedSegment extends Segment {
  /** Name of the recording. */
  source: string;
  /** Index of the segment within its recording. */
  segmentIndex: number;
  /** Frames of the segment that hold audio (the rest is padding). */
  validFrames: number;
}

async function readNodeFile(path: string): Promise<Uint8Array> {
  const fs = await nodeFs('adtkit/train');
  return new Uint8Array(await fs.readFile(path));
}

async function loadAudio(audio: TrainingExample['audio'], name: string): Promise<AudioData> {
  if (typeof audio === 'string') return readAudioFile(audio);
  if (audio instanceof Uint8Array) return decodeAudio(audio, { fileName: name });
  return audio;
}

async function loadEvents(source: AnnotationSource, mapping: ClassMapping, options: BuildSegmentsOptions, name: string): Promise<readonly DrumEvent[]> {
  const warn = (ws: readonly string[]) => ws.forEach((w) => options.onWarning?.(w));
  if (Array.isArray(source)) return source as readonly DrumEvent[];
  if (typeof source === 'string') {
    const bytes = await readNodeFile(source);
    if (/\.midi?$/i.test(source)) return loadEvents({ midi: bytes, file: source }, mapping, options, name);
    return loadEvents({ text: bytes, file: source }, mapping, options, name);
  }
  if ('text' in source) {
    const r = parseTextAnnotations(source.text, { mapping, file: source.file ?? `${name} annotations` });
    warn(r.warnings);
    return r.events;
  }
  if ('midi' in source) {
    const bytes = source.midi instanceof Uint8Array ? source.midi : new Uint8Array(source.midi);
    const r = parseMidiAnnotations(bytes, { mapping, file: source.file ?? `${name} annotations`, timePrecision: options.midiTimePrecision ?? 'float64' });
    if (r.unknownPitches.length > 0) {
      warn([`${source.file ?? name}: skipped notes of pitches the mapping does not list: ${r.unknownPitches.map((u) => `${u.pitch} (${u.count}×)`).join(', ')}`]);
    }
    return r.events;
  }
  throw new InvalidArgumentError(`${name}: annotations must be a path, { text }, { midi } or an event array`, { field: 'annotations' });
}

/**
 * Segments of one recording; see the module comment. The spectrogram is padded with silence
 * to whole segments (the thesis `readAudio`), and the last segment of a recording longer than
 * a multiple of `segmentFrames` is zero-padded by the segmentation.
 *
 * @param example - audio and annotations.
 * @param options - see {@link BuildSegmentsOptions}.
 * @returns the segments, features [frames, bins] and targets [frames, classes] each.
 * @throws whatever decoding and parsing throw (typed adtkit errors naming the file and line).
 */
export async function exampleSegments(example: TrainingExample, options: BuildSegmentsOptions = {}): Promise<SourcedSegment[]> {
  const name = example.name ?? (typeof example.audio === 'string' ? example.audio : 'example');
  const mapping = options.mapping ?? DEFAULT_MAPPING;
  const segmentLength = options.segmentFrames ?? SEGMENT_FRAMES;
  const hopFrames = options.hopFrames ?? segmentLength;
  const audio = await loadAudio(example.audio, name);
  let signal = downmixToMono(audio);
  let rate = audio.sampleRate;
  const targetRate = options.sampleRate === undefined ? 44100 : options.sampleRate;
  if (targetRate !== null && targetRate !== rate) {
    signal = resample(signal, rate, targetRate);
    rate = targetRate;
  }
  const spec = logFilteredSpectrogram(signal, rate, {
    ...(options.spectrogram ?? {}),
    preset: options.preset ?? 'thesis',
    padToSegments: true,
    segmentFrames: segmentLength,
  });
  const events = await loadEvents(example.annotations, mapping, options, name);
  let targets = eventsToTargets(events, {
    numFrames: spec.frames,
    classNames: mapping.classNames,
    // The thesis maps times to frames at the nominal 100 fps: round(t / 10 * 1000).
    frameRate: DEFAULT_FRAME_RATE,
    outOfRange: options.outOfRange ?? 'drop',
    onWarning: options.onWarning,
  });
  if (options.widening !== false) targets = widenTargets(targets, options.widening ?? {});
  const classes = mapping.classNames.length;
  const x = segmentFrames(spec, { segmentLength, hopFrames });
  const y = segmentFrames({ data: targets.data, frames: targets.frames, bins: classes }, { segmentLength, hopFrames });
  return x.segments.map((features, i) => ({
    features: features.slice(),
    targets: y.segments[i].slice(),
    source: name,
    segmentIndex: i,
    validFrames: x.validFramesPerSegment[i],
  }));
}

/** All segments of several recordings, one recording at a time. */
export async function* segmentsFromExamples(examples: Iterable<TrainingExample> | AsyncIterable<TrainingExample>, options: BuildSegmentsOptions = {}): AsyncGenerator<SourcedSegment> {
  for await (const example of examples as AsyncIterable<TrainingExample>) {
    for (const segment of await exampleSegments(example, options)) yield segment;
  }
}

function bins0(first: SourcedSegment | undefined, segmentLength: number): number {
  if (first === undefined) throw new InvalidArgumentError('no segments: the example list is empty', { field: 'examples' });
  return first.features.length / segmentLength;
}

/**
 * Builds an in-memory dataset from recordings.
 * @param examples - recordings with annotations.
 * @param options - see {@link BuildSegmentsOptions}.
 * @returns the dataset (and the source of each segment in `sources`).
 * @throws InvalidArgumentError for an empty list.
 */
export async function buildSegmentDataset(
  examples: Iterable<TrainingExample> | AsyncIterable<TrainingExample>,
  options: BuildSegmentsOptions = {},
): Promise<InMemorySegmentDataset & { sources: Array<{ source: string; segmentIndex: number; validFrames: number }> }> {
  const segmentLength = options.segmentFrames ?? SEGMENT_FRAMES;
  const classes = (options.mapping ?? DEFAULT_MAPPING).classNames.length;
  let dataset: InMemorySegmentDataset | null = null;
  const sources: Array<{ source: string; segmentIndex: number; validFrames: number }> = [];
  for await (const s of segmentsFromExamples(examples, options)) {
    dataset ??= new InMemorySegmentDataset({ frames: segmentLength, bins: bins0(s, segmentLength), classes });
    dataset.add({ features: s.features, targets: s.targets });
    sources.push({ source: s.source, segmentIndex: s.segmentIndex, validFrames: s.validFrames });
  }
  if (dataset === null) bins0(undefined, segmentLength);
  return Object.assign(dataset as InMemorySegmentDataset, { sources });
}

/**
 * Builds a disk-backed dataset from recordings (Node): segments are computed one recording at
 * a time and written to shards, so memory stays bounded by one recording.
 * @param directory - output directory (see `writeSegmentShards`).
 * @param examples - recordings with annotations.
 * @param options - segment options plus `segmentsPerShard`.
 * @returns the shard manifest; open it with `openShardedDataset(directory)`.
 */
export async function writeExampleShards(
  directory: string,
  examples: Iterable<TrainingExample> | AsyncIterable<TrainingExample>,
  options: BuildSegmentsOptions & { segmentsPerShard?: number } = {},
): Promise<ShardManifest> {
  const segmentLength = options.segmentFrames ?? SEGMENT_FRAMES;
  const classes = (options.mapping ?? DEFAULT_MAPPING).classNames.length;
  const iterator = segmentsFromExamples(examples, options);
  const first = await iterator.next();
  if (first.done === true) bins0(undefined, segmentLength);
  const bins = bins0(first.value as SourcedSegment, segmentLength);
  async function* all(): AsyncGenerator<Segment> {
    yield first.value as SourcedSegment;
    yield* iterator;
  }
  return writeSegmentShards(directory, all(), { frames: segmentLength, bins, classes, segmentsPerShard: options.segmentsPerShard });
}
