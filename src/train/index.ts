// Public API of adtkit/train.
export * from './random.js';
export * from './infrequencyWeights.js';
export * from './loss.js';
