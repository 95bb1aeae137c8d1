/**
 * Caches the segments of every rendered synthetic example under the cache directory, one
 * shard directory per example; waits for the renderer while it runs (until `summary.json`).
 *
 *   npx tsx scripts/train-default/cache.ts [dataDir=/work/synth-data] [cacheDir=/work/train-cache]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cacheExample, listSynthExamples } from './common.js';

const dataDir = process.argv[2] ?? '/work/synth-data';
const cacheDir = process.argv[3] ?? '/work/train-cache';

async function main(): Promise<void> {
  const done = new Set<string>();
  const t0 = Date.now();
  for (;;) {
    const finished = existsSync(join(dataDir, 'summary.json'));
    const todo = listSynthExamples(dataDir).filter((e) => !done.has(e.id));
    for (const e of todo) {
      await cacheExample(cacheDir, e);
      done.add(e.id);
      if (done.size % 25 === 0) console.log(`${done.size} cached (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    if (finished && todo.length === 0) break;
    if (todo.length === 0) await new Promise((r) => setTimeout(r, 5000));
  }
  console.log(`all ${done.size} examples cached in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
