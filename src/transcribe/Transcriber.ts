/**
 * Streaming transcription: push audio chunk by chunk, get drum events as soon as the model
 * windows that decide them are complete.
 *
 * Equality with {@link transcribe}: for the same audio and options (batch size included) the
 * events (and activations) are exactly those of the one-shot call, whatever the chunking. Each
 * stage reproduces the one-shot computation bit for bit on a bounded buffer:
 * - resampling: the polyphase resampler of adtkit/dsp is run on a buffer that starts at a
 *   multiple of the rate ratio's denominator, and only outputs whose filter taps all lie inside
 *   the buffer are kept (they are computed with the same phases and the same summation order
 *   as in the one-shot call). Rate pairs whose reduced ratio has a numerator above 4096 use
 *   dsp's interpolated kernel, for which chunked and one-shot outputs may differ in the last bits;
 * - spectrogram: the STFT transforms frames in pairs (two real frames per complex FFT), so
 *   the buffer starts at an even frame and only whole pairs of frames whose samples are all
 *   received are kept; the frames that need the end of the signal (reflect padding, the last
 *   odd frame) are computed at {@link Transcriber.flush};
 * - model: windows are cut, batched (`batchSize` windows per batch, grouped by index as in the
 *   one-shot call) and stitched exactly as `transcribe` does;
 * - peak picking: one `OnlinePeakPicker` per class with the offline rules, whose decisions
 *   equal `peakPick`'s on the whole curve.
 *
 * Latency: a window is run when its last frame is known (and, for models with a convolutional
 * front end, the few frames its convolutions read beyond it: 4 for the thesis architectures), so
 * events arrive roughly `segmentFrames − contextFrames` frames (plus `batchSize − 1` window
 * hops) after they happen: about 3.5 s with the defaults and batch size 1. Memory is bounded by
 * a few windows.
 */
import { LogFilteredSpectrogramProcessor } from '../dsp/logFilteredSpectrogram.js';
import { resample } from '../dsp/resample.js';
import type { StandardizationStats } from '../dsp/standardize.js';
import { AudioError, InvalidArgumentError } from '../errors.js';
import { OnlinePeakPicker } from '../eval/OnlinePeakPicker.js';
import type { AudioData } from '../io/audio/types.js';
import { downmixToMono } from '../io/audio/downmixToMono.js';
import type { DrumEvent } from '../types.js';
import { resolveTranscriptionOptions, type ResolvedTranscription, type TranscriptionOptions } from './options.js';
import { framesToEvents, frontEndMargin, keptRange, predictWindows, standardizationStats, standardizeFrames, windowCount } from './windows.js';

/** Activations of consecutive frames, as the {@link Transcriber} decides them. */
export interface ActivationChunk {
  /** Index of the first frame (frame n is at `n / frameRate` seconds). */
  startFrame: number;
  /** Number of frames. */
  frames: number;
  /** Number of classes. */
  classes: number;
  /** Sigmoid outputs, `data[frame * classes + class]` [frames × classes] (a copy). */
  data: Float32Array;
}

/** Options of {@link Transcriber}. */
export interface TranscriberOptions extends TranscriptionOptions {
  /** Sample rate of the pushed audio [Hz]; resampled to the model's. @defaultValue the card's `sampleRate` */
  sampleRate?: number;
  /**
   * Receives the activations of the frames decided by each push (in order, without gaps),
   * e.g. to draw them; they equal `transcribe()`'s `activations` for the same frames.
   * @defaultValue none
   */
  onActivations?: (chunk: ActivationChunk) => void;
}

/** A growable Float32Array with a movable front (internal). */
class SampleBuffer {
  data = new Float32Array(1 << 14);
  length = 0;

  append(values: Float32Array): void {
    if (this.length + values.length > this.data.length) {
      let size = this.data.length;
      while (size < this.length + values.length) size *= 2;
      const grown = new Float32Array(size);
      grown.set(this.data.subarray(0, this.length));
      this.data = grown;
    }
    this.data.set(values, this.length);
    this.length += values.length;
  }

