/**
 * Version of adtkit written into model cards (`card.adtkitVersion`). Kept as a constant rather
 * than read from package.json at run time so that the module works in browsers and bundlers;
 * a test checks that it equals the `version` of package.json.
 */
export const ADTKIT_VERSION = '0.1.0';
