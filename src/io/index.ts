// Public API of adtkit/io.
export * from './audio/index.js';
