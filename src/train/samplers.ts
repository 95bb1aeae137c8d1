/**
 * Samplers for hyper-parameter search: random search and the Tree-structured Parzen Estimator
 * (Bergstra et al. 2011, "Algorithms for Hyper-Parameter Optimization"; defaults after Optuna's
 * TPESampler, which the thesis used through Ray Tune's OptunaSearch).
 *
 * TPE is written here because no maintained TPE exists for JavaScript. Parameters are modelled
 * independently (Optuna's default). After `startupTrials` random trials, the finished trials
 * are split into the best γ(n) ("below") and the rest ("above"); for each parameter a Parzen
 * estimator l(x) is fitted to the below values and g(x) to the above ones (each with a prior
 * component), `candidates` values are drawn from l, and the one maximising log l(x) − log g(x)
 * (the expected-improvement ratio) is chosen.
 */
import { InvalidArgumentError } from '../errors.js';
import { Rng } from './random.js';
import type { ParamSet, ParamSpec, ParamValue, SearchSpace } from './searchSpace.js';

/** A finished trial as a sampler sees it. */
export interface ObservedTrial {
  params: ParamSet;
  /** Objective value (higher is better after the direction is applied by the caller). */
  score: number;
}

/** Proposes the parameters of the next trial. */
export interface Sampler {
  /**
   * @param space - the search space.
   * @param history - finished trials, scores oriented so that higher is better.
   * @param rng - generator for this trial (seeded per trial number by the search).
   */
  sample(space: SearchSpace, history: readonly ObservedTrial[], rng: Rng): ParamSet;
}

/** Draws one value of a parameter uniformly (log-uniformly for `logUniform`). */
export function sampleUniform(spec: ParamSpec, rng: Rng): ParamValue {
  switch (spec.type) {
    case 'categorical':
      return spec.choices[rng.nextInt(spec.choices.length)];
    case 'logUniform':
      return Math.exp(Math.log(spec.low) + rng.next() * (Math.log(spec.high) - Math.log(spec.low)));
    case 'uniform':
      return spec.low + rng.next() * (spec.high - spec.low);
    case 'int':
      return spec.low + rng.nextInt(spec.high - spec.low + 1);
  }
}

/** Random search: every parameter drawn independently from its prior. */
export class RandomSampler implements Sampler {
  sample(space: SearchSpace, _history: readonly ObservedTrial[], rng: Rng): ParamSet {
    const out: ParamSet = {};
    for (const [name, spec] of Object.entries(space)) out[name] = sampleUniform(spec, rng);
    return out;
  }
}

/** Options of {@link TPESampler}. */
export interface TPESamplerOptions {
  /** Random trials before TPE starts. @defaultValue 10 (Optuna) */
  startupTrials?: number;
  /** Candidates drawn from l(x) per parameter. @defaultValue 24 (Optuna) */
  candidates?: number;
  /** Size of the "below" group for n finished trials. @defaultValue n ↦ min(ceil(0.1 n), 25) (Optuna) */
  gamma?: (n: number) => number;
  /** Weight of the prior component of each estimator. @defaultValue 1 */
  priorWeight?: number;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function erf(x: number): number {
  // Chebyshev fit of erfc from Numerical Recipes (fractional error < 1.2e-7): enough for the
  // truncation masses of the estimators.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - r : r - 1;
}

function normalCdf(x: number): number {
  return 0.5 * (1 + erf(x / Math.SQRT2));
}

/** A mixture of Gaussians truncated to [low, high] (in the transformed space). */
interface Parzen {
  mus: number[];
  sigmas: number[];
  weights: number[];
  low: number;
  high: number;
}

function fitParzen(values: readonly number[], low: number, high: number, priorWeight: number): Parzen {
  const range = high - low;
  const prior = { mu: 0.5 * (low + high), sigma: range };
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const mus = order.map((o) => o.v);
  // Bandwidth of each point: the larger distance to its sorted neighbours (bounds count as
  // neighbours), clipped to [range / min(100, n + 1), range] (hyperopt's rule).
  const sigmas = mus.map((mu, k) => {
    const left = k === 0 ? mu - low : mu - mus[k - 1];
    const right = k === mus.length - 1 ? high - mu : mus[k + 1] - mu;
    const s = Math.max(left, right);
    return Math.min(range, Math.max(range / Math.min(100, mus.length + 1), s));
  });
  const weights = mus.map(() => 1);
  mus.push(prior.mu);
  sigmas.push(prior.sigma);
  weights.push(priorWeight);
  const total = weights.reduce((a, b) => a + b, 0);
  return { mus, sigmas, weights: weights.map((w) => w / total), low, high };
}

function sampleParzen(p: Parzen, rng: Rng): number {
  let u = rng.next();
  let k = 0;
  while (k < p.weights.length - 1 && u >= p.weights[k]) {
    u -= p.weights[k];
    k++;
  }
  // Truncated normal by rejection (the mass inside is at least ~1/3 for these bandwidths).
  for (let tries = 0; tries < 100; tries++) {
    const x = p.mus[k] + p.sigmas[k] * rng.nextNormal();
    if (x >= p.low && x <= p.high) return x;
  }
  return Math.min(p.high, Math.max(p.low, p.mus[k]));
}

function logPdfParzen(p: Parzen, x: number): number {
  let total = 0;
  for (let k = 0; k < p.mus.length; k++) {
    const s = p.sigmas[k];
    const z = (x - p.mus[k]) / s;
    const mass = normalCdf((p.high - p.mus[k]) / s) - normalCdf((p.low - p.mus[k]) / s);
    total += p.weights[k] * Math.exp(-0.5 * z * z - LOG_SQRT_2PI) / (s * Math.max(mass, 1e-12));
  }
  return Math.log(Math.max(total, 1e-300));
}

/** Categorical estimator: observed counts plus a uniform prior. */
function categoricalProbabilities(values: readonly ParamValue[], choices: readonly ParamValue[], priorWeight: number): number[] {
  const counts = choices.map(() => priorWeight / choices.length);
  for (const v of values) {
    const k = choices.indexOf(v);
    if (k >= 0) counts[k] += 1;
  }
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}

/** TPE sampler; see the module comment. */
export class TPESampler implements Sampler {
  readonly startupTrials: number;
  readonly candidates: number;
  readonly gamma: (n: number) => number;
  readonly priorWeight: number;
  private readonly random = new RandomSampler();

