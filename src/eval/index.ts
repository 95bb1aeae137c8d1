// Public API of adtkit/eval.
export {};
