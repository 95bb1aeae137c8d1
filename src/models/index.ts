// Public API of adtkit/models.
export {};
