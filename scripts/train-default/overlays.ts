/**
 * Overlay augmentation for the built-in model (not shipped): synthesized cymbal hits (labelled
 * CY) and pitched non-drum notes (labelled nothing) mixed into training segments.
 *
 * Why: the stage-2 model hears almost none of the real cymbals in MDB Drums (CY recall 9%; most
 * of them are a 1960s ride cymbal whose onsets get a median CY activation of 0.10 even on the
 * drum-only track), and it fires toms and snares on guitars and bass in real mixes (TT: 144
 * false positives for 21 hits). The General MIDI fonts have a handful of cymbal samples, all
 * bright and loud; real cymbals range from dark, quiet rides to trashy chinas. So we add
 * cymbals of widely varied physical parameters (modal synthesis: hundreds of inharmonic
 * partials with frequency-dependent decay, a stick transient, a bloom for crashes, bell partials
 * for rides) at levels from clearly audible to barely so, and, as counter-examples, plucked,
 * struck, sustained and distorted pitched notes and chords that must not trigger any class.
 *
 * Mixing is done on the filtered magnitudes: independent sources add in power on average, so
 * `s = sqrt(s_a² + (g · s_b)²)` per band and frame (exact for the expectation of |A + B|² within
 * one STFT bin; the filterbank sums bins, which keeps it a close approximation). Each clip is a
 * real signal run through adtkit's own `logFilteredSpectrogram` (thesis preset), so the 2048-point
 * window's onset smearing is the real one. Reproducible: the clip bank is built from a fixed
 * seed and each segment's overlays from (seed, epoch, segment).
 */
import { logFilteredSpectrogram } from '../../src/dsp/index.js';
import { mulberry32 } from './prng.js';

export const SAMPLE_RATE = 44100;
const CY_CLASS = 4;

/** The seeded PRNG of prng.ts (re-exported for the tests). */
export { mulberry32 };

/** One overlay: filtered magnitudes `[frames, bins]` (linear, not log) and its class or null. */
export interface OverlayClip {
  kind: string;
  magnitudes: Float32Array;
  frames: number;
  bins: number;
  /** Largest magnitude of the clip (for level matching). */
  peak: number;
  /** Class index the clip's onset is labelled with (frame 0 = onset), or null for distractors. */
  label: number | null;
  /** Frame of the onset within the clip (the STFT is centered, so 0). */
  onsetFrame: number;
}

type Random = () => number;
const uniform = (random: Random, lo: number, hi: number): number => lo + (hi - lo) * random();
const logUniform = (random: Random, lo: number, hi: number): number => Math.exp(uniform(random, Math.log(lo), Math.log(hi)));
const gaussian = (random: Random): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** Adds an exponentially decaying sinusoid to `out` with a recursive oscillator (no per-sample sin). */
function addPartial(out: Float32Array, start: number, frequency: number, amplitude: number, decaySeconds: number, phase: number, attackSeconds: number): void {
  const w = (2 * Math.PI * frequency) / SAMPLE_RATE;
  const decay = Math.exp(-1 / (decaySeconds * SAMPLE_RATE));
  const cosW = Math.cos(w);
  const sinW = Math.sin(w);
  let re = Math.cos(phase) * amplitude;
  let im = Math.sin(phase) * amplitude;
  const attack = Math.max(1, Math.round(attackSeconds * SAMPLE_RATE));
  for (let i = start; i < out.length; i++) {
    const k = i - start;
    out[i] += k < attack ? (re * k) / attack : re;
    const nextRe = (re * cosW - im * sinW) * decay;
    im = (re * sinW + im * cosW) * decay;
    re = nextRe;
    if (Math.abs(re) + Math.abs(im) < amplitude * 1e-5) break;
  }
}

