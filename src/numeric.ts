/** Numeric helpers shared by the TF-free layers (io, eval). */

/**
 * Rounds to the nearest integer, ties to the even neighbour (Python's `round`, numpy's
 * `np.round`). `Math.round` rounds ties towards +∞ and would put 0.125 s in frame 13.
 *
 * @param x - any number
 * @returns the nearest integer (ties to even); NaN and ±Infinity are returned unchanged
 */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const floor = Math.floor(x);
  // x - floor is exact for doubles (both have the same exponent range or floor is 0/-1).
  const diff = x - floor;
  if (diff < 0.5) return floor === 0 ? 0 : floor; // normalise -0 to 0
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}
