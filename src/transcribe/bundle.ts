/**
 * Model bundles: a TF.js layers model (`model.json` + `weights.bin`) plus a model card
 * (`card.json`, see `card.ts`) in one directory or under one URL prefix.
 *
 * - {@link createBundle}: a model and a card draft → a validated bundle (in memory).
 * - {@link saveBundle} (Node): writes the three files into a directory.
 * - {@link bundleToFiles}: the three files as bytes (browser downloads, tests, zips).
 * - {@link loadBundle}: from a directory path (Node), a `file://` URL, an `http(s)://` URL
 *   prefix (fetch), the files in memory (e.g. dropped in a web page), or a card plus TF.js
 *   model artifacts.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { AdtError, InvalidArgumentError, ModelConfigError } from '../errors.js';
import { getModelInfo, loadModel, nodeFileHandler, saveModelToMemory } from '../models/index.js';
import { completeCard, validateModelCard, type ModelCard, type ModelCardDraft } from './card.js';
import { nodeFs, nodePath, nodeUrl } from '../nodeBuiltins.js';

/** Name of the card file in a bundle. */
export const CARD_FILE = 'card.json';
const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

/** A model with its card: everything `transcribe` needs. */
export interface ModelBundle {
  /** The TF.js model: input `[batch, frames, inputBins, 1]`, output logits `[batch, frames, classes]`. */
  model: LayersModel;
  /** The validated card. */
  card: ModelCard;
}

/** The files of a bundle held in memory: `card.json`, `model.json` and the weight files it lists. */
export interface BundleFiles {
  /** File name → content (bytes or text). Names as in the bundle directory (`card.json`, `model.json`, `weights.bin`). */
  files: Readonly<Record<string, Uint8Array | ArrayBuffer | string>>;
  /** Name used in error messages. @defaultValue `'<memory bundle>'` */
  name?: string;
}

/** A card plus TF.js model artifacts, both in memory. */
export interface BundleArtifacts {
  /** The card (parsed JSON or JSON text). */
  card: unknown;
  /** The model's artifacts (e.g. from `saveModelToMemory`). */
  artifacts: tf.io.ModelArtifacts;
}

/**
 * Where {@link loadBundle} reads a bundle from: a directory path or `file://` URL (Node), an
 * `http(s)://` URL prefix (the directory's URL; a URL ending in `card.json` or `model.json`
 * is accepted too), or a bundle in memory.
 */
export type BundleSource = string | BundleFiles | BundleArtifacts;

/** Options of {@link loadBundle}. */
export interface LoadBundleOptions {
  /** Fetch function for `http(s)://` sources. @defaultValue `globalThis.fetch` */
  fetch?: typeof globalThis.fetch;
}

function ioError(message: string, file: string, cause?: unknown): AdtError {
  return new AdtError('IO_ERROR', message, { file, cause });
}

/**
 * Checks that a model fits a card: input `[batch, frames, card.inputBins, 1]`, output
 * `[batch, frames, card.classNames.length]`, and a fixed frame count (if the model has one)
 * equal to `card.segmentFrames`.
 * @internal
 */
export function checkModelAgainstCard(model: LayersModel, card: ModelCard, source: string): void {
  if (model === null || typeof model !== 'object' || !Array.isArray((model as LayersModel).inputs)) {
    throw new InvalidArgumentError(`${source}: model must be a TF.js LayersModel, got ${model === null ? 'null' : typeof model}`, { field: 'model' });
  }
  const inShape = model.inputs[0]?.shape;
  if (inShape === undefined || inShape.length !== 4 || inShape[3] !== 1) {
    throw new ModelConfigError(`${source}: the model input shape is [${inShape?.join(', ')}], expected [batch, frames, bins, 1]`, { field: 'model', file: source });
  }
  if (inShape[2] !== card.inputBins) {
    throw new ModelConfigError(`${source}: the model takes ${inShape[2]} input bins but card.inputBins is ${card.inputBins}`, { field: 'card.inputBins', file: source });
  }
  if (inShape[1] !== null && inShape[1] !== card.segmentFrames) {
    throw new ModelConfigError(`${source}: the model takes windows of ${inShape[1]} frames but card.segmentFrames is ${card.segmentFrames}`, { field: 'card.segmentFrames', file: source });
  }
  const outShape = model.outputs[0]?.shape;
  if (outShape === undefined || outShape.length !== 3) {
    throw new ModelConfigError(`${source}: the model output shape is [${outShape?.join(', ')}], expected [batch, frames, classes]`, { field: 'model', file: source });
  }
  if (outShape[2] !== card.classNames.length) {
    throw new ModelConfigError(
      `${source}: the model outputs ${outShape[2]} classes but card.classNames has ${card.classNames.length} (${card.classNames.join(', ')})`,
      { field: 'card.classNames', file: source },
    );
  }
}

