/**
 * Scoring helpers of the default-model scripts: activations of a recording through
 * `transcribe()`, onsets at any thresholds, mir_eval-style F1 (bipartite matching, 50 ms), and
 * threshold tuning (global, then per class by coordinate ascent on the micro-F1).
 */
import { readFile } from 'node:fs/promises';
import { activationsToEvents, onsetF1, type MatchCounts } from '../../src/eval/index.js';
import { parseTextAnnotations, readAudioFile, type ClassMapping } from '../../src/io/index.js';
import type { DrumEvent } from '../../src/types.js';
import { transcribe, type ModelBundle, type TranscriptionActivations } from '../../src/transcribe/index.js';

/** Thesis peak-picking parameters (SPEC §6): m = a = w = 2, δ = 0.1. */
export const THESIS_PEAK = { maxRadiusFrames: 2, meanRadiusFrames: 2, minDistanceFrames: 2, delta: 0.1 };
/** Threshold grid of the tuning. */
export const THRESHOLD_GRID = Array.from({ length: 19 }, (_, i) => Math.round((0.05 + 0.05 * i) * 100) / 100);

export interface Track {
  name: string;
  activations: TranscriptionActivations;
  reference: DrumEvent[];
  durationSeconds: number;
}

/** Reads audio and annotations, runs the bundle (thresholds do not matter here: only the activations are kept). */
export async function transcribeTrack(bundle: ModelBundle, name: string, audioPath: string, annotationPath: string, mapping: ClassMapping): Promise<Track> {
  const audio = await readAudioFile(audioPath);
  const { activations, durationSeconds } = await transcribe(audio, { model: bundle, batchSize: 8 });
  const reference = parseTextAnnotations(await readFile(annotationPath), { mapping, file: annotationPath }).events;
  reference.sort((a, b) => a.timeSeconds - b.timeSeconds);
  return { name, activations, reference, durationSeconds };
}

/** Onsets of a track with one threshold per class (thesis peak picking otherwise). */
export function pickTrack(track: Track, thresholds: readonly number[]): DrumEvent[] {
  const a = track.activations;
  const pick = (threshold: number) => activationsToEvents(a, { ...THESIS_PEAK, threshold, frameRate: a.frameRate, classNames: a.classNames });
  if (thresholds.every((t) => t === thresholds[0])) return pick(thresholds[0]);
  const events: DrumEvent[] = [];
  for (let c = 0; c < a.classes; c++) {
    const one = pick(thresholds[c]);
    for (const e of one) if (e.classIndex === c) events.push(e);
  }
  return events.sort((x, y) => x.timeSeconds - y.timeSeconds || x.classIndex - y.classIndex);
}

/** Per-class counts of tracks at the given thresholds (mir_eval matching, 50 ms). */
export function countTracks(tracks: readonly Track[], thresholds: readonly number[]): MatchCounts[] {
  const classes = thresholds.length;
  const sum: MatchCounts[] = Array.from({ length: classes }, () => ({ truePositives: 0, falsePositives: 0, falseNegatives: 0 }));
  for (const t of tracks) {
    const r = onsetF1(pickTrack(t, thresholds), t.reference, { matching: 'bipartite', windowSeconds: 0.05, classNames: t.activations.classNames });
    r.perClass.forEach((p, c) => {
      sum[c].truePositives += p.truePositives;
      sum[c].falsePositives += p.falsePositives;
      sum[c].falseNegatives += p.falseNegatives;
    });
  }
  return sum;
}

export interface Scores {
  microF1: number;
  microPrecision: number;
  microRecall: number;
  classF1: Record<string, number>;
  counts: Record<string, MatchCounts>;
}

function f1(c: MatchCounts): number {
  const d = 2 * c.truePositives + c.falsePositives + c.falseNegatives;
  return d === 0 ? 0 : (2 * c.truePositives) / d;
}

/** Micro and per-class scores from summed counts (mir_eval: 0 for an empty side). */
export function scoresOf(counts: readonly MatchCounts[], classNames: readonly string[]): Scores {
  const total = counts.reduce((s, c) => ({ truePositives: s.truePositives + c.truePositives, falsePositives: s.falsePositives + c.falsePositives, falseNegatives: s.falseNegatives + c.falseNegatives }), { truePositives: 0, falsePositives: 0, falseNegatives: 0 });
  const r4 = (x: number) => Math.round(x * 10000) / 10000;
  return {
    microF1: r4(f1(total)),
    microPrecision: r4(total.truePositives / Math.max(1, total.truePositives + total.falsePositives)),
    microRecall: r4(total.truePositives / Math.max(1, total.truePositives + total.falseNegatives)),
    classF1: Object.fromEntries(classNames.map((n, c) => [n, r4(f1(counts[c]))])),
    counts: Object.fromEntries(classNames.map((n, c) => [n, counts[c]])),
  };
}

/**
 * Tunes thresholds on tracks: the best global threshold on the grid, then per class by
 * coordinate ascent on the micro-F1 (two sweeps; counts per class and threshold computed once).
 */
export function tuneThresholds(tracks: readonly Track[], classes: number): { global: number; perClass: number[]; globalMicroF1: number; perClassMicroF1: number } {
  // table[t][c] = counts of class c at grid threshold t (a class's counts depend on its own threshold only).
  const table = THRESHOLD_GRID.map((t) => countTracks(tracks, new Array<number>(classes).fill(t)));
  const micro = (choice: number[]) => f1(choice.reduce((s, ti, c) => {
    const k = table[ti][c];
    return { truePositives: s.truePositives + k.truePositives, falsePositives: s.falsePositives + k.falsePositives, falseNegatives: s.falseNegatives + k.falseNegatives };
  }, { truePositives: 0, falsePositives: 0, falseNegatives: 0 }));
  let bestGlobal = 0;
  THRESHOLD_GRID.forEach((_, ti) => {
    if (micro(new Array<number>(classes).fill(ti)) > micro(new Array<number>(classes).fill(bestGlobal))) bestGlobal = ti;
  });
  const choice = new Array<number>(classes).fill(bestGlobal);
  for (let sweep = 0; sweep < 2; sweep++) {
    for (let c = 0; c < classes; c++) {
      let best = choice[c];
      for (let ti = 0; ti < THRESHOLD_GRID.length; ti++) {
        const trial = choice.slice();
        trial[c] = ti;
        const cur = choice.slice();
        cur[c] = best;
        if (micro(trial) > micro(cur)) best = ti;
      }
      choice[c] = best;
    }
  }
  return {
    global: THRESHOLD_GRID[bestGlobal],
    perClass: choice.map((ti) => THRESHOLD_GRID[ti]),
    globalMicroF1: micro(new Array<number>(classes).fill(bestGlobal)),
    perClassMicroF1: micro(choice),
  };
}
