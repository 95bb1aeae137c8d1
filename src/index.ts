// Root entry point: re-exports the TF-free layers. Models and training live in
// adtkit/models and adtkit/train so that importing adtkit never pulls TensorFlow.js.
export * from './errors.js';
export * from './types.js';
export * from './dsp/index.js';
export * from './io/index.js';
export * from './eval/index.js';