/**
 * Makes a bundle from a model and a card draft: fills the card's defaults (architecture and
 * its options from the model when adtkit built it, frame rate and input bins from the preset,
 * adtkit version, threshold 0.5) and validates the card against the model.
 *
 * @param model - a TF.js layers model (input `[batch, frames, bins, 1]`, output logits `[batch, frames, classes]`)
 * @param card - the card draft; `license` and `standardization` are required (see {@link ModelCardDraft})
 * @returns the bundle
 * @throws {@link ModelConfigError} naming the card field that is missing, invalid or does not fit the model
 * @example
 * ```ts
 * const result = await train(model, data);
 * const bundle = createBundle(model, { license: 'CC-BY-4.0', standardization: result.standardization!,
 *   training: { data: 'E-GMD train split' }, metrics: { validationMicroF1: result.bestValidationMicroF1 } });
 * await saveBundle('models/my-crnn', bundle);
 * ```
 */
export function createBundle(model: LayersModel, card: ModelCardDraft): ModelBundle {
  const source = 'createBundle';
  if (model === null || typeof model !== 'object' || !Array.isArray((model as LayersModel).inputs)) {
    throw new InvalidArgumentError(`${source}: model must be a TF.js LayersModel, got ${model === null ? 'null' : typeof model}`, { field: 'model' });
  }
  const info = getModelInfo(model);
  const outShape = model.outputs[0]?.shape;
  const numClasses = outShape !== undefined && typeof outShape[2] === 'number' ? outShape[2] : undefined;
  const inShape = model.inputs[0]?.shape;
  const complete = completeCard(card, {
    architecture: info?.architecture,
    architectureOptions: info?.options,
    inputBins: info?.inputBins ?? (inShape !== undefined && typeof inShape[2] === 'number' ? inShape[2] : undefined),
    numClasses,
  }, source);
  checkModelAgainstCard(model, complete, source);
  return { model, card: complete };
}

function checkBundle(bundle: ModelBundle, where: string): void {
  if (bundle === null || typeof bundle !== 'object' || bundle.model === undefined || bundle.card === undefined) {
    throw new InvalidArgumentError(`${where}: bundle must be { model, card } (from createBundle or loadBundle), got ${bundle === null ? 'null' : typeof bundle}`, { field: 'bundle' });
  }
  const card = validateModelCard(bundle.card, `${where}: bundle.card`);
  checkModelAgainstCard(bundle.model, card, where);
}

/**
 * The files of a bundle as bytes: `card.json`, `model.json` and `weights.bin`.
 *
 * @param bundle - a bundle from {@link createBundle} or {@link loadBundle}
 * @returns file name → bytes; pass `{ files }` to {@link loadBundle} to read them back
 * @throws {@link ModelConfigError} when the card is invalid or does not fit the model
 * @example
 * ```ts
 * const files = await bundleToFiles(bundle);           // { 'card.json', 'model.json', 'weights.bin' }
 * const again = await loadBundle({ files });
 * ```
 */
export async function bundleToFiles(bundle: ModelBundle): Promise<Record<string, Uint8Array>> {
  checkBundle(bundle, 'bundleToFiles');
  const artifacts = await saveModelToMemory(bundle.model);
  const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const modelJSON: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
  };
  if (artifacts.userDefinedMetadata !== undefined) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
  const encoder = new TextEncoder();
  return {
    [CARD_FILE]: encoder.encode(JSON.stringify(bundle.card, null, 2) + '\n'),
    [MODEL_FILE]: encoder.encode(JSON.stringify(modelJSON)),
    [WEIGHTS_FILE]: new Uint8Array(weightData),
  };
}

