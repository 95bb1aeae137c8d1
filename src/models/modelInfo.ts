/**
 * Architecture metadata attached to every model built by adtkit (stored in the TF.js
 * model's user-defined metadata, so it survives save and load).
 */
import { LayersModel, model as tfModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';

/** Architectures built by adtkit/models. */
export type AdtArchitecture = 'rnn' | 'cnn' | 'crnn' | 'convTransformer' | 'vit';

/** What {@link getModelInfo} returns. */
export interface AdtModelInfo {
  /** Which factory built the model. */
  architecture: AdtArchitecture;
  /** The factory options after defaults were applied (pass them back to rebuild the model). */
  options: Record<string, unknown>;
  /** Output classes C. */
  numClasses: number;
  /** Input frequency bins. */
  inputBins: number;
}

const KEY = 'adtkit';

/**
 * Builds a functional model and records its architecture info.
 *
 * @param io - Symbolic input and output and the info to record.
 * @returns The model (input [batch, T, bins, 1], output [batch, T, C]).
 */
export function finishModel(io: { input: SymbolicTensor; output: SymbolicTensor; name: string; info: AdtModelInfo }): LayersModel {
  const m = tfModel({ inputs: io.input, outputs: io.output, name: io.name });
  m.setUserDefinedMetadata({ [KEY]: io.info });
  return m;
}

/**
 * The architecture info of a model built (or loaded) by adtkit, or null for other models.
 *
 * @param model - A TF.js LayersModel.
 * @returns Architecture, resolved options, classes and input bins; null when absent.
 */
export function getModelInfo(model: LayersModel): AdtModelInfo | null {
  const meta = model.getUserDefinedMetadata() as Record<string, unknown> | undefined;
  const info = meta?.[KEY] as AdtModelInfo | undefined;
  return info !== undefined && typeof info === 'object' && typeof info.architecture === 'string' ? info : null;
}