  dropFront(count: number): void {
    if (count <= 0) return;
    this.data.copyWithin(0, count, this.length);
    this.length -= count;
  }

  view(from = 0, to = this.length): Float32Array {
    return this.data.subarray(from, to);
  }
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** ceil(a * up / down) for non-negative integers. */
function ceilRatio(a: number, up: number, down: number): number {
  return Math.floor((a * up + down - 1) / down);
}

/**
 * Streaming drum transcriber. `push` audio chunks of any size (mono samples, or planar
 * channels mixed down by their mean), then `flush` at the end of the stream; both resolve to
 * the events that became certain, in time order. Calls are serialized, so pushes need not be
 * awaited one by one (but their results arrive in order). See the module comment for latency
 * and for the guarantee that the events equal those of {@link transcribe}.
 *
 * @example
 * ```ts
 * const transcriber = new Transcriber({ model: bundle, sampleRate: 48000, batchSize: 1 });
 * for await (const chunk of microphoneChunks) for (const e of await transcriber.push(chunk)) draw(e);
 * for (const e of await transcriber.flush()) draw(e);
 * ```
 */
export class Transcriber {
  /** Sample rate of the pushed audio [Hz]. */
  readonly sampleRate: number;
  /** Frames per second of the events' time grid [Hz]. */
  readonly frameRate: number;
  /** Class names of the model, index = class. */
  readonly classNames: readonly string[];
  private readonly r: ResolvedTranscription;
  private readonly stats: StandardizationStats;
  private readonly silence: Float32Array;
  private readonly processor: LogFilteredSpectrogramProcessor;
  private readonly hop: number;
  /** Frame indices the signal buffer may start at (multiples keep pairs and integer sample offsets). */
  private readonly frameAlign: number;
  /** Half the FFT size [samples]: how far a frame reaches on each side of its anchor. */
  private readonly halfFrame: number;
  /** Resampling ratio up / down (null when the rates are equal) and margin [input samples]. */
  private readonly resampling: { up: number; down: number; margin: number } | null;
  private readonly onActivations: ((chunk: ActivationChunk) => void) | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  // Stream state (see reset()).
  private source!: SampleBuffer;
  private sourceStart!: number;
  private sourceEnd!: number;
  private resampledNext!: number;
  private signal!: SampleBuffer;
  private signalStart!: number;
  private signalEnd!: number;
  private frameNext!: number;
  private features!: SampleBuffer;
  private featureStart!: number;
  private nextWindow!: number;
  private committedEnd!: number;
  private tail!: { start: number; data: Float32Array } | null;
  private pickers!: OnlinePeakPicker[];
  private pushedSamples!: number;
  private finished!: boolean;