/**
 * Writes a bundle into a directory (Node): `model.json`, `weights.bin` (TF.js format, readable
 * by `tf.loadLayersModel('file://…')` in tfjs-node) and `card.json`. The directory is created
 * when missing; existing files of those names are replaced.
 *
 * @param directory - directory path (or a `file://` URL)
 * @param bundle - a bundle from {@link createBundle} or {@link loadBundle}
 * @throws {@link ModelConfigError} when the card is invalid or does not fit the model;
 *   {@link AdtError} `IO_ERROR` when the files cannot be written (or outside Node)
 * @example
 * ```ts
 * await saveBundle('models/my-crnn', createBundle(model, { license: 'CC-BY-4.0', standardization: { mean: 0.31, std: 0.42 } }));
 * ```
 */
export async function saveBundle(directory: string, bundle: ModelBundle): Promise<void> {
  if (typeof directory !== 'string' || directory.length === 0) {
    throw new InvalidArgumentError(`saveBundle: directory must be a non-empty path, got ${String(directory)}`, { field: 'directory' });
  }
  checkBundle(bundle, 'saveBundle');
  const { fs, path, dir } = await nodeDir(directory, 'saveBundle');
  await bundle.model.save(nodeFileHandler(dir));
  const file = path.join(dir, CARD_FILE);
  try {
    await fs.writeFile(file, JSON.stringify(bundle.card, null, 2) + '\n');
  } catch (cause) {
    throw ioError(`cannot write "${file}": ${String(cause)}`, file, cause);
  }
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions === 'object' && typeof process.versions.node === 'string';
}

async function nodeDir(location: string, where: string): Promise<{ fs: typeof import('node:fs/promises'); path: typeof import('node:path'); dir: string }> {
  if (!isNode()) throw ioError(`${where}: reading or writing directories needs Node.js; in a browser use an http(s) URL or the files in memory`, location);
  const fs = await nodeFs(where);
  const path = await nodePath(where);
  const url = await nodeUrl(where);
  let dir = location.startsWith('file://') ? url.fileURLToPath(location) : location;
  const base = path.basename(dir);
  if (base === CARD_FILE || base === MODEL_FILE) dir = path.dirname(dir);
  return { fs, path, dir };
}

function toBytes(value: Uint8Array | ArrayBuffer | string): Uint8Array {
  if (typeof value === 'string') return new TextEncoder().encode(value);
  return value instanceof Uint8Array ? value : new Uint8Array(value);
}

function parseCardText(text: string, source: string): ModelCard {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ModelConfigError(`${source}: not valid JSON: ${(cause as Error).message}`, { field: 'card', file: source, cause });
  }
  return validateModelCard(json, source);
}

async function finish(model: LayersModel, card: ModelCard, source: string): Promise<ModelBundle> {
  try {
    checkModelAgainstCard(model, card, source);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, card };
}

async function loadFromFiles(source: BundleFiles): Promise<ModelBundle> {
  const name = source.name ?? '<memory bundle>';
  const files = source.files;
  if (files === null || typeof files !== 'object') {
    throw new InvalidArgumentError(`loadBundle: files must map file names to bytes or text, got ${files === null ? 'null' : typeof files}`, { field: 'files' });
  }
  const get = (file: string): Uint8Array => {
    const key = Object.keys(files).find((k) => k === file || k.endsWith(`/${file}`));
    if (key === undefined) {
      throw ioError(`${name}: the bundle has no "${file}" (it has ${Object.keys(files).map((k) => `"${k}"`).join(', ') || 'no files'}); a bundle holds card.json, model.json and weights.bin`, file);
    }
    return toBytes(files[key]);
  };
  const decoder = new TextDecoder();
  const card = parseCardText(decoder.decode(get(CARD_FILE)), `${name}/${CARD_FILE}`);
  let modelJSON: tf.io.ModelJSON;
  try {
    modelJSON = JSON.parse(decoder.decode(get(MODEL_FILE))) as tf.io.ModelJSON;
  } catch (cause) {
    if (cause instanceof AdtError) throw cause;
    throw new ModelConfigError(`${name}/${MODEL_FILE}: not valid JSON: ${(cause as Error).message}`, { file: MODEL_FILE, cause });
  }
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      specs.push(...group.weights);
      for (const p of group.paths) {
        const b = get(p.replace(/^\.\//, ''));
        buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      }
    }
    return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
  });
  return finish(await loadModel(artifacts), card, name);
}

