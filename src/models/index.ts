// Public API of adtkit/models (TensorFlow.js layers; TF.js is a peer dependency).
// Importing this module registers adtkit's custom layers for TF.js serialization.
export {
  AdtFrameFlatten,
  AdtSpatialDropout2D,
  applyConvFrontEnd,
  convFrontEndParamCount,
  convFrontEndShape,
  BATCHNORM_EPSILON,
  BATCHNORM_MOMENTUM_TFJS,
  CONV_BLOCK_DROPOUT,
  type AdtLayerArgs,
  type AdtSpatialDropout2DArgs,
  type ConvFrontEndOptions,
  type ConvFrontEndShape,
} from './convFrontEnd.js';
export {
  AdtBidirectionalRNN,
  bidirectionalRNNParamCount,
  type AdtBidirectionalRNNArgs,
  type RecurrentCell,
} from './recurrent.js';
export {
  HIDDEN_SIZES,
  DEFAULT_INPUT_BINS,
  DEFAULT_NUM_CLASSES,
  type CommonModelOptions,
  type HiddenSize,
  type SearchSpace,
} from './options.js';
export { createRNN, countRNNParams, resolveRNNOptions, RNN_NUM_LAYERS, type CreateRNNOptions, type RNNThesisSizes, type RNNAnySizes, type ResolvedRNNOptions } from './rnn.js';
export { createCNN, countCNNParams, resolveCNNOptions, CNN_NUM_CONV_BLOCKS, CNN_NUM_LAYERS, type CreateCNNOptions, type CNNThesisSizes, type CNNAnySizes, type ResolvedCNNOptions } from './cnn.js';
export { createCRNN, countCRNNParams, resolveCRNNOptions, CRNN_NUM_LAYERS, type CreateCRNNOptions, type CRNNThesisSizes, type CRNNAnySizes, type ResolvedCRNNOptions } from './crnn.js';
export { getModelInfo, type AdtArchitecture, type AdtModelInfo } from './modelInfo.js';
export { parseSafetensors, type SafetensorsDtype, type SafetensorsFile, type SafetensorsTensor } from './safetensors.js';
export {
  importTorchWeights,
  registerTorchConverter,
  isTorchImportable,
  oihwToHwio,
  transposeMatrix,
  type ImportTorchWeightsResult,
  type TorchConverter,
  type TorchImportable,
  type TorchTensorSource,
} from './torchWeights.js';
export { loadModel, nodeFileHandler, saveModel, saveModelToMemory } from './modelIO.js';
export {
  AdtGelu,
  AdtMultiHeadSelfAttention,
  AdtTransformerBlock,
  gelu,
  LAYER_NORM_EPSILON,
  type AdtGeluArgs,
  type AdtMultiHeadSelfAttentionArgs,
  type AdtTransformerBlockArgs,
} from './attention.js';
export { AdtPositionalEncoding, sinusoidalPositionalEncoding, type AdtPositionalEncodingArgs } from './positionalEncoding.js';
export { AdtPatchEmbedding, type AdtPatchEmbeddingArgs } from './vitPatchEmbedding.js';
export {
  createConvTransformer,
  countConvTransformerParams,
  resolveConvTransformerOptions,
  TRANSFORMER_NUM_HEADS,
  TRANSFORMER_NUM_LAYERS,
  type CreateConvTransformerOptions,
  type ResolvedConvTransformerOptions,
  type TransformerAnySizes,
  type TransformerThesisSizes,
  type TransformerEncoderOptions,
} from './transformer.js';
export { createViT, countViTParams, resolveViTOptions, VIT_PATCH_SIZES, type CreateViTOptions, type ResolvedViTOptions, type ViTPatchSize } from './vit.js';
export { enableWasmTraining, disableWasmTraining, isWasmTrainingEnabled, type WasmTrainingKernels } from './wasmKernels.js';
export { enableWasmThreads, disableWasmThreads, wasmThreadsCount, isThreadedWasmBackend, type WasmThreadsOptions } from './wasmThreads.js';
