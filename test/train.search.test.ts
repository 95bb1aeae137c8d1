import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  RandomSampler,
  Rng,
  THESIS_SEARCH_SPACES,
  TPESampler,
  hyperparameterSearch,
  validateSearchSpace,
  type ParamSet,
  type SearchSpace,
} from '../src/train/index.js';
import { resolveCNNOptions, resolveCRNNOptions, resolveRNNOptions } from '../src/models/index.js';
import { resolveConvTransformerOptions } from '../src/models/transformer.js';
import { resolveViTOptions } from '../src/models/vit.js';

const toySpace: SearchSpace = {
  x: { type: 'logUniform', low: 1e-4, high: 1e-1 },
  y: { type: 'uniform', low: -5, high: 5 },
  c: { type: 'categorical', choices: ['a', 'b', 'c', 'd'] },
  n: { type: 'int', low: 1, high: 10 },
};
// Maximum 1 at x = 10^-2.5, y = 1.3, c = 'c', n = 7.
const toy = (p: ParamSet) =>
  -((Math.log10(p.x as number) + 2.5) ** 2) - 0.1 * ((p.y as number) - 1.3) ** 2 + (p.c === 'c' ? 1 : 0) - 0.05 * ((p.n as number) - 7) ** 2;

async function bestOf(sampler: 'tpe' | 'random', seed: number, trials: number): Promise<{ best: number; values: number[] }> {
  const { record, best } = await hyperparameterSearch({ space: toySpace, objective: toy, trials, sampler, seed });
  return { best: best!.value!, values: record.trials.map((t) => t.value!) };
}

describe('samplers', () => {
  it('draw inside the space, log-uniform in log space', () => {
    const rng = new Rng(1);
    const s = new RandomSampler();
    const xs: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const p = s.sample(toySpace, [], rng);
      expect(p.x).toBeGreaterThanOrEqual(1e-4);
      expect(p.x).toBeLessThanOrEqual(1e-1);
      expect(Number.isInteger(p.n)).toBe(true);
      expect(['a', 'b', 'c', 'd']).toContain(p.c);
      xs.push(Math.log10(p.x as number));
    }
    const belowMid = xs.filter((v) => v < -2.5).length / xs.length;
    expect(Math.abs(belowMid - 0.5)).toBeLessThan(0.05);
  });

  it('TPE stays inside the space after the startup trials', () => {
    const rng = new Rng(2);
    const history = Array.from({ length: 20 }, () => {
      const params = new RandomSampler().sample(toySpace, [], rng);
      return { params, score: toy(params) };
    });
    const tpe = new TPESampler();
    for (let i = 0; i < 50; i++) {
      const p = tpe.sample(toySpace, history, new Rng(100 + i));
      expect(p.x).toBeGreaterThanOrEqual(1e-4);
      expect(p.x).toBeLessThanOrEqual(1e-1);
      expect(p.y).toBeGreaterThanOrEqual(-5);
      expect(p.n).toBeGreaterThanOrEqual(1);
      expect(p.n).toBeLessThanOrEqual(10);
    }
  });

  it('TPE beats random search on a toy objective on average, and converges', async () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const tpe = await Promise.all(seeds.map((s) => bestOf('tpe', s, 40)));
    const rnd = await Promise.all(seeds.map((s) => bestOf('random', s, 40)));
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    const tpeBest = mean(tpe.map((r) => r.best));
    const rndBest = mean(rnd.map((r) => r.best));
    expect(tpeBest).toBeGreaterThan(rndBest);
    // later TPE proposals are better than the random start-up ones
    const early = mean(tpe.flatMap((r) => r.values.slice(0, 10)));
    const late = mean(tpe.flatMap((r) => r.values.slice(30)));
    expect(late).toBeGreaterThan(early + 0.5);
  });
});

describe('hyperparameterSearch', () => {
  it('records trials to JSON and resumes: same proposals, numbering continues, interrupted trial re-run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adtkit-search-'));
    try {
      const file = join(dir, 'search.json');
      const full = await hyperparameterSearch({ space: toySpace, objective: toy, trials: 14, seed: 3 });
      const part = await hyperparameterSearch({ space: toySpace, objective: toy, trials: 12, seed: 3, file });
      expect(part.record.trials.map((t) => t.number)).toEqual(Array.from({ length: 12 }, (_, i) => i));
      // simulate a search killed while trial 12 was running
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      saved.trials.push({ ...full.record.trials[12], state: 'running', value: null, seconds: null });
      writeFileSync(file, JSON.stringify(saved));
      const seen: Array<[number, boolean]> = [];
      const resumed = await hyperparameterSearch({
        space: toySpace, trials: 14, seed: 3, file,
        objective: (p, ctx) => { seen.push([ctx.number, ctx.resumed]); return toy(p); },
      });
      expect(seen).toEqual([[12, true], [13, false]]);
      expect(resumed.record.trials.map((t) => t.params)).toEqual(full.record.trials.map((t) => t.params));
      expect(resumed.record.trials.map((t) => t.value)).toEqual(full.record.trials.map((t) => t.value));
      expect(JSON.parse(readFileSync(file, 'utf8')).trials.length).toBe(14);
      await expect(hyperparameterSearch({ space: toySpace, objective: toy, trials: 15, seed: 4, file })).rejects.toThrowError(/records a search with seed 3 \(this run: 4\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records failures, minimises, and validates the space', async () => {
    const { record, best } = await hyperparameterSearch({
      space: toySpace, trials: 6, sampler: 'random', direction: 'minimize', continueOnError: true,
      objective: (p, ctx) => { if (ctx.number === 2) throw new Error('out of memory'); return toy(p); },
    });
    expect(record.trials[2]).toMatchObject({ state: 'failed', error: 'out of memory' });
    const values = record.trials.filter((t) => t.state === 'complete').map((t) => t.value!);
    expect(best!.value).toBe(Math.min(...values));
    await expect(hyperparameterSearch({ space: toySpace, trials: 2, objective: () => { throw new Error('boom'); } })).rejects.toThrowError('boom');
    expect(() => validateSearchSpace({ lr: { type: 'logUniform', low: 0, high: 1 } })).toThrowError(/"lr": log-uniform needs low > 0/);
  });

  it('thesis spaces are valid and every sampled architecture point passes the model factories\' validation', () => {
    const resolvers = { rnn: resolveRNNOptions, cnn: resolveCNNOptions, crnn: resolveCRNNOptions, convTransformer: resolveConvTransformerOptions, vit: resolveViTOptions } as const;
    for (const [arch, space] of Object.entries(THESIS_SEARCH_SPACES)) {
      validateSearchSpace(space);
      const rng = new Rng(1);
      for (let i = 0; i < 30; i++) {
        const { learningRate, weightDecay, ...modelOptions } = new RandomSampler().sample(space, [], rng);
        expect(learningRate).toBeGreaterThanOrEqual(1e-4);
        expect(learningRate).toBeLessThanOrEqual(5e-3);
        expect(weightDecay).toBeGreaterThanOrEqual(1e-6);
        expect(weightDecay).toBeLessThanOrEqual(1e-2);
        // the factories reject unknown keys and values outside the thesis grids
        expect(() => (resolvers[arch as keyof typeof resolvers] as (o: object) => unknown)(modelOptions)).not.toThrow();
      }
    }
  });
});
