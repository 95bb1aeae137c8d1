/**
 * Saving and loading models in TF.js's own format (`model.json` + binary weights).
 *
 * - In memory: {@link saveModelToMemory} / {@link loadModel} with the artifacts.
 * - Files in Node: `file://<dir>` URLs go through {@link nodeFileHandler}, a small IOHandler of
 *   our own (adtkit does not depend on tfjs-node) writing `<dir>/model.json` and
 *   `<dir>/weights.bin`, readable by tfjs-node's `file://` handler and vice versa.
 * - Everything else (`indexeddb://`, `localstorage://`, `downloads://`, `http(s)://`) goes to
 *   TF.js's own handlers.
 *
 * adtkit's custom layers register themselves for serialization when adtkit/models is
 * imported, so `loadModel` (or TF.js's `loadLayersModel`) can rebuild them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadLayersModel, type LayersModel } from '@tensorflow/tfjs-layers';
import { IoError, WeightsError } from '../errors.js';
// Imported for their side effect: registering every custom layer before a model is loaded.
import './convFrontEnd.js';
import './recurrent.js';
import './attention.js';
import './positionalEncoding.js';
import './vitPatchEmbedding.js';
import { nodeFs, nodePath } from '../nodeBuiltins.js';

type ModelArtifacts = tf.io.ModelArtifacts;
type ModelJSON = tf.io.ModelJSON;

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

function ioError(message: string, file: string, cause?: unknown): IoError {
  return new IoError(message, { file, cause });
}

function dirFromUrl(url: string): string {
  return url.startsWith('file://') ? url.slice('file://'.length) : url;
}

/**
 * A TF.js IOHandler that saves to and loads from a directory in Node (`model.json` +
 * `weights.bin`). Node's `fs` is imported lazily, so the module also loads in browsers.
 *
 * @param directory - Directory path, or a `file://` URL; created on save when missing. A path
 *   ending in `model.json` is accepted for loading and saving (its directory is used).
 * @returns An IOHandler for `model.save(handler)` and `tf.loadLayersModel(handler)`.
 */
export function nodeFileHandler(directory: string): tf.io.IOHandler {
  let dir = dirFromUrl(directory);
  if (dir.endsWith(MODEL_FILE)) dir = dir.slice(0, -MODEL_FILE.length) || '.';
  return {
    async save(artifacts: ModelArtifacts): Promise<tf.io.SaveResult> {
      const fs = await nodeFs('nodeFileHandler');
      const path = await nodePath('nodeFileHandler');
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw ioError('nodeFileHandler: binary (GraphDef) topologies are not supported', dir);
      }
      const weightData = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const modelJSON: ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig !== undefined) modelJSON.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata !== undefined) modelJSON.userDefinedMetadata = artifacts.userDefinedMetadata;
      if (artifacts.signature !== undefined) modelJSON.signature = artifacts.signature;
      if (artifacts.modelInitializer !== undefined) modelJSON.modelInitializer = artifacts.modelInitializer;
      try {
        await fs.mkdir(dir, { recursive: true });
        await fs.writeFile(path.join(dir, WEIGHTS_FILE), new Uint8Array(weightData));
        await fs.writeFile(path.join(dir, MODEL_FILE), JSON.stringify(modelJSON));
      } catch (cause) {
        throw ioError(`cannot write the model to directory "${dir}": ${String(cause)}`, dir, cause);
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<ModelArtifacts> {
      const fs = await nodeFs('nodeFileHandler');
      const path = await nodePath('nodeFileHandler');
      const jsonPath = path.join(dir, MODEL_FILE);
      let modelJSON: ModelJSON;
      try {
        modelJSON = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as ModelJSON;
      } catch (cause) {
        throw ioError(`cannot read a TF.js model from "${jsonPath}": ${String(cause)}`, jsonPath, cause);
      }
      if (typeof modelJSON !== 'object' || modelJSON === null || modelJSON.modelTopology === undefined || !Array.isArray(modelJSON.weightsManifest)) {
        throw new WeightsError(`"${jsonPath}" is not a TF.js model.json (no modelTopology / weightsManifest)`, { file: jsonPath });
      }
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: ArrayBuffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const file = path.join(dir, p);
            try {
              const b = await fs.readFile(file);
              buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
            } catch (cause) {
              throw ioError(`cannot read weights file "${file}" listed in ${MODEL_FILE}: ${String(cause)}`, file, cause);
            }
          }
        }
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

/**
 * Saves a model: `file://dir` through {@link nodeFileHandler} (Node), any other URL or an
 * IOHandler through TF.js (`indexeddb://name`, `localstorage://name`, `downloads://name`, http).
 *
 * @param model - The model to save.
 * @param destination - URL or IOHandler.
 * @returns TF.js's save result (sizes of topology and weights).
 * @throws {@link IoError} (code `IO_ERROR`) when files cannot be written.
 */
export async function saveModel(model: LayersModel, destination: string | tf.io.IOHandler): Promise<tf.io.SaveResult> {
  const handler = typeof destination === 'string' && destination.startsWith('file://') ? nodeFileHandler(destination) : destination;
  return model.save(handler);
}

/**
 * Saves a model into memory and returns its artifacts (topology, weight specs and data).
 *
 * @param model - The model to save.
 * @returns Model artifacts for {@link loadModel}.
 */
export async function saveModelToMemory(model: LayersModel): Promise<ModelArtifacts> {
  let saved: ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }));
  return saved as ModelArtifacts;
}

/**
 * Loads a model saved by {@link saveModel} / {@link saveModelToMemory} (or any TF.js layers
 * model using adtkit's layers).
 *
 * @param source - In-memory artifacts, a `file://dir` URL (Node), another TF.js URL, or an IOHandler.
 * @returns The model, with its adtkit architecture info (see `getModelInfo`).
 * @throws {@link IoError} (code `IO_ERROR`) when files cannot be read, {@link WeightsError}
 *   when a file is not a TF.js model.
 */
export async function loadModel(source: ModelArtifacts | string | tf.io.IOHandler): Promise<LayersModel> {
  if (typeof source === 'string') {
    return loadLayersModel(source.startsWith('file://') ? nodeFileHandler(source) : source);
  }
  if ('load' in source || 'save' in source) return loadLayersModel(source as tf.io.IOHandler);
  return loadLayersModel(tf.io.fromMemory(source as ModelArtifacts));
}
