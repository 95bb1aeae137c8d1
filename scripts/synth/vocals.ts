/**
 * A crude singing-voice synthesizer for the training data (generator version 2): sung
 * syllables with formant vowels and noise consonants, in the song's key and tempo.
 *
 * Why: real mixes have vocals, and their consonants (s, t, k, ch) are short broadband noise
 * bursts that look like hi-hats and snares in a spectrogram. The GM soundfonts have no voice
 * that articulates consonants, so the model never saw them and fires on them in real songs.
 * The voice is an unlabelled distractor: no drum label comes from it. Written by hand because
 * no library renders sung consonants, and the output must be reproducible from a seed.
 *
 * Source-filter model: a band-limited sawtooth glottal source (PolyBLEP) with vibrato and
 * aspiration noise through three parallel formant resonators (F1-F3 per vowel), and consonants
 * as band-passed noise bursts before (onset) or after (coda) the vowel.
 */
import { applyBiquad, type EqBand } from './mix.js';
import type { Rng } from './rng.js';

/** One sung syllable. */
export interface Syllable {
  /** Vowel start [s]. */
  startSeconds: number;
  /** Vowel length [s]. */
  durationSeconds: number;
  /** MIDI pitch. */
  note: number;
  vowel: Vowel;
  /** Consonant before the vowel, or null. */
  onset: Consonant | null;
  /** Consonant after the vowel, or null. */
  coda: Consonant | null;
  /** Linear gain of the syllable. */
  gain: number;
}

/** Voice parameters of one example (stored in its metadata). */
export interface VocalPlan {
  /** Formant scale (1 = adult male, ~1.18 female). */
  formantScale: number;
  /** Vibrato rate [Hz] and depth [semitones]. */
  vibratoHz: number;
  vibratoSemitones: number;
  /** Aspiration noise relative to the voiced source. */
  breathiness: number;
  /** Consonant level relative to the vowels [dB]. */
  consonantDb: number;
  /** Vocal RMS relative to the accompaniment RMS [dB]. */
  vocalToAccompanimentDb: number;
  syllables: Syllable[];
}

export type Vowel = 'a' | 'e' | 'i' | 'o' | 'u' | 'ae' | 'er';
export type Consonant = 's' | 'sh' | 't' | 'k' | 'p' | 'ch' | 'f' | 'h' | 'd' | 'n';

/** Formant frequencies [Hz] and bandwidths of an adult male voice (Peterson & Barney-like). */
const VOWELS: Record<Vowel, [number, number, number]> = {
  a: [730, 1090, 2440],
  e: [530, 1840, 2480],
  i: [270, 2290, 3010],
  o: [570, 840, 2410],
  u: [300, 870, 2240],
  ae: [660, 1720, 2410],
  er: [490, 1350, 1690],
};
const FORMANT_GAINS = [1, 0.5, 0.25];
const FORMANT_Q = [6, 9, 12];

/** Noise band [Hz], length [s] and level [dB] of each consonant. */
const CONSONANTS: Record<Consonant, { low: number; high: number; seconds: number; db: number }> = {
  s: { low: 4500, high: 11000, seconds: 0.12, db: 0 },
  sh: { low: 2000, high: 7000, seconds: 0.12, db: 0 },
  t: { low: 2500, high: 8000, seconds: 0.025, db: 3 },
  k: { low: 1200, high: 4000, seconds: 0.035, db: 2 },
  p: { low: 300, high: 2500, seconds: 0.02, db: 2 },
  ch: { low: 2000, high: 8000, seconds: 0.08, db: 2 },
  f: { low: 1000, high: 10000, seconds: 0.09, db: -8 },
  h: { low: 500, high: 5000, seconds: 0.07, db: -10 },
  d: { low: 1500, high: 5000, seconds: 0.015, db: -2 },
  n: { low: 200, high: 600, seconds: 0.06, db: -6 },
};
const ONSETS: Consonant[] = ['s', 'sh', 't', 'k', 'p', 'ch', 'f', 'h', 'd', 'n'];
const CODAS: Consonant[] = ['s', 't', 'k', 'n', 'ch', 'sh'];

/** Inputs of {@link planVocals}. */
export interface VocalContext {
  /** Key root pitch class and scale (semitones from the root). */
  keyRoot: number;
  scale: readonly number[];
  /** Seconds per beat. */
  secondsPerBeat: number;
  beatsPerBar: number;
  /** Time of beat 0 [s] and the song end [s]. */
  startSeconds: number;
  endSeconds: number;
}

/**
 * Draws the sung phrases of one example: phrases of 1-4 bars on an eighth-note grid with rests
 * between them, notes in the key around a random register.
 */
