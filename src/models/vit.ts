/**
 * The thesis Vision Transformer (reference `models.VisionTransformer`): patch embedding →
 * the transformer encoder of ./transformer.ts. PyTorch module paths: `patch_embedding`,
 * `decoder.positional_encoding`, `decoder.layers.<i>`, `decoder.fc`.
 */
import { input as tfInput, type LayersModel, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ModelConfigError } from '../errors.js';
import { finishModel } from './modelInfo.js';
import { checkKnownKeys, checkSize, type CommonModelOptions } from './options.js';
import {
  TRANSFORMER_ENCODER_KEYS, applyTransformerEncoder, resolveTransformerEncoder, transformerEncoderParamCount,
  type ResolvedTransformerEncoderOptions, type TransformerAnySizes, type TransformerThesisSizes,
} from './transformer.js';
import { AdtPatchEmbedding } from './vitPatchEmbedding.js';

/** Patch widths P of the thesis search space [bins]. */
export const VIT_PATCH_SIZES = [7, 14, 21] as const;

/** Patch width P of the thesis search space [bins]. */
export type ViTPatchSize = (typeof VIT_PATCH_SIZES)[number];

/** Options of {@link createViT}. */
export type CreateViTOptions = CommonModelOptions & { dropout?: number } & (
  | (TransformerThesisSizes & {
    /**
     * Patch width P ∈ {7, 14, 21} [bins]; must divide `inputBins`, and the number of patches
     * n = inputBins / P must divide `embedDim`.
     * @defaultValue 21
     */
    patchSize?: ViTPatchSize;
  })
  | (TransformerAnySizes & {
    /** Patch width P ≥ 1 [bins], dividing `inputBins`. @defaultValue 21 */
    patchSize?: number;
  })
);

/** {@link CreateViTOptions} with every default applied. */
export interface ResolvedViTOptions extends ResolvedTransformerEncoderOptions {
  patchSize: number;
  /** Patches per frame n = inputBins / patchSize. */
  numPatches: number;
  /** Channels per patch D / n. */
  patchChannels: number;
}

const KEYS = [...TRANSFORMER_ENCODER_KEYS, 'patchSize'] as const;

/**
 * Validates Vision Transformer options and applies the defaults (thesis default
 * P = 21, H = 6, L = 5, D = 576).
 *
 * @param options - See {@link CreateViTOptions}.
 * @returns The resolved options, with the patch geometry.
 * @throws {@link ModelConfigError} for an unknown option, a value outside the allowed set,
 *   heads that do not divide D, a patch size that does not divide the bins, or D not
 *   divisible by the number of patches.
 */
export function resolveViTOptions(options: CreateViTOptions = {}): ResolvedViTOptions {
  const where = 'createViT';
  checkKnownKeys(where, options, KEYS);
  const r = resolveTransformerEncoder(where, options, 'vit');
  const patchSize = checkSize(where, 'patchSize', options.patchSize, 21, VIT_PATCH_SIZES, r.searchSpace);
  if (r.inputBins % patchSize !== 0) {
    const fitting = VIT_PATCH_SIZES.filter((p) => r.inputBins % p === 0);
    throw new ModelConfigError(`${where}: patchSize ${patchSize} does not divide inputBins ${r.inputBins}` +
      (fitting.length > 0 ? ` (thesis patch sizes that do: ${fitting.join(', ')})` : ''), { field: 'patchSize' });
  }
  const numPatches = r.inputBins / patchSize;
  if (r.embedDim % numPatches !== 0) {
    throw new ModelConfigError(`${where}: embedDim ${r.embedDim} is not divisible by the number of patches ${numPatches} (= inputBins ${r.inputBins} / patchSize ${patchSize})`, { field: 'embedDim' });
  }
  return { ...r, patchSize, numPatches, patchChannels: r.embedDim / numPatches };
}

/**
 * Trainable parameters of a Vision Transformer, computed without building it.
 *
 * @param options - See {@link CreateViTOptions}.
 * @returns The count (19,950,629 for the defaults, as the reference).
 * @throws {@link ModelConfigError} for invalid options.
 */
export function countViTParams(options: CreateViTOptions = {}): number {
  const r = resolveViTOptions(options);
  const c = r.patchChannels;
  return (r.patchSize + 1) * c + c * r.numPatches + transformerEncoderParamCount(r);
}

/**
 * Builds the thesis Vision Transformer: input [batch, T, bins, 1] → patch embedding (each
 * frame cut into n = bins / P patches, each projected to D / n channels with a learnable
 * `[D / n, n]` position embedding, flattened channel-major to D; no Linear after it) →
 * sinusoidal positional encoding → L pre-LayerNorm blocks → Linear(D → C).
 * Output logits [batch, T, C]; T is free (any length).
 *
 * @param options - Patch size, sizes, classes, bins, dropout; see {@link CreateViTOptions}.
 * @returns An uncompiled TF.js LayersModel, initialised as PyTorch would.
 * @throws {@link ModelConfigError} for invalid options (before any tensor is created).
 * @example
 * ```ts
 * const model = createViT(); // P = 21, H = 6, L = 5, D = 576: 19,950,629 parameters
 * const small = createViT({ patchSize: 7, numHeads: 2, numLayers: 2, embedDim: 72 });
 * ```
 */
export function createViT(options: CreateViTOptions = {}): LayersModel {
  const r = resolveViTOptions(options);
  const input = tfInput({ shape: [null, r.inputBins, 1], name: 'spectrogram' });
  const embedded = new AdtPatchEmbedding({ name: 'patch_embedding', patchSize: r.patchSize, channels: r.patchChannels }).apply(input) as SymbolicTensor;
  const output = applyTransformerEncoder(embedded, r);
  return finishModel({ input, output, name: r.name, info: { architecture: 'vit', options: { ...r }, numClasses: r.numClasses, inputBins: r.inputBins } });
}