async function loadFromUrl(url: string, options: LoadBundleOptions): Promise<ModelBundle> {
  // Browsers reject a detached `fetch` ("Illegal invocation") when TF.js calls it as a
  // property of its options object, so the global is wrapped rather than passed as is.
  const fetchFunc: typeof globalThis.fetch | undefined =
    options.fetch ?? (typeof fetch === 'function' ? (input, init) => fetch(input, init) : undefined);
  if (fetchFunc === undefined) throw ioError(`loadBundle: no fetch function to read ${url}; pass options.fetch`, url);
  const base = url.replace(/\/(card|model)\.json$/, '').replace(/\/+$/, '');
  const cardUrl = `${base}/${CARD_FILE}`;
  let text: string;
  try {
    const response = await fetchFunc(cardUrl);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    text = await response.text();
  } catch (cause) {
    throw ioError(`cannot fetch the model card ${cardUrl}: ${(cause as Error).message ?? String(cause)}`, cardUrl, cause);
  }
  const card = parseCardText(text, cardUrl);
  const model = await loadModel(tf.io.http(`${base}/${MODEL_FILE}`, { fetchFunc }));
  return finish(model, card, base);
}

async function loadFromDirectory(location: string): Promise<ModelBundle> {
  const { fs, path, dir } = await nodeDir(location, 'loadBundle');
  const cardPath = path.join(dir, CARD_FILE);
  let text: string;
  try {
    text = await fs.readFile(cardPath, 'utf8');
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException)?.code === 'ENOENT';
    throw ioError(
      missing ? `no ${CARD_FILE} in "${dir}": not an adtkit model bundle (a bundle directory holds card.json, model.json and weights.bin)`
        : `cannot read "${cardPath}": ${String(cause)}`,
      cardPath,
      cause,
    );
  }
  const card = parseCardText(text, cardPath);
  const model = await loadModel(nodeFileHandler(dir));
  return finish(model, card, dir);
}

/**
 * Loads a model bundle. The card is validated before the weights are read, and the model is
 * checked against the card (input bins, classes).
 *
 * @param source - see {@link BundleSource}: a directory path or `file://` URL (Node), an
 *   `http(s)://` URL prefix (fetched; `card.json` and `model.json` under it), `{ files }`
 *   in memory, or `{ card, artifacts }`
 * @param options - see {@link LoadBundleOptions}
 * @returns the model and its card (dispose `bundle.model` when done)
 * @throws {@link ModelConfigError} naming the card field that is invalid or does not fit the
 *   model; {@link AdtError} `IO_ERROR` when a file cannot be read or fetched
 * @example
 * ```ts
 * const bundle = await loadBundle('models/default');                    // Node
 * const web = await loadBundle('https://example.org/adtkit/crnn/');      // browser or Node
 * ```
 */
export async function loadBundle(source: BundleSource, options: LoadBundleOptions = {}): Promise<ModelBundle> {
  if (typeof source === 'string') {
    if (source.length === 0) throw new InvalidArgumentError('loadBundle: source is an empty string; pass a directory path or a URL', { field: 'source' });
    if (/^https?:\/\//i.test(source)) return loadFromUrl(source, options);
    if (source.startsWith('file://') || isNode()) return loadFromDirectory(source);
    // In a browser a plain string is a URL relative to the page.
    return loadFromUrl(source, options);
  }
  if (source !== null && typeof source === 'object' && 'files' in source) return loadFromFiles(source);
  if (source !== null && typeof source === 'object' && 'artifacts' in source && 'card' in source) {
    const card = typeof source.card === 'string' ? parseCardText(source.card, '<memory card>') : validateModelCard(source.card, '<memory card>');
    return finish(await loadModel(source.artifacts), card, '<memory bundle>');
  }
  throw new InvalidArgumentError(
    `loadBundle: source must be a directory path, a URL, { files } or { card, artifacts }, got ${source === null ? 'null' : typeof source}`,
    { field: 'source' },
  );
}