export function planVocals(rng: Rng, context: VocalContext): VocalPlan {
  const female = rng.chance(0.5);
  const centre = female ? rng.int(62, 70) : rng.int(50, 58);
  const syllables: Syllable[] = [];
  const bar = context.secondsPerBeat * context.beatsPerBar;
  const step = context.secondsPerBeat / 2;
  const scaleNotes: number[] = [];
  for (let n = centre - 10; n <= centre + 10; n++) if (context.scale.includes((((n - context.keyRoot) % 12) + 12) % 12)) scaleNotes.push(n);
  let t = context.startSeconds + bar * rng.int(0, 1);
  let index = Math.floor(scaleNotes.length / 2);
  while (t < context.endSeconds - 0.5) {
    const phraseBars = rng.int(1, 4);
    const phraseEnd = Math.min(context.endSeconds, t + phraseBars * bar);
    while (t < phraseEnd - step) {
      const steps = rng.weighted<number>([[1, 4], [2, 4], [3, 1], [4, 2], [6, 1]]);
      const dur = steps * step;
      if (rng.chance(0.9)) {
        index = Math.max(0, Math.min(scaleNotes.length - 1, index + rng.weighted<number>([[-2, 1], [-1, 3], [0, 3], [1, 3], [2, 1]])));
        syllables.push({
          startSeconds: t + rng.normal(0, 0.012),
          durationSeconds: Math.max(0.08, dur * rng.uniform(0.75, 0.98)),
          note: scaleNotes[index],
          vowel: rng.pick(Object.keys(VOWELS) as Vowel[]),
          onset: rng.chance(0.7) ? rng.pick(ONSETS) : null,
          coda: rng.chance(0.3) ? rng.pick(CODAS) : null,
          gain: Math.pow(10, rng.uniform(-4, 0) / 20),
        });
      }
      t += dur;
    }
    t = phraseEnd + bar * rng.weighted<number>([[0, 3], [0.5, 3], [1, 2], [2, 1]]);
  }
  return {
    formantScale: female ? rng.uniform(1.1, 1.25) : rng.uniform(0.95, 1.05),
    vibratoHz: rng.uniform(4.5, 6.5),
    vibratoSemitones: rng.uniform(0.05, 0.4),
    breathiness: rng.uniform(0.02, 0.15),
    consonantDb: rng.uniform(-10, 4),
    vocalToAccompanimentDb: rng.uniform(-6, 6),
    syllables,
  };
}

function polyBlep(t: number, dt: number): number {
  if (t < dt) {
    const x = t / dt;
    return x + x - x * x - 1;
  }
  if (t > 1 - dt) {
    const x = (t - 1) / dt;
    return x * x + x + x + 1;
  }
  return 0;
}

function bandNoise(rng: Rng, length: number, low: number, high: number, sampleRate: number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = rng.normal();
  const bands: EqBand[] = [
    { type: 'highPass', frequencyHz: low, gainDb: 0, q: 0.707 },
    { type: 'highPass', frequencyHz: low, gainDb: 0, q: 0.707 },
    { type: 'lowPass', frequencyHz: Math.min(high, sampleRate * 0.45), gainDb: 0, q: 0.707 },
  ];
  for (const band of bands) applyBiquad(out, band, sampleRate);
  return out;
}

/**
 * Renders the planned voice (mono, float64, peak-free: the caller sets the level).
 *
 * @param plan - from {@link planVocals}
 * @param length - output length [samples]
 * @param sampleRate - [Hz]
 * @param rng - noise source
 */
export function renderVocals(plan: VocalPlan, length: number, sampleRate: number, rng: Rng): Float64Array {
  const out = new Float64Array(length);
  const consonantGain = Math.pow(10, plan.consonantDb / 20);
  for (const s of plan.syllables) {
    const start = Math.round(s.startSeconds * sampleRate);
    const n = Math.round(s.durationSeconds * sampleRate);
    if (start >= length || start + n <= 0) continue;
    // Voiced source with vibrato (after 150 ms) and a short pitch scoop into the note.
    const source = new Float64Array(n);
    let phase = rng.uniform(0, 1);
    const f0 = 440 * Math.pow(2, (s.note - 69) / 12);
    for (let i = 0; i < n; i++) {
      const time = i / sampleRate;
      const vib = time > 0.15 ? plan.vibratoSemitones * Math.sin(2 * Math.PI * plan.vibratoHz * time) : 0;
      const scoop = -0.6 * Math.exp(-time / 0.04);
      const f = f0 * Math.pow(2, (vib + scoop) / 12);
      const dt = f / sampleRate;
      phase += dt;
      if (phase >= 1) phase -= 1;
      source[i] = 2 * phase - 1 - polyBlep(phase, dt) + plan.breathiness * rng.normal();
    }
    // Glottal tilt, then the formants in parallel.
    applyBiquad(source, { type: 'lowPass', frequencyHz: 1200, gainDb: 0, q: 0.5 }, sampleRate);
    const voiced = new Float64Array(n);
    VOWELS[s.vowel].forEach((formant, k) => {
      const band = source.slice();
      applyBiquad(band, { type: 'peak', frequencyHz: formant * plan.formantScale, gainDb: 24, q: FORMANT_Q[k] }, sampleRate);
      for (let i = 0; i < n; i++) voiced[i] += FORMANT_GAINS[k] * (band[i] - source[i]);
    });
    const attack = Math.round(0.03 * sampleRate);
    const release = Math.min(n, Math.round(0.06 * sampleRate));
    for (let i = 0; i < n; i++) {
      const env = Math.min(1, i / attack) * Math.min(1, (n - i) / release);
      const j = start + i;
      if (j >= 0 && j < length) out[j] += s.gain * env * voiced[i];
    }
    // Consonants: onset ends where the vowel starts, coda starts where it ends.
    const vowelLevel = 0.15; // rough RMS of the formant output per unit source
    for (const [consonant, at] of [[s.onset, 'onset'], [s.coda, 'coda']] as const) {
      if (!consonant) continue;
      const c = CONSONANTS[consonant];
      const m = Math.round(c.seconds * sampleRate);
      const noise = bandNoise(rng, m, c.low, c.high, sampleRate);
      const g = s.gain * vowelLevel * consonantGain * Math.pow(10, c.db / 20);
      const begin = at === 'onset' ? start - m : start + n;
      const shortAttack = Math.max(1, Math.round(0.003 * sampleRate));
      for (let i = 0; i < m; i++) {
        const env = Math.min(1, i / shortAttack) * (c.seconds < 0.04 ? Math.exp(-i / (0.3 * m)) : Math.min(1, (m - i) / (0.3 * m)));
        const j = begin + i;
        if (j >= 0 && j < length) out[j] += g * env * noise[i];
      }
    }
  }
  return out;
}