  /**
   * @param options - see {@link TPESamplerOptions}.
   * @throws InvalidArgumentError for non-positive counts.
   */
  constructor(options: TPESamplerOptions = {}) {
    this.startupTrials = options.startupTrials ?? 10;
    this.candidates = options.candidates ?? 24;
    this.gamma = options.gamma ?? ((n) => Math.min(Math.ceil(0.1 * n), 25));
    this.priorWeight = options.priorWeight ?? 1;
    if (!Number.isInteger(this.startupTrials) || this.startupTrials < 0) throw new InvalidArgumentError(`startupTrials must be an integer >= 0, got ${this.startupTrials}`, { field: 'startupTrials' });
    if (!Number.isInteger(this.candidates) || this.candidates < 1) throw new InvalidArgumentError(`candidates must be a positive integer, got ${this.candidates}`, { field: 'candidates' });
    if (!(this.priorWeight > 0)) throw new InvalidArgumentError(`priorWeight must be > 0, got ${this.priorWeight}`, { field: 'priorWeight' });
  }

  sample(space: SearchSpace, history: readonly ObservedTrial[], rng: Rng): ParamSet {
    const finished = history.filter((t) => Number.isFinite(t.score));
    if (finished.length < Math.max(this.startupTrials, 2)) return this.random.sample(space, history, rng);
    const sorted = [...finished].sort((a, b) => b.score - a.score);
    const nBelow = Math.max(1, Math.min(sorted.length - 1, this.gamma(sorted.length)));
    const below = sorted.slice(0, nBelow);
    const above = sorted.slice(nBelow);
    const out: ParamSet = {};
    for (const [name, spec] of Object.entries(space)) {
      const b = below.map((t) => t.params[name]).filter((v) => v !== undefined);
      const a = above.map((t) => t.params[name]).filter((v) => v !== undefined);
      out[name] = this.sampleParam(spec, b, a, rng);
    }
    return out;
  }

  private sampleParam(spec: ParamSpec, below: ParamValue[], above: ParamValue[], rng: Rng): ParamValue {
    if (spec.type === 'categorical') {
      const l = categoricalProbabilities(below, spec.choices, this.priorWeight);
      const g = categoricalProbabilities(above, spec.choices, this.priorWeight);
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < this.candidates; c++) {
        let u = rng.next();
        let k = 0;
        while (k < l.length - 1 && u >= l[k]) {
          u -= l[k];
          k++;
        }
        const score = Math.log(l[k]) - Math.log(g[k]);
        if (score > bestScore) {
          bestScore = score;
          best = k;
        }
      }
      return spec.choices[best];
    }
    const log = spec.type === 'logUniform';
    // Integers are modelled on [low - 0.5, high + 0.5] and rounded.
    const low = spec.type === 'int' ? spec.low - 0.5 : log ? Math.log(spec.low) : spec.low;
    const high = spec.type === 'int' ? spec.high + 0.5 : log ? Math.log(spec.high) : spec.high;
    const tx = (v: ParamValue) => (log ? Math.log(v as number) : (v as number));
    const l = fitParzen(below.map(tx), low, high, this.priorWeight);
    const g = fitParzen(above.map(tx), low, high, this.priorWeight);
    let best = l.mus[0];
    let bestScore = -Infinity;
    for (let c = 0; c < this.candidates; c++) {
      const x = sampleParzen(l, rng);
      const score = logPdfParzen(l, x) - logPdfParzen(g, x);
      if (score > bestScore) {
        bestScore = score;
        best = x;
      }
    }
    if (spec.type === 'int') return Math.min(spec.high, Math.max(spec.low, Math.round(best)));
    if (log) return Math.min(spec.high, Math.max(spec.low, Math.exp(best)));
    return best;
  }
}
