/**
 * adtkit/train: everything the thesis does to train a model (SPEC §5), as composable pieces
 * plus one resumable `train()`. TF.js (tfjs-core + tfjs-layers) is a peer dependency; no
 * backend is imported here (register cpu, wasm or webgl in the application).
 *
 * @packageDocumentation
 */
export { Rng, deriveSeed, shuffledIndices, withSeededRandom, type RngState } from './random.js';
export { ABSENT_CLASS_PROBABILITY, InfrequencyWeightsAccumulator, infrequencyWeights, type TargetValues } from './infrequencyWeights.js';
export { bceWithLogits, timestepWeights, unweightedBceWithLogits, weightedBceWithLogits } from './loss.js';
export { AdamW, type AdamWOptions, type AdamWState } from './adamw.js';
export { clipGradientsByGlobalNorm, type ClipGradientsOptions, type ClipGradientsResult } from './clipGradients.js';
export {
  EarlyStopping,
  ReduceLROnPlateau,
  type EarlyStoppingOptions,
  type EarlyStoppingState,
  type ReduceLROnPlateauOptions,
  type ReduceLROnPlateauState,
} from './schedulers.js';
export {
  InMemorySegmentDataset,
  SEGMENT_FRAMES,
  batchIndices,
  datasetInfrequencyWeights,
  iterateDataset,
  type BatchIndicesOptions,
  type Segment,
  type SegmentBatch,
  type SegmentDataset,
  type SegmentShape,
} from './dataset.js';
export {
  ShardedSegmentDataset,
  openShardedDataset,
  writeSegmentShards,
  type ShardManifest,
  type WriteSegmentShardsOptions,
} from './shardedDataset.js';
export {
  buildSegmentDataset,
  exampleSegments,
  segmentsFromExamples,
  writeExampleShards,
  type AnnotationSource,
  type BuildSegmentsOptions,
  type SourcedSegment,
  type TrainingExample,
} from './buildSegments.js';
export { fitDatasetStandardization } from './standardization.js';
export { directoryCheckpointStore, memoryCheckpointStore, type CheckpointFiles, type CheckpointStore } from './checkpointStore.js';
export {
  thesisValidationScorer,
  type ThesisValidationScorerOptions,
  type ValidationScore,
  type ValidationScorer,
  type ValidationShape,
} from './validationScore.js';
export {
  train,
  type EpochRecord,
  type TrainData,
  type TrainOptions,
  type TrainProgressEvent,
  type TrainResult,
  type TrainStopReason,
} from './train.js';
export {
  OPTIMIZER_SEARCH_SPACE,
  THESIS_SEARCH_SPACES,
  validateSearchSpace,
  type ParamSet,
  type ParamSpec,
  type ParamValue,
  type SearchSpace,
} from './searchSpace.js';
export { RandomSampler, TPESampler, sampleUniform, type ObservedTrial, type Sampler, type TPESamplerOptions } from './samplers.js';
export {
  hyperparameterSearch,
  type HyperparameterSearchOptions,
  type HyperparameterSearchResult,
  type SearchRecord,
  type TrialContext,
  type TrialRecord,
  type TrialState,
} from './hyperparameterSearch.js';
// One implementation of the wasm training kernels lives in adtkit/models; re-exported for convenience.
export { enableWasmTraining } from '../models/wasmKernels.js';
