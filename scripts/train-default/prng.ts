/**
 * Seeded PRNG (mulberry32) of the built-in model's augmentations (augment.ts, overlays.ts). Kept
 * as is rather than train/random.ts's Rng: the shipped model was trained with this exact stream
 * (changing it would make the run unreproducible from the repo).
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

