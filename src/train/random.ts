/**
 * Small seeded pseudo-random number generators for shuffling, sampling and dropout.
 *
 * Hand-written on purpose: adtkit needs a generator whose whole state is one 32-bit integer,
 * so that a training run can write it to a checkpoint and resume bit-exactly; the well-kept
 * libraries (seedrandom) keep larger opaque states.
 */
import { InvalidArgumentError } from '../errors.js';

/** State of a {@link Rng}: one unsigned 32-bit integer. */
export type RngState = number;

/**
 * Mulberry32 generator (Tommy Ettinger, public domain): 32-bit state, period 2^32, good enough
 * for shuffling and sampling (not for cryptography).
 */
export class Rng {
  private state: number;

  /**
   * @param seed - any integer (its low 32 bits are used); non-integers are rejected.
   * @throws InvalidArgumentError when `seed` is not a finite integer.
   */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) {
      throw new InvalidArgumentError(`seed must be an integer, got ${seed}`, { field: 'seed' });
    }
    this.state = seed >>> 0;
  }

  /** Restores a generator from {@link Rng.getState}. */
  static fromState(state: RngState): Rng {
    return new Rng(state);
  }

  /** The whole state, to store in a checkpoint. */
  getState(): RngState {
    return this.state >>> 0;
  }

  /** Next unsigned 32-bit integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform double in [0, 1) with 32 random bits. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    // Rejection sampling avoids modulo bias.
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal deviate (Box-Muller). */
  nextNormal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

/**
 * Mixes integers into one well-spread 32-bit seed (SplitMix32 finaliser applied in turn), so
 * that a run seed and an epoch number give independent streams: `deriveSeed(seed, epoch)`.
 */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = (h + (part >>> 0) + 0x9e3779b9) >>> 0;
    let z = h;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    h = (z ^ (z >>> 16)) >>> 0;
  }
  return h;
}

/** Fisher-Yates shuffle of `0 .. n-1` driven by `rng`. */
export function shuffledIndices(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}

/**
 * Runs `fn` with `Math.random` replaced by a seeded generator and restores it afterwards.
 *
 * TF.js draws the seed of every random op that is given none (initializers, dropout) from
 * `Math.random`, so building a model inside `withSeededRandom` gives the same initial weights
 * on every run, and a training step inside it gives the same dropout masks.
 * Only for synchronous work: the replacement is visible to all code that runs meanwhile.
 *
 * @param seed - integer seed, or an {@link Rng} whose state advances.
 * @param fn - synchronous function to run.
 * @returns what `fn` returns.
 */
export function withSeededRandom<T>(seed: number | Rng, fn: () => T): T {
  const rng = typeof seed === 'number' ? new Rng(seed) : seed;
  const original = Math.random;
  Math.random = () => rng.next();
  try {
    const result = fn();
    if (result instanceof Promise) {
      throw new InvalidArgumentError('withSeededRandom runs synchronous functions only; got a function returning a Promise', { field: 'fn' });
    }
    return result;
  } finally {
    Math.random = original;
  }
}