/** Decaying noise burst, high-passed by a one-pole filter with corner `corner` Hz (stick or pick). */
function addNoiseBurst(out: Float32Array, start: number, amplitude: number, decaySeconds: number, corner: number, random: Random): void {
  const decay = Math.exp(-1 / (decaySeconds * SAMPLE_RATE));
  const a = Math.exp((-2 * Math.PI * corner) / SAMPLE_RATE);
  let level = amplitude;
  let previousIn = 0;
  let previousOut = 0;
  for (let i = start; i < out.length && level > amplitude * 1e-4; i++) {
    const x = (random() * 2 - 1) * level;
    const y = a * (previousOut + x - previousIn);
    previousIn = x;
    previousOut = y;
    out[i] += y;
    level *= decay;
  }
}

/** A synthesized cymbal: ride, ride bell, crash, splash or china, parameters drawn widely. */
export function synthesizeCymbal(kind: 'ride' | 'bell' | 'crash' | 'splash' | 'china', random: Random, seconds = 2.5): Float32Array {
  const out = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  const lead = 2048; // silence before the onset so the centered STFT sees the attack at a frame
  const partials = Math.round(uniform(random, 120, 320));
  const centre = logUniform(random, kind === 'ride' || kind === 'bell' ? 2000 : 2500, kind === 'china' ? 6000 : 9000);
  const width = uniform(random, 0.8, 2.2); // octaves (standard deviation of the log-Gaussian envelope)
  const lowest = logUniform(random, 250, 900);
  const highest = Math.min(19000, logUniform(random, 9000, 18000));
  const baseDecay = { ride: uniform(random, 1.2, 4), bell: uniform(random, 1.5, 4), crash: uniform(random, 0.8, 3), splash: uniform(random, 0.25, 0.9), china: uniform(random, 0.5, 1.8) }[kind];
  const highFrequencyDamping = uniform(random, 0.2, 0.7);
  const bloom = kind === 'crash' || kind === 'china' || kind === 'splash' ? logUniform(random, 0.004, 0.04) : logUniform(random, 0.0005, 0.004);
  for (let p = 0; p < partials; p++) {
    const frequency = logUniform(random, lowest, highest);
    const octaves = Math.log2(frequency / centre);
    const amplitude = Math.exp(-0.5 * (octaves / width) ** 2) * logUniform(random, 0.3, 1);
    const decay = baseDecay * (frequency / 1000) ** -highFrequencyDamping * logUniform(random, 0.6, 1.6);
    addPartial(out, lead, frequency, amplitude, decay, random() * 2 * Math.PI, bloom * uniform(random, 0.5, 1.5));
  }
  if (kind === 'bell' || (kind === 'ride' && random() < 0.5)) {
    // Bell: a few strong, long-ringing inharmonic partials in the low-mid range.
    const bellBase = logUniform(random, 350, 1100);
    const ratios = [1, 1.56, 2.13, 2.71, 3.42];
    const strength = kind === 'bell' ? uniform(random, 2, 6) : uniform(random, 0.3, 1.5);
    for (const ratio of ratios) addPartial(out, lead, bellBase * ratio * uniform(random, 0.98, 1.02), strength * logUniform(random, 0.3, 1), baseDecay * uniform(random, 0.5, 1.2), random() * 2 * Math.PI, 0.0005);
  }
  if (kind === 'china') {
    // Trashy: amplitude-modulated partial cluster (rough beating).
    const am = uniform(random, 30, 90);
    for (let i = lead; i < out.length; i++) out[i] *= 1 + 0.4 * Math.sin((2 * Math.PI * am * (i - lead)) / SAMPLE_RATE);
  }
  let rms = 0;
  for (let i = lead; i < lead + 4410 && i < out.length; i++) rms += out[i] * out[i];
  rms = Math.sqrt(rms / 4410) || 1;
  addNoiseBurst(out, lead, rms * logUniform(random, 0.5, 4), logUniform(random, 0.002, 0.02), logUniform(random, 1500, 6000), random);
  return out;
}

