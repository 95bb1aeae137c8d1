/**
 * Synthetic drum-transcription data generator (CLI).
 *
 *   npx tsx scripts/synth/generate.ts --out /work/synth-data --count 100 --seed 1 [--jobs 2]
 *       [--start 0] [--stems] [--float] [--fonts fluidr3,musescore,fluidr3mono] [--plan-only]
 *
 * Writes per example NNNNN.wav (mono 44.1 kHz), NNNNN.txt (`time<TAB>label`, KD/SD/TT/HH/CY),
 * NNNNN.json (metadata), NNNNN.drums.mid, NNNNN.accompaniment.mid (and NNNNN.drums.wav with
 * --stems), then summary.json. Example i depends only on (seed, i), so a data set can be
 * produced in shards (`--start`) or with any `--jobs` and comes out the same.
 * `--plan-only` builds the plans and annotations without fluidsynth (class statistics only).
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildExample, countLabels, planExample, renderExample, type GeneratorVersion, type RenderedExample } from './example.js';
import { fontById, FONTS, fontPath, loadKits, RESEARCH_FONTS, RESEARCH_KITS } from './fonts.js';
import { LABELS, type Label } from './gm.js';
import { fluidsynthVersion } from './render.js';

interface Totals {
  examples: number;
  audioSeconds: number;
  counts: Record<Label, number>;
  styles: Record<string, number>;
  kitFamilies: Record<string, number>;
  drumsOnly: number;
}

function emptyTotals(): Totals {
  return { examples: 0, audioSeconds: 0, counts: Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>, styles: {}, kitFamilies: {}, drumsOnly: 0 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '/work/synth-data' },
      count: { type: 'string', default: '10' },
      start: { type: 'string', default: '0' },
      seed: { type: 'string', default: '1' },
      jobs: { type: 'string', default: '1' },
      fonts: { type: 'string' },
      stems: { type: 'boolean', default: false },
      float: { type: 'boolean', default: false },
      'plan-only': { type: 'boolean', default: false },
      /** 1: the original data set; 2: adds sung vocals, overdriven accompaniment, louder accompaniment; 3: version 1 plus more, louder unlabelled shakers and tambourines; 4: version 3 plus quieter cymbals and a sympathetic cymbal wash under kick and snare (kitRealism.ts). */
      'generator-version': { type: 'string', default: '1' },
      /**
       * Draw the drum kits from RESEARCH_KITS (real acoustic kits whose licence forbids shipping a
       * model trained on them; the accompaniment keeps the GM fonts). For measurements only.
       */
      'research-kits': { type: 'boolean', default: false },
    },
  });
  const count = Number(values.count);
  const start = Number(values.start);
  const jobs = Number(values.jobs);
  for (const [name, v] of [['count', count], ['start', start], ['jobs', jobs]] as const) {
    if (!Number.isInteger(v) || v < (name === 'jobs' ? 1 : 0)) throw new Error(`--${name} must be a ${name === 'jobs' ? 'positive' : 'non-negative'} integer, got '${String(values[name])}'`);
  }
  const fontIds = values.fonts ? values.fonts.split(',').map((s) => s.trim()) : FONTS.map((f) => f.id);
  for (const id of fontIds) if (!FONTS.some((f) => f.id === id)) throw new Error(`--fonts: unknown font '${id}'; known: ${FONTS.map((f) => f.id).join(', ')}`);
  const researchKits = values['research-kits'];
  const kits = researchKits ? [...RESEARCH_KITS] : loadKits();
  if (researchKits) {
    fontIds.push(...RESEARCH_FONTS.map((f) => f.id));
    console.warn(`--research-kits: drums from ${RESEARCH_FONTS.map((f) => `${f.id} (${f.license})`).join(', ')}; a model trained on this data must not be shipped (scripts/synth/LICENSES.md), and bundle.ts refuses to make the built-in model from it`);
  }
  const generatorVersion = Number(values['generator-version']);
  if (![1, 2, 3, 4].includes(generatorVersion)) throw new Error(`--generator-version must be 1, 2, 3 or 4, got '${values['generator-version']}'`);
  const env = { kits, fontIds, generatorVersion: generatorVersion as GeneratorVersion };
  const totals = emptyTotals();
  const indices = Array.from({ length: count }, (_, i) => start + i);

  if (values['plan-only']) {
    for (const index of indices) {
      const plan = planExample(values.seed, index, env);
      const built = buildExample(plan);
      const counts = countLabels(built.annotations);
      for (const l of LABELS) totals.counts[l] += counts[l];
      totals.examples++;
      totals.audioSeconds += plan.durationSeconds;
      totals.styles[plan.style] = (totals.styles[plan.style] ?? 0) + 1;
      totals.kitFamilies[plan.kit.family] = (totals.kitFamilies[plan.kit.family] ?? 0) + 1;
      if (plan.drumsOnly) totals.drumsOnly++;
    }
    console.log(JSON.stringify(summarize(totals, null), null, 1));
    return;
  }

  if (!fluidsynthVersion()) throw new Error('fluidsynth is not installed (apt-get install fluidsynth)');
  for (const id of fontIds) {
    const font = fontById(id)!;
    if (!fontPath(font)) throw new Error(`soundfont '${id}' is not installed: apt-get install ${font.debianPackages.join(' or ')} (or leave it out with --fonts)`);
  }
  if (!existsSync(values.out)) mkdirSync(values.out, { recursive: true });
  // Font files and their hashes, so that a data set records exactly what it was rendered from.
  const fontFiles = await Promise.all(fontIds.map(async (id) => {
    const path = fontPath(fontById(id)!)!;
    return { id, path, sha256: await sha256OfFile(path) };
  }));
  const started = performance.now();
  let next = 0;
  const results: RenderedExample[] = [];
  const worker = async () => {
    while (next < indices.length) {
      const index = indices[next++];
      const plan = planExample(values.seed, index, env);
      const result = await renderExample(plan, { outDir: values.out, stems: values.stems, float: values.float });
      results.push(result);
      for (const l of LABELS) totals.counts[l] += result.counts[l];
      totals.examples++;
      totals.audioSeconds += result.durationSeconds;
      totals.styles[plan.style] = (totals.styles[plan.style] ?? 0) + 1;
      totals.kitFamilies[plan.kit.family] = (totals.kitFamilies[plan.kit.family] ?? 0) + 1;
      if (plan.drumsOnly) totals.drumsOnly++;
      const c = result.counts;
      console.log(`${result.id} ${plan.style.padEnd(8)} ${plan.tempo.beatsPerBar}/4 ${(60e6 / plan.tempo.microsecondsPerBeat).toFixed(1).padStart(5)} BPM ` +
        `${plan.kit.font}:${plan.kit.name.padEnd(11)} ${plan.drumsOnly ? 'drums-only ' : `d/a ${plan.mix.drumToAccompanimentDb.toFixed(1).padStart(5)} dB`} ` +
        `KD ${c.KD} SD ${c.SD} TT ${c.TT} HH ${c.HH} CY ${c.CY}  peak ${result.peakDbfs.toFixed(1)} rms ${result.rmsDbfs.toFixed(1)} dBFS  ${result.renderSeconds.toFixed(1)} s`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, indices.length) }, worker));
  const wallSeconds = (performance.now() - started) / 1000;
  const summary = summarize(totals, wallSeconds);
  writeFileSync(`${values.out}/summary${start === 0 ? '' : `-${start}`}.json`, JSON.stringify({ generatorVersion, seed: values.seed, start, count, jobs, fonts: fontFiles, fluidsynth: fluidsynthVersion(), ...summary }, null, 1) + '\n');
  console.log(JSON.stringify(summary, null, 1));
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function summarize(totals: Totals, wallSeconds: number | null) {
  const onsets = LABELS.reduce((a, l) => a + totals.counts[l], 0);
  return {
    examples: totals.examples,
    audioHours: Math.round((totals.audioSeconds / 3600) * 1000) / 1000,
    drumsOnly: totals.drumsOnly,
    counts: totals.counts,
    classShare: Object.fromEntries(LABELS.map((l) => [l, Math.round((totals.counts[l] / Math.max(1, onsets)) * 1000) / 1000])),
    onsetsPerMinute: Object.fromEntries(LABELS.map((l) => [l, Math.round((totals.counts[l] / Math.max(1e-9, totals.audioSeconds / 60)) * 10) / 10])),
    styles: totals.styles,
    kitFamilies: totals.kitFamilies,
    ...(wallSeconds === null ? {} : { wallSeconds: Math.round(wallSeconds * 10) / 10, audioSecondsPerWallSecond: Math.round((totals.audioSeconds / wallSeconds) * 100) / 100 }),
  };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
