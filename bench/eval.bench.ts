/**
 * adtkit/eval throughput: peak picking and onset F1 on 10 minutes and one hour of 5-class
 * activations at 100 fps (60,000 and 360,000 frames). Linear time shows as a 1 h / 10 min
 * time ratio close to 6.
 */
import { activationsToEvents, OnlinePeakPicker, onsetF1, peakPick } from '../src/eval/index.js';
import type { DrumEvent } from '../src/types.js';

export const name = 'eval';

const FRAME_RATE = 100;
const CLASSES = 5;

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Activations with decaying peaks at random onsets (about 3 per second per class) plus noise. */
function synthesize(frames: number, seed: number): { data: Float32Array; reference: DrumEvent[] } {
  const random = rng(seed);
  const data = new Float32Array(frames * CLASSES);
  for (let i = 0; i < data.length; i++) data[i] = 0.05 * random();
  const reference: DrumEvent[] = [];
  for (let c = 0; c < CLASSES; c++) {
    let n = Math.floor(random() * 30);
    while (n < frames) {
      reference.push({ timeSeconds: n / FRAME_RATE, classIndex: c });
      const height = 0.3 + 0.7 * random();
      // Estimated peak up to 2 frames off the reference onset, decaying over 6 frames.
      const at = n + Math.floor(random() * 5) - 2;
      for (let k = 0; k < 6; k++) {
        const f = at + k;
        if (f >= 0 && f < frames) data[f * CLASSES + c] = Math.max(data[f * CLASSES + c], height * Math.exp(-0.8 * k));
      }
      n += 8 + Math.floor(random() * 60);
    }
  }
  reference.sort((x, y) => x.timeSeconds - y.timeSeconds || x.classIndex - y.classIndex);
  return { data, reference };
}

interface Measured {
  minutes: number;
  frames: number;
  referenceEvents: number;
  estimatedEvents: number;
  peakPickSeconds: number;
  peakPickThesisSeconds: number;
  onlinePickerSeconds: number;
  onsetF1BipartiteSeconds: number;
  onsetF1GreedySeconds: number;
  peakPickFramesPerSecond: number;
  peakPickWallSeconds: number;
  microF1: number;
}

/**
 * Fastest CPU time (user + system of this process) of one call [s]. CPU time rather than
 * wall time because benchmarks may share a loaded machine; each sample repeats the call
 * `repeats` times so that the 10-minute and 1-hour inputs are timed over the same amount of
 * work (about one hour of frames per sample). The wall time of the same samples is reported
 * too ({@link wallSeconds}).
 */
async function timeCall(fn: () => unknown, repeats: number): Promise<number> {
  let best = Infinity;
  let bestWall = Infinity;
  for (let run = 0; run < 11; run++) {
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (let r = 0; r < repeats; r++) fn();
    const cpu = process.cpuUsage(cpu0);
    const wall = (performance.now() - wall0) / 1000;
    // The first two samples are warm-up (JIT).
    if (run < 2) continue;
    best = Math.min(best, (cpu.user + cpu.system) / 1e6 / repeats);
    bestWall = Math.min(bestWall, wall / repeats);
  }
  wallSeconds.set(fn, bestWall);
  return best;
}

/** Wall time of the last {@link timeCall} of each function [s]. */
const wallSeconds = new Map<() => unknown, number>();

async function measure(minutes: number): Promise<Measured> {
  const frames = minutes * 60 * FRAME_RATE;
  const { data, reference } = synthesize(frames, 20240611 + minutes);
  const matrix = { data, frames, classes: CLASSES };
  const estimated = activationsToEvents(matrix);
  const repeats = Math.max(1, Math.round(60 / minutes));
  const pickFn = () => peakPick(matrix);
  const pick = await timeCall(pickFn, repeats);
  const pickThesis = await timeCall(() => peakPick(matrix, { compat: 'thesis' }), repeats);
  const online = await timeCall(() => {
    const picker = new OnlinePeakPicker({ classes: CLASSES, causal: false });
    for (let start = 0; start < frames; start += FRAME_RATE) {
      picker.push(data.subarray(start * CLASSES, Math.min(frames, start + FRAME_RATE) * CLASSES));
    }
    picker.flush();
  }, repeats);
  const f1 = await timeCall(() => onsetF1(estimated, reference), repeats);
  const f1Greedy = await timeCall(() => onsetF1(estimated, reference, { matching: 'greedy' }), repeats);
  return {
    minutes,
    frames,
    referenceEvents: reference.length,
    estimatedEvents: estimated.length,
    peakPickSeconds: pick,
    peakPickThesisSeconds: pickThesis,
    onlinePickerSeconds: online,
    onsetF1BipartiteSeconds: f1,
    onsetF1GreedySeconds: f1Greedy,
    peakPickFramesPerSecond: Math.round(frames / pick),
    peakPickWallSeconds: wallSeconds.get(pickFn)!,
    microF1: onsetF1(estimated, reference).micro.f1,
  };
}

export async function run(): Promise<object> {
  const short = await measure(10);
  const long = await measure(60);
  const ratio = (key: keyof Measured) => Number(((long[key] as number) / (short[key] as number)).toFixed(2));
  return {
    description: '5-class activations at 100 fps; *Seconds = fastest CPU time per call over 9 samples (each about one hour of frames: 6 calls at 10 min, 1 at 60 min); ratio = time(60 min) / time(10 min), 6 for linear time',
    tenMinutes: short,
    oneHour: long,
    ratioOneHourToTenMinutes: {
      peakPick: ratio('peakPickSeconds'),
      peakPickThesis: ratio('peakPickThesisSeconds'),
      onlinePicker: ratio('onlinePickerSeconds'),
      onsetF1Bipartite: ratio('onsetF1BipartiteSeconds'),
      onsetF1Greedy: ratio('onsetF1GreedySeconds'),
    },
  };
}