/** A pitched non-drum event: plucked / struck / sustained / distorted note or chord (bass to lead range). */
export function synthesizeDistractor(random: Random, seconds = 2.5): Float32Array {
  const out = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  const lead = 2048;
  const style = Math.floor(random() * 4); // 0 pluck, 1 struck (piano-like), 2 sustained (pad / voice / organ), 3 distorted
  const register = random();
  const lowMidi = register < 0.35 ? 28 : register < 0.75 ? 40 : 55;
  const root = lowMidi + Math.floor(random() * 24);
  const chord = random() < (style === 3 ? 0.7 : 0.4) ? [0, 7, 12, 4 + Math.floor(random() * 2)].slice(0, 2 + Math.floor(random() * 3)) : [0];
  const rolloff = style === 3 ? uniform(random, 0.3, 0.9) : uniform(random, 1, 2.5); // amplitude ~ 1/h^rolloff
  const strumSeconds = style === 0 && chord.length > 1 ? uniform(random, 0, 0.03) : 0;
  const vibrato = style === 2 && random() < 0.5;
  for (let n = 0; n < chord.length; n++) {
    const f0 = 440 * 2 ** ((root + chord[n] - 69) / 12) * (1 + 0.003 * gaussian(random));
    const start = lead + Math.round(n * strumSeconds * SAMPLE_RATE);
    const decay = style === 0 ? uniform(random, 0.3, 2) : style === 1 ? uniform(random, 0.6, 3) : uniform(random, 4, 20);
    const attack = style === 2 ? uniform(random, 0.02, 0.15) : style === 3 ? uniform(random, 0.003, 0.02) : uniform(random, 0.001, 0.006);
    for (let h = 1; f0 * h < 16000 && h <= 60; h++) {
      const amplitude = h ** -rolloff * logUniform(random, 0.5, 1.5);
      // Strings are slightly inharmonic; a voice wobbles (vibrato approximated by detuned copies).
      const frequency = f0 * h * Math.sqrt(1 + 0.0002 * h * h * (style === 1 ? 1 : 0.1));
      addPartial(out, start, frequency, amplitude, decay / (1 + 0.08 * h), random() * 2 * Math.PI, attack);
      if (vibrato) addPartial(out, start, frequency * 1.006, amplitude * 0.5, decay, random() * 2 * Math.PI, attack);
    }
    if (style === 0 || style === 3) addNoiseBurst(out, start, 0.3 * logUniform(random, 0.1, 1), logUniform(random, 0.002, 0.012), logUniform(random, 500, 4000), random);
  }
  if (style === 3) {
    let peak = 0;
    for (const v of out) peak = Math.max(peak, Math.abs(v));
    const drive = uniform(random, 2, 10) / (peak || 1);
    for (let i = 0; i < out.length; i++) out[i] = Math.tanh(out[i] * drive);
  }
  if (style === 2) {
    // Sustained notes end: a release over the last 20% of the clip.
    const release = Math.round(out.length * uniform(random, 0.2, 0.6));
    for (let i = 0; i < release; i++) out[out.length - 1 - i] *= i / release;
  }
  return out;
}

function clipOf(kind: string, signal: Float32Array, label: number | null): OverlayClip {
  const spectrogram = logFilteredSpectrogram(signal, SAMPLE_RATE, { preset: 'thesis' });
  const magnitudes = new Float32Array(spectrogram.data.length);
  let peak = 0;
  for (let i = 0; i < magnitudes.length; i++) {
    magnitudes[i] = 10 ** spectrogram.data[i] - 1;
    peak = Math.max(peak, magnitudes[i]);
  }
  // The onset sits at sample 2048 = frame 2048 / 441 ≈ 4.64: the frame whose centre is nearest.
  return { kind, magnitudes, frames: spectrogram.frames, bins: spectrogram.bins, peak, label, onsetFrame: Math.round(2048 / 441) };
}

/** The clip bank: `cymbals` cymbal clips and `distractors` pitched clips, from `seed`. */
export function buildOverlayBank(seed: number, cymbals = 160, distractors = 160): OverlayClip[] {
  const random = mulberry32(seed);
  const kinds = ['ride', 'ride', 'ride', 'bell', 'crash', 'crash', 'splash', 'china'] as const;
  const bank: OverlayClip[] = [];
  for (let i = 0; i < cymbals; i++) {
    const kind = kinds[i % kinds.length];
    bank.push(clipOf(kind, synthesizeCymbal(kind, random), CY_CLASS));
  }
  for (let i = 0; i < distractors; i++) bank.push(clipOf('pitched', synthesizeDistractor(random), null));
  return bank;
}

