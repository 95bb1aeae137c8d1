/**
 * Peak picking and onset scoring on plain arrays, without TensorFlow.js.
 *
 * adtkit/eval works on any activation curve or matrix, not only on model output: here a
 * hand-made two-class activation (KD, SD) at 100 frames per second is peak-picked, turned
 * into events and scored against reference onsets, with both matchings (mir_eval's
 * bipartite matching on seconds and the thesis' greedy matching on frames).
 *
 * Run: npx tsx examples/peak-pick-and-score.ts
 *
 * In an app, import from 'adtkit/eval' instead of '../src/eval/index.js'.
 */
import { activationsToEvents, onsetF1, peakPick, type OnsetF1Result } from '../src/eval/index.js';

const frameRate = 100; // frames per second: frame n is at n / 100 s
const frames = 300; // 3 s
const classNames = ['KD', 'SD'];

/** A smooth bump of height `height` centred on `frame` (what a trained model gives). */
function addBump(curve: Float32Array, frame: number, height: number): void {
  for (let d = -3; d <= 3; d++) {
    const n = frame + d;
    if (n >= 0 && n < curve.length) curve[n] = Math.max(curve[n], height * Math.exp(-(d * d) / 2));
  }
}

// Kick on the beats (0.5 s apart), snare on the off-beats; one weak snare (0.45) below the
// default threshold 0.5, and one spurious kick at 2.75 s.
const kick = new Float32Array(frames);
const snare = new Float32Array(frames);
for (const f of [20, 70, 120, 170, 220, 275]) addBump(kick, f, 0.9);
for (const f of [45, 95, 145, 195]) addBump(snare, f, 0.8);
addBump(snare, 245, 0.45);

// 1. Peak picking one curve: onset frames and peak heights.
const kickPeaks = peakPick(kick); // defaults: m = a = w = 2, δ = 0.1, threshold 0.5
console.log(`KD peak frames: ${Array.from(kickPeaks.peakFrames[0]).join(', ')}`);

// 2. Both classes at once: a frame-major matrix, data[frame * classes + class].
const matrix = { data: new Float32Array(frames * 2), frames, classes: 2 };
for (let n = 0; n < frames; n++) {
  matrix.data[n * 2] = kick[n];
  matrix.data[n * 2 + 1] = snare[n];
}
const lowThreshold = peakPick(matrix, { threshold: 0.3 });
console.log(`SD peak frames (threshold 0.3): ${Array.from(lowThreshold.peakFrames[1]).join(', ')}`);

// 3. Events with times in seconds and the peak height as velocity.
const estimated = activationsToEvents(matrix, { classNames, frameRate });
console.log(`estimated events: ${estimated.length}`);
for (const e of estimated.slice(0, 3)) {
  console.log(`  ${e.timeSeconds.toFixed(2)} s  ${e.className}  velocity ${e.velocity?.toFixed(2)}`);
}

// 4. Reference onsets (what an annotation file would give), slightly off the frame grid.
const reference = [
  ...[0.2, 0.7, 1.2, 1.7, 2.2].map((t) => ({ timeSeconds: t + 0.004, classIndex: 0 })),
  ...[0.45, 0.95, 1.45, 1.95, 2.45].map((t) => ({ timeSeconds: t - 0.003, classIndex: 1 })),
].sort((a, b) => a.timeSeconds - b.timeSeconds);

function report(title: string, result: OnsetF1Result): void {
  console.log(title);
  for (const c of result.perClass) {
    console.log(
      `  ${c.className}: P ${c.precision.toFixed(3)} R ${c.recall.toFixed(3)} F1 ${c.f1.toFixed(3)} ` +
        `(TP ${c.truePositives}, FP ${c.falsePositives}, FN ${c.falseNegatives})`,
    );
  }
  console.log(`  micro F1 ${result.micro.f1.toFixed(3)}, macro F1 ${result.macro.f1.toFixed(3)}`);
}

// mir_eval's rule: maximum matching, |est - ref| <= 50 ms, empty lists score 0.
report('bipartite matching, 50 ms window (mir_eval):', onsetF1(estimated, reference, { classNames }));
// The thesis' rule: greedy matching on integer frames, 5 frames tolerance.
report('greedy matching, 5 frames (thesis):', onsetF1(estimated, reference, { classNames, matching: 'greedy', toleranceFrames: 5, convention: 'thesis' }));