  /**
   * @param options - `model` (a bundle, required), `sampleRate` of the pushed audio, and the
   *   options of `transcribe` (thresholds, peak picking, batch size, window and context sizes)
   * @throws {@link InvalidArgumentError} for bad options; {@link ModelConfigError} for a bundle
   *   whose card is invalid or does not fit its model
   */
  constructor(options: TranscriberOptions) {
    const where = 'Transcriber';
    this.r = resolveTranscriptionOptions(options, where, ['sampleRate', 'onActivations']);
    if (this.r.peak.compat !== 'adtkit') {
      throw new InvalidArgumentError(`${where}: peakPicking.compat '${this.r.peak.compat}' is offline only; use transcribe() to reproduce the thesis peak picking`, {
        field: 'options.peakPicking.compat',
      });
    }
    if (options.onActivations !== undefined && typeof options.onActivations !== 'function') {
      throw new InvalidArgumentError(`${where}: options.onActivations must be a function, got ${typeof options.onActivations}`, { field: 'options.onActivations' });
    }
    this.onActivations = options.onActivations;
    const card = this.r.card;
    const sampleRate = options.sampleRate ?? card.sampleRate;
    if (typeof sampleRate !== 'number' || !Number.isInteger(sampleRate) || sampleRate <= 0) {
      throw new InvalidArgumentError(`${where}: options.sampleRate must be a positive integer number of Hz (e.g. 44100), got ${String(sampleRate)}`, { field: 'options.sampleRate' });
    }
    this.sampleRate = sampleRate;
    this.frameRate = card.frameRate;
    this.classNames = [...card.classNames];
    this.stats = standardizationStats(this.r);
    this.silence = standardizeFrames(new Float32Array(this.r.bins), 1, this.stats);
    this.processor = new LogFilteredSpectrogramProcessor(card.sampleRate, { preset: card.preset });
    this.hop = this.processor.hopLength;
    this.halfFrame = this.processor.plan.config.nFft / 2;
    // Frame g starts at sample floor(g * hop) - nFft/2: g * hop must be an integer (hop = sr / 100
    // may be fractional with the madmom preset) and g even (frames are transformed in pairs).
    const perFrame = 100 / gcd(card.sampleRate, 100);
    this.frameAlign = Number.isInteger(this.hop) ? 2 : (perFrame % 2 === 0 ? perFrame : 2 * perFrame);
    if (sampleRate === card.sampleRate) {
      this.resampling = null;
    } else {
      const g = gcd(sampleRate, card.sampleRate);
      const scale = Math.min(1, card.sampleRate / sampleRate);
      // Half the resampling filter's support [input samples], with room to spare: dsp's default
      // design (80 dB, pass band to 0.9 of the lower Nyquist) has about 50 / scale + 3.
      this.resampling = { up: card.sampleRate / g, down: sampleRate / g, margin: Math.ceil(128 / scale) + 32 };
    }
    this.reset();
  }

  /** Samples pushed since the start or the last reset (per channel, at {@link Transcriber.sampleRate}). */
  get samplesPushed(): number {
    return this.pushedSamples;
  }

  /** Forgets the stream (after `flush`, or to abandon one): the next push starts a new stream at time 0. */
  reset(): void {
    this.source = new SampleBuffer();
    this.sourceStart = 0;
    this.sourceEnd = 0;
    this.resampledNext = 0;
    this.signal = new SampleBuffer();
    this.signalStart = 0;
    this.signalEnd = 0;
    this.frameNext = 0;
    this.features = new SampleBuffer();
    this.featureStart = 0;
    this.nextWindow = 0;
    this.committedEnd = 0;
    this.tail = null;
    const { compat: _offlineOnly, ...peak } = this.r.peak;
    this.pickers = this.r.thresholds.map((threshold) => new OnlinePeakPicker({ ...peak, threshold, classes: 1 }));
    this.pushedSamples = 0;
    this.finished = false;
  }

  /**
   * Adds audio and returns the events that became certain.
   *
   * @param chunk - mono samples [samples], or planar channels (one Float32Array per channel, equal
   *   lengths) at {@link Transcriber.sampleRate}; may be empty
   * @returns new events sorted by time then class (times from the start of the stream [s])
   * @throws {@link InvalidArgumentError} for a chunk that is not samples, or after `flush`
   *   without `reset`; {@link NonFiniteError} for NaN or infinite samples
   */
  push(chunk: Float32Array | readonly Float32Array[]): Promise<DrumEvent[]> {
    return this.serialize(() => this.pushNow(chunk));
  }