export interface OverlayOptions {
  /** Probability that a segment gets cymbal overlays (default 0.5). */
  cymbalProbability?: number;
  /** Probability that a segment gets pitched distractors (default 0.5). */
  distractorProbability?: number;
}

/**
 * Mixes overlays into one segment in place: `features` `[frames, bins]` are log10(1 + s), targets
 * `[frames, classes]` are widened (1 at the onset, 0.5 at ±radius).
 */
export function overlaySegment(
  features: Float32Array,
  targets: Float32Array,
  frames: number,
  bins: number,
  classes: number,
  bank: readonly OverlayClip[],
  random: Random,
  options: OverlayOptions = {},
  wideningRadius = 1,
): void {
  const cymbalClips = bank.filter((c) => c.label !== null);
  const distractorClips = bank.filter((c) => c.label === null);
  let segmentPeak = 0;
  for (let i = 0; i < features.length; i++) segmentPeak = Math.max(segmentPeak, features[i]);
  const peakMagnitude = 10 ** segmentPeak - 1;
  if (!(peakMagnitude > 0)) return;
  const placements: { clip: OverlayClip; onset: number; gain: number }[] = [];
  if (random() < (options.cymbalProbability ?? 0.5)) {
    const count = 1 + Math.floor(random() * (random() < 0.3 ? 16 : 4)); // sometimes a ride pattern
    const spacing = Math.round(uniform(random, 12, 40));
    const first = Math.floor(uniform(random, -20, frames - 10));
    const clipIndex = Math.floor(random() * cymbalClips.length);
    for (let n = 0; n < count; n++) {
      const clip = cymbalClips[random() < 0.7 ? clipIndex : Math.floor(random() * cymbalClips.length)];
      const onset = count > 4 ? first + n * spacing + Math.round(gaussian(random) * 1) : Math.floor(uniform(random, -20, frames - 5));
      const gain = (peakMagnitude / clip.peak) * 10 ** (uniform(random, -30, -2) / 20);
      placements.push({ clip, onset, gain });
    }
  }
  if (random() < (options.distractorProbability ?? 0.5)) {
    const count = 1 + Math.floor(random() * 8);
    for (let n = 0; n < count; n++) {
      const clip = distractorClips[Math.floor(random() * distractorClips.length)];
      const gain = (peakMagnitude / clip.peak) * 10 ** (uniform(random, -24, 2) / 20);
      placements.push({ clip, onset: Math.floor(uniform(random, -150, frames - 5)), gain });
    }
  }
  if (placements.length === 0) return;
  const power = new Float64Array(frames * bins);
  for (let i = 0; i < power.length; i++) {
    const s = 10 ** features[i] - 1;
    power[i] = s * s;
  }
  for (const { clip, onset, gain } of placements) {
    const shift = onset - clip.onsetFrame;
    for (let t = Math.max(0, -shift); t < clip.frames && t + shift < frames; t++) {
      const row = (t + shift) * bins;
      const clipRow = t * clip.bins;
      for (let k = 0; k < bins; k++) {
        const v = clip.magnitudes[clipRow + k] * gain;
        power[row + k] += v * v;
      }
    }
    if (clip.label !== null && onset >= 0 && onset < frames) {
      targets[onset * classes + clip.label] = 1;
      for (let d = 1; d <= wideningRadius; d++) {
        for (const f of [onset - d, onset + d]) {
          if (f >= 0 && f < frames) targets[f * classes + clip.label] = Math.max(targets[f * classes + clip.label], 0.5);
        }
      }
    }
  }
  for (let i = 0; i < power.length; i++) features[i] = Math.log10(1 + Math.sqrt(power[i]));
}
