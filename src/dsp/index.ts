// Public API of adtkit/dsp.
export {};
