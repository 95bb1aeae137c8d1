/**
 * Seeded pseudo-random numbers for the synthetic-data generator.
 *
 * Hand-written (a few lines) rather than a dependency: the generator must give identical
 * streams on every platform and Node version, and must be able to fork independent named
 * sub-streams (`rng.fork('drums')`) so that changing one part of a generated example (say the
 * accompaniment) never shifts the random numbers another part (the drums) sees.
 * Core: sfc32 (Chris Doty-Humphrey's Small Fast Counter, PractRand-clean), seeded by splitmix32
 * from a 32-bit FNV-1a hash of the seed text.
 */

/** 32-bit FNV-1a hash of a string. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A deterministic random stream; every method consumes a fixed number of draws per call. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  /** Seed text this stream was built from (`"1234/drums"`), kept for forking and debugging. */
  readonly seedText: string;

  /**
   * @param seed - any number or string; equal seeds give equal streams
   */
  constructor(seed: number | string) {
    this.seedText = String(seed);
    const mix = splitmix32(hashString(this.seedText));
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A new independent stream named `label` under this stream's seed (does not advance this one). */
  fork(label: string | number): Rng {
    return new Rng(`${this.seedText}/${label}`);
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** Integer uniform in [low, high] (both inclusive). */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Rng.pick: empty array');
    return items[Math.floor(this.next() * items.length)];
  }

  /** One element of `[item, weight]` pairs with probability proportional to the weight. */
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of pairs) total += w;
    let x = this.next() * total;
    for (const [item, w] of pairs) {
      x -= w;
      if (x < 0) return item;
    }
    return pairs[pairs.length - 1][0];
  }

  /** Normal deviate (Box–Muller, two draws per call). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-uniform in [low, high] (both > 0). */
  logUniform(low: number, high: number): number {
    return Math.exp(this.uniform(Math.log(low), Math.log(high)));
  }
}