  /**
   * Ends the stream: computes the last frames and windows and returns the remaining events.
   * Call `reset()` to start a new stream.
   *
   * @returns the remaining events, sorted by time then class
   * @throws {@link AudioError} when nothing was pushed
   */
  flush(): Promise<DrumEvent[]> {
    return this.serialize(() => this.flushNow());
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async pushNow(chunk: Float32Array | readonly Float32Array[]): Promise<DrumEvent[]> {
    const where = 'Transcriber.push';
    if (this.finished) throw new InvalidArgumentError(`${where}: the stream was flushed; call reset() before pushing a new stream`);
    const channels = chunk instanceof Float32Array ? [chunk] : chunk;
    if (!Array.isArray(channels)) {
      throw new InvalidArgumentError(`${where}: chunk must be a Float32Array of mono samples or an array of channels, got ${chunk === null ? 'null' : typeof chunk}`, { field: 'chunk' });
    }
    if (channels.length > 0 && channels[0] instanceof Float32Array && channels[0].length === 0) return [];
    const mono = downmixToMono({ channels: [...channels], sampleRate: this.sampleRate } as AudioData);
    this.pushedSamples += mono.length;
    if (this.resampling === null) {
      this.signal.append(mono);
      this.signalEnd += mono.length;
    } else {
      this.source.append(mono);
      this.sourceEnd += mono.length;
    }
    return this.sourceEndNeeded() <= (this.resampling === null ? this.signalEnd : this.sourceEnd) ? this.advance(false) : [];
  }

  private async flushNow(): Promise<DrumEvent[]> {
    if (this.finished) return [];
    if (this.pushedSamples === 0) throw new AudioError('Transcriber.flush: no audio was pushed; a stream needs at least one sample', { field: 'chunk' });
    const events = await this.advance(true);
    this.finished = true;
    return events;
  }

  /** Input samples (at the pushed rate, or the model rate without resampling) needed for the next batch. */
  private sourceEndNeeded(): number {
    const { segmentFrames: L, hopFrames: H, batchSize } = this.r;
    const lastFrame = (this.nextWindow + batchSize - 1) * H + L - 1;
    const partner = lastFrame | 1;
    const signalNeeded = Math.floor(partner * this.hop) + this.halfFrame;
    if (this.resampling === null) return signalNeeded;
    const { up, down, margin } = this.resampling;
    return Math.floor(margin + ((signalNeeded - 1) * down) / up) + 1;
  }

  private async advance(ended: boolean): Promise<DrumEvent[]> {
    this.resampleStep(ended);
    this.spectrogramStep(ended);
    return this.modelStep(ended);
  }

  private resampleStep(ended: boolean): void {
    if (this.resampling === null) return;
    const { up, down, margin } = this.resampling;
    const length = this.sourceEnd - this.sourceStart;
    const end = ended ? ceilRatio(this.sourceEnd, up, down) : Math.max(0, ceilRatio(Math.max(0, this.sourceEnd - margin), up, down));
    if (length <= 0 || end <= this.resampledNext) return;
    const out = resample(this.source.view(0, length), this.sampleRate, this.r.card.sampleRate);
    const offset = (this.sourceStart / down) * up;
    this.signal.append(out.subarray(this.resampledNext - offset, end - offset));
    this.signalEnd = end;
    this.resampledNext = end;
    if (!ended) {
      const firstTap = Math.floor((this.resampledNext * down) / up) - margin - 1;
      const start = Math.max(this.sourceStart, Math.floor(firstTap / down) * down);
      this.source.dropFront(start - this.sourceStart);
      this.sourceStart = start;
    }
  }

  private spectrogramStep(ended: boolean): void {
    const length = this.signalEnd - this.signalStart;
    if (length <= 0) return;
    const g0 = Math.round(this.signalStart / this.hop);
    const plan = this.processor.plan;
    let end: number;
    if (ended) {
      end = plan.numFrames(this.signalEnd);
    } else {
      // Local frame j reads samples [floor(j hop) - nFft/2, floor(j hop) + nFft/2): keep whole
      // pairs of frames whose samples are all in the buffer.
      let j = Math.max(0, Math.ceil((length - this.halfFrame + 1) / this.hop));
      while (j > 0 && Math.floor((j - 1) * this.hop) + this.halfFrame > length) j--;
      while (Math.floor(j * this.hop) + this.halfFrame <= length) j++;
      end = g0 + (j & ~1);
    }
    if (end > this.frameNext) {
      const spec = this.processor.process(this.signal.view(0, length));
      const from = (this.frameNext - g0) * spec.bins;
      const to = (end - g0) * spec.bins;
      if (to > spec.data.length) throw new Error(`Transcriber: internal error, frames ${this.frameNext}..${end} not in the buffer (${spec.frames} from ${g0})`);
      this.features.append(standardizeFrames(spec.data.subarray(from, to), end - this.frameNext, this.stats));
      this.frameNext = end;
    }
    if (!ended) {
      const reach = Math.ceil((this.halfFrame + 1) / this.hop);
      const g = Math.max(g0, Math.floor((this.frameNext - reach) / this.frameAlign) * this.frameAlign);
      const start = Math.round(g * this.hop);
      this.signal.dropFront(start - this.signalStart);
      this.signalStart = start;
    }
  }

  private async modelStep(ended: boolean): Promise<DrumEvent[]> {
    const r = this.r;
    const { segmentFrames: L, hopFrames: H, batchSize, classes } = r;
    const frames = this.frameNext;
    const windows = ended ? windowCount(frames, r) : Infinity;
    const peaks: { frame: number; classIndex: number; height: number }[] = [];
    const margin = frontEndMargin(r);
    for (;;) {
      const first = this.nextWindow;
      if (first >= windows) break;
      const count = ended ? Math.min(batchSize, windows - first) : batchSize;
      // A batch runs when its last window's frames are all final (before the end of the stream).
      if (!ended && (first + count - 1) * H + L + margin > frames) break;
      const out = await predictWindows(r, this.features.view(), this.featureStart, ended ? frames : Infinity, this.silence, first, count);
      for (let k = 0; k < count; k++) {
        const s = first + k;
        const isLast = s === windows - 1;
        const [start, end] = keptRange(s, isLast, frames, r);
        const offset = k * L * classes - s * H * classes;
        if (start !== this.committedEnd) throw new Error(`Transcriber: internal error, window ${s} starts at frame ${start}, expected ${this.committedEnd}`);
        this.commit(out.subarray(offset + start * classes, offset + end * classes), peaks);
        const tailEnd = Math.min(s * H + L, ended ? frames : Infinity);
        this.tail = isLast || end >= tailEnd ? null : { start: end, data: out.slice(offset + end * classes, offset + tailEnd * classes) };
      }
      this.nextWindow = first + count;
      const keepFrom = this.nextWindow * H - margin;
      if (keepFrom > this.featureStart) {
        const drop = Math.min(keepFrom, this.featureStart + this.features.length / r.bins) - this.featureStart;
        this.features.dropFront(drop * r.bins);
        this.featureStart += drop;
      }
    }
    if (ended) {
      // The last window ran before the end was known: its tail frames are the last ones.
      if (this.committedEnd < frames && this.tail !== null && this.tail.start === this.committedEnd) {
        this.commit(this.tail.data.subarray(0, (frames - this.committedEnd) * classes), peaks);
      }
      if (this.committedEnd !== frames) throw new Error(`Transcriber: internal error, ${this.committedEnd} of ${frames} frames decided`);
      this.pickers.forEach((picker, c) => {
        for (const p of picker.flush()) peaks.push({ frame: p.frame, classIndex: c, height: p.height });
      });
    }
    return framesToEvents(peaks, this.frameRate, this.classNames);
  }

  /** Hands activations of consecutive frames [frames × classes] to the peak pickers. */
  private commit(values: Float32Array, peaks: { frame: number; classIndex: number; height: number }[]): void {
    const classes = this.r.classes;
    const count = values.length / classes;
    if (count === 0) return;
    this.onActivations?.({ startFrame: this.committedEnd, frames: count, classes, data: values.slice() });
    const column = new Float32Array(count);
    for (let c = 0; c < classes; c++) {
      for (let n = 0; n < count; n++) column[n] = values[n * classes + c];
      for (const p of this.pickers[c].push(column)) peaks.push({ frame: p.frame, classIndex: c, height: p.height });
    }
    this.committedEnd += count;
  }
}
