/**
 * Splits a CRNN-like model into its frame-local convolutional front end (encoder) and the rest
 * (decoder), so that `transcribe()` and the `Transcriber` run the front end once over a batch's
 * whole span of frames instead of over every overlapping window (internal).
 *
 * Why: consecutive windows overlap by 2 × contextFrames (100 of 400 frames by default), and the
 * convolutions are most of a CRNN's inference time. The front end is frame-local: a 'same'
 * convolution with kernel height k reads ⌊k/2⌋ frames on each side, pooling and batch norm
 * work within a frame. So its output at a frame depends only on the input frames within
 * `margin` = Σ⌊k/2⌋ of it; computed over a span extended by `margin` real frames on both sides
 * it is the same as over the whole file (zero-padded only at the start of the audio), whatever
 * the batch grouping, which keeps the streaming Transcriber bit-identical to transcribe().
 * (Per window, each window edge used to be zero-padded instead: results differ from that by
 * float rounding through the recurrent context, see test/transcribe.frameLocal.test.ts.)
 *
 * A model qualifies when its layers form a chain: input, then only Conv2D ('same' padding,
 * odd kernel height, time stride and dilation 1), BatchNormalization, MaxPooling2D (time pool
 * and stride 1), AdtSpatialDropout2D, up to one AdtFrameFlatten, then any chain of layers on
 * [batch, frames, features]; and its input takes any number of frames.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface FrameLocalSplit {
  /** Input [batch, frames, bins, 1] → [batch, frames, features]. */
  encoder: tfl.LayersModel;
  /** [batch, frames, features] → the model's output. */
  decoder: tfl.LayersModel;
  /** Frames of real context on each side that make the encoder's output exact. */
  margin: number;
}

const cache = new WeakMap<tfl.LayersModel, FrameLocalSplit | null>();

type Layer = tfl.layers.Layer;

/** The layer feeding `layer` if it has exactly one input from exactly one layer, else null. */
function singleInbound(layer: Layer): Layer | null {
  const nodes = (layer as unknown as { inboundNodes: Array<{ inboundLayers: Layer[] }> }).inboundNodes;
  if (nodes.length !== 1 || nodes[0].inboundLayers.length !== 1) return null;
  return nodes[0].inboundLayers[0];
}

const pairOf = (v: unknown): [number, number] => (Array.isArray(v) ? [v[0] as number, (v[1] ?? v[0]) as number] : [v as number, v as number]);

/** Frames of context a front-end layer reads on each side, or null if it is not frame-local. */
function frameReach(layer: Layer): number | null {
  const config = layer.getConfig() as Record<string, unknown>;
  switch (layer.getClassName()) {
    case 'Conv2D': {
      const [kh] = pairOf(config.kernelSize);
      const [sh] = pairOf(config.strides);
      const [dh] = pairOf(config.dilationRate ?? 1);
      if (config.padding !== 'same' || kh % 2 !== 1 || sh !== 1 || dh !== 1 || (config.dataFormat ?? 'channelsLast') !== 'channelsLast') return null;
      return (kh - 1) / 2;
    }
    case 'MaxPooling2D': {
      const [ph] = pairOf(config.poolSize);
      const [sh] = pairOf(config.strides ?? config.poolSize);
      return ph === 1 && sh === 1 ? 0 : null;
    }
    case 'BatchNormalization':
    case 'AdtSpatialDropout2D':
      return 0;
    default:
      return null;
  }
}

/** The split of `model`, or null when it does not qualify (then windows run whole). Cached per model. */
export function frameLocalSplit(model: tfl.LayersModel): FrameLocalSplit | null {
  const cached = cache.get(model);
  if (cached !== undefined) return cached;
  let split: FrameLocalSplit | null = null;
  try {
    split = buildSplit(model);
  } catch {
    split = null;
  }
  cache.set(model, split);
  return split;
}

function buildSplit(model: tfl.LayersModel): FrameLocalSplit | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || model.inputs[0].shape[1] !== null) return null;
  const layers = model.layers as Layer[];
  if (layers.length < 3 || layers[0].getClassName() !== 'InputLayer') return null;
  for (let i = 1; i < layers.length; i++) if (singleInbound(layers[i]) !== layers[i - 1]) return null;
  const flattenAt = layers.findIndex((l) => l.getClassName() === 'AdtFrameFlatten');
  if (flattenAt < 2 || flattenAt === layers.length - 1) return null;
  let margin = 0;
  for (let i = 1; i < flattenAt; i++) {
    const reach = frameReach(layers[i]);
    if (reach === null) return null;
    margin += reach;
  }
  const flatten = layers[flattenAt];
  const encoder = tfl.model({ inputs: model.inputs, outputs: flatten.output as tfl.SymbolicTensor });
  const features = (flatten.output as tfl.SymbolicTensor).shape[2];
  if (typeof features !== 'number') return null;
  const input = tfl.input({ shape: [null, features] });
  let x: tfl.SymbolicTensor = input;
  for (let i = flattenAt + 1; i < layers.length; i++) x = layers[i].apply(x) as tfl.SymbolicTensor;
  const decoder = tfl.model({ inputs: input, outputs: x });
  return { encoder, decoder, margin };
}

/**
 * Runs `split` on a span of frames [1, spanFrames, bins, 1] and cuts `count` windows of
 * `length` frames from its encoding (span rows `margin + k·hop ..`), returning the decoder's
 * output [count, length, classes]. The encoding is read back asynchronously (no blocking read
 * on GPU backends); windows are contiguous row ranges, copied as blocks (wasm's GatherV2 goes
 * element by element and its Slice is 6x slower than a block copy).
 */
export async function predictSplitWindows(split: FrameLocalSplit, span: tf.Tensor4D, count: number, hop: number, length: number): Promise<tf.Tensor> {
  const encoded = tf.tidy(() => split.encoder.predict(span) as tf.Tensor3D); // [1, spanFrames, features]
  let rows: Float32Array;
  const [, frames, features] = encoded.shape;
  try {
    rows = (await encoded.data()) as Float32Array;
  } finally {
    encoded.dispose();
  }
  if (split.margin + (count - 1) * hop + length > frames) throw new Error(`predictSplitWindows: internal error, a span of ${frames} frames is too short`);
  const data = new Float32Array(count * length * features);
  for (let k = 0; k < count; k++) {
    const from = (split.margin + k * hop) * features;
    data.set(rows.subarray(from, from + length * features), k * length * features);
  }
  return tf.tidy(() => split.decoder.predict(tf.tensor3d(data, [count, length, features]), { batchSize: count }) as tf.Tensor);
}
