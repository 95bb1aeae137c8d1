// Public API of adtkit/train.
export * from './random.js';
export * from './infrequencyWeights.js';
export * from './loss.js';
export * from './adamw.js';
export * from './clipGradients.js';
export * from './schedulers.js';
export * from './dataset.js';
export * from './shardedDataset.js';
export * from './standardization.js';
export * from './checkpointStore.js';
export * from './validationScore.js';
export * from './train.js';
export * from './searchSpace.js';
export * from './samplers.js';
export * from './hyperparameterSearch.js';
export * from './buildSegments.js';
export * from './wasmTraining.js';
