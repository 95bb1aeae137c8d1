// Public API of adtkit/train.
export {};
