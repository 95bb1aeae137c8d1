/**
 * Melodic accompaniment generator: a chord progression in a random key, a bass line that
 * follows the chords (and often the kick drum), a chord instrument, an optional lead melody and
 * an optional pad, on random GM programs. Pure and deterministic given the Rng.
 *
 * Its purpose is to be non-drum sound the model must learn to ignore, so it favours sharp
 * attacks in the same rhythm as the drums (plucked bass on the kick, guitar and piano stabs
 * on the snare's beats) as well as sustained tones.
 */
import { PROGRAMS } from './gm.js';
import type { DrumPerformance, Style } from './drums.js';
import type { Rng } from './rng.js';

/** One accompaniment note. */
export interface AccompanimentNote {
  /** Onset on the grid [beats from the song start]. */
  beat: number;
  /** Length [beats]. */
  durationBeats: number;
  /** Timing deviation [s]. */
  offsetSeconds: number;
  channel: number;
  note: number;
  velocity: number;
}

/** One instrument of the accompaniment. */
export interface AccompanimentPart {
  role: 'bass' | 'chords' | 'chords2' | 'lead' | 'pad';
  /** Pattern name (for the metadata). */
  pattern: string;
  channel: number;
  /** GM program 0–127. */
  program: number;
  /** CC7 volume. */
  volume: number;
  /** CC10 pan. */
  pan: number;
  /** CC91 reverb send. */
  reverbSend: number;
  /** CC93 chorus send. */
  chorusSend: number;
}

/** Result of {@link generateAccompaniment}. */
export interface Accompaniment {
  /** Key root pitch class (0 = C). */
  keyRoot: number;
  mode: Mode;
  /** Scale-degree (0-based) of the chord of each bar (the first chord when a bar has two). */
  chordDegrees: number[];
  chordsPerBar: number;
  parts: AccompanimentPart[];
  notes: AccompanimentNote[];
}

export type Mode = 'major' | 'minor' | 'dorian' | 'mixolydian';
/** Semitones of each mode's scale above the root. */
export const SCALES: Record<Mode, readonly number[]> = {
  major: [0, 2, 4, 5, 7, 9, 11],
  minor: [0, 2, 3, 5, 7, 8, 10],
  dorian: [0, 2, 3, 5, 7, 9, 10],
  mixolydian: [0, 2, 4, 5, 7, 9, 10],
};
const PROGRESSIONS: Record<'major' | 'minor', readonly (readonly number[])[]> = {
  major: [[0, 4, 5, 3], [0, 3, 4, 3], [5, 3, 0, 4], [0, 5, 3, 4], [1, 4, 0, 0], [0, 3, 0, 4], [0, 0, 3, 3, 0, 0, 4, 3], [0, 0, 0, 0, 3, 3, 0, 0, 4, 3, 0, 4], [0, 2, 3, 4]],
  minor: [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 6], [0, 3, 6, 2], [0, 0, 3, 4], [0, 5, 3, 4]],
};

const STYLE_PROGRAMS: Partial<Record<Style, { bass?: number[]; chords?: number[]; lead?: number[] }>> = {
  rock: { bass: [33, 34, 29], chords: [29, 30, 27, 25, 0, 16] },
  punk: { bass: [34, 33], chords: [30, 29] },
  metal: { bass: [34, 33], chords: [30, 29], lead: [30, 29, 81] },
  funk: { bass: [36, 37, 33, 38], chords: [7, 28, 27, 4, 16], lead: [61, 56, 66] },
  jazz: { bass: [32, 32, 33], chords: [0, 26, 4, 11], lead: [65, 66, 56, 11, 26, 73] },
  shuffle: { bass: [32, 33, 34], chords: [0, 16, 26, 27, 29], lead: [22, 65, 26, 29] },
  disco: { bass: [33, 38, 36], chords: [48, 49, 27, 4, 61], lead: [48, 80, 61] },
  house: { bass: [38, 39, 87], chords: [0, 4, 89, 90, 81, 5], lead: [80, 81, 84] },
  reggae: { bass: [33, 32, 38], chords: [16, 17, 27, 28, 0], lead: [16, 56, 22] },
  hiphop: { bass: [38, 39, 33, 32], chords: [4, 0, 89, 48, 11], lead: [80, 4, 11, 73] },
  latin: { bass: [32, 33], chords: [0, 24, 25, 11, 16], lead: [56, 73, 65, 11] },
  ballad: { bass: [32, 33, 35], chords: [0, 1, 4, 48, 49, 24, 89], lead: [40, 73, 0, 65, 41] },
};

function choose(rng: Rng, preferred: number[] | undefined, all: readonly number[]): number {
  return preferred && rng.chance(0.7) ? rng.pick(preferred) : rng.pick(all);
}

/** Options of {@link generateAccompaniment}. */
export interface GenerateAccompanimentOptions {
  /** The drum performance to play along with (meter, length, kick positions). */
  drums: DrumPerformance;
}

/**
 * Generates the accompaniment of one example.
 *
 * @param rng - random stream
 * @param options - the drums to accompany
 * @returns parts and notes
 */
export function generateAccompaniment(rng: Rng, options: GenerateAccompanimentOptions): Accompaniment {
  const { drums } = options;
  const { style, beatsPerBar, stepsPerBeat: g, bars, tempoBpm } = drums;
  const keyRoot = rng.int(0, 11);
  const mode: Mode = style === 'funk' ? rng.pick(['dorian', 'mixolydian', 'minor'] as const)
    : style === 'metal' || style === 'hiphop' ? rng.pick(['minor', 'minor', 'major'] as const)
      : rng.chance(0.55) ? 'major' : 'minor';
  const scale = SCALES[mode];
  const progression = style === 'shuffle' && rng.chance(0.6) ? PROGRESSIONS.major[7]
    : style === 'funk' && rng.chance(0.5) ? rng.pick([[0], [0, 3], [0, 0, 3, 3]])
      : rng.pick(PROGRESSIONS[mode === 'major' || mode === 'mixolydian' ? 'major' : 'minor']);
  const chordsPerBar = tempoBpm < 80 && beatsPerBar === 4 && rng.chance(0.4) ? 2 : tempoBpm > 150 && rng.chance(0.5) ? 0.5 : 1;
  // Chord (scale degree) at a beat position.
  const chordAt = (beat: number): number => {
    const index = Math.floor((beat / beatsPerBar) * chordsPerBar + 1e-9);
    return progression[((index % progression.length) + progression.length) % progression.length];
  };
  const chordPitchClasses = (degree: number, seventh: boolean): number[] => {
    const tones = [0, 2, 4, ...(seventh ? [6] : [])].map((k) => (keyRoot + scale[(degree + k) % 7]) % 12);
    return tones;
  };
  const notes: AccompanimentNote[] = [];
  const parts: AccompanimentPart[] = [];
  const timingSd = rng.uniform(0.002, 0.012);
  const timingRng = rng.fork('timing');
  const push = (channel: number, beat: number, durationBeats: number, note: number, velocity: number, extraOffset = 0) => {
    if (beat >= bars * beatsPerBar || note < 21 || note > 108) return;
    notes.push({
      beat, durationBeats: Math.max(0.05, durationBeats), offsetSeconds: timingRng.normal(0, timingSd) + extraOffset, channel, note,
      velocity: Math.max(1, Math.min(127, Math.round(velocity))),
    });
  };
  const part = (role: AccompanimentPart['role'], pattern: string, channel: number, program: number, loudness: [number, number]): void => {
    parts.push({
      role, pattern, channel, program, volume: rng.int(loudness[0], loudness[1]), pan: rng.int(24, 104),
      reverbSend: rng.int(0, 90), chorusSend: rng.int(0, 60),
    });
  };
  const totalBeats = bars * beatsPerBar;
  const kickBeats = drums.hits.filter((h) => h.note === drums.voices.kick).map((h) => h.beat);
  const swingBeats = (beat: number) => {
    // Follow the drums' swing on off-beat sixteenths.
    const step = Math.round((beat - Math.floor(beat)) * g);
    return drums.swing > 0 && step % 2 === 1 ? (drums.swing / g) * (60 / tempoBpm) : 0;
  };

  // ---- Bass (channel 0) ----
  const bassRng = rng.fork('bass');
  const bassPattern = style === 'jazz' ? 'walking'
    : style === 'disco' || style === 'house' ? bassRng.pick(['octaves', 'kick'])
      : style === 'shuffle' ? bassRng.pick(['boogie', 'walking', 'kick'])
        : style === 'ballad' ? bassRng.pick(['sustain', 'kick'])
          : style === 'punk' || style === 'metal' ? bassRng.pick(['eighths', 'kick'])
            : style === 'funk' ? bassRng.pick(['funk', 'kick'])
              : bassRng.weighted([['kick', 4], ['eighths', 1], ['sustain', 1]] as const);
  part('bass', bassPattern, 0, choose(bassRng, STYLE_PROGRAMS[style]?.bass, PROGRAMS.bass), [80, 120]);
  const bassRoot = (degree: number) => {
    const pc = (keyRoot + scale[degree]) % 12;
    return 28 + ((pc - 4 + 12) % 12); // E1 .. D#2
  };
  const bassVel = () => bassRng.uniform(75, 110);
  for (let bar = 0; bar < bars; bar++) {
    const b0 = bar * beatsPerBar;
    const degree = chordAt(b0);
    const root = bassRoot(degree);
    switch (bassPattern) {
      case 'kick': {
        const inBar = kickBeats.filter((k) => k >= b0 && k < b0 + beatsPerBar);
        const starts = inBar.length > 0 ? inBar : [b0];
        starts.forEach((k, i) => {
          const end = i + 1 < starts.length ? starts[i + 1] : b0 + beatsPerBar;
          const r = bassRoot(chordAt(k));
          push(0, k, Math.min(end - k, 2) * 0.9, bassRng.chance(0.15) ? r + 12 : bassRng.chance(0.1) ? r + 7 : r, bassVel());
        });
        break;
      }
      case 'eighths':
        for (let e = 0; e < beatsPerBar * 2; e++) push(0, b0 + e / 2, 0.45, bassRoot(chordAt(b0 + e / 2)), bassVel());
        break;
      case 'octaves':
        for (let e = 0; e < beatsPerBar * 2; e++) push(0, b0 + e / 2, 0.4, root + (e % 2 === 1 ? 12 : 0), bassVel());
        break;
      case 'sustain':
        for (let half = 0; half < beatsPerBar; half += 2) push(0, b0 + half, Math.min(2, beatsPerBar - half) * 0.95, bassRoot(chordAt(b0 + half)), bassVel());
        break;
      case 'walking': {
        const nextRoot = bassRoot(chordAt(b0 + beatsPerBar));
        for (let q = 0; q < beatsPerBar; q++) {
          const tones = chordPitchClasses(chordAt(b0 + q), true);
          let pitch = q === 0 ? root : q === beatsPerBar - 1 ? nextRoot + (bassRng.chance(0.5) ? 1 : -1) : root + ((tones[bassRng.int(1, tones.length - 1)] - (root % 12) + 12) % 12);
          if (pitch > 52) pitch -= 12;
          push(0, b0 + q, 0.9, pitch, bassVel() - 10);
        }
        break;
      }
      case 'boogie': {
        const third = mode === 'major' || mode === 'mixolydian' ? 4 : 3;
        const figure = [0, third, 7, 9, 10, 9, 7, third];
        for (let e = 0; e < beatsPerBar * 2; e++) {
          const swing = g === 3 && e % 2 === 1 ? 1 / 6 : 0;
          push(0, b0 + e / 2 + swing, 0.4, bassRoot(chordAt(b0 + e / 2)) + figure[e % figure.length], bassVel());
        }
        break;
      }
      case 'funk':
        for (let s = 0; s < beatsPerBar * g; s++) {
          if (s === 0 || bassRng.chance(0.3)) {
            const beat = b0 + s / g;
            push(0, beat, bassRng.uniform(0.15, 0.5), bassRoot(chordAt(beat)) + bassRng.pick([0, 0, 0, 12, 7, 10]), bassVel(), swingBeats(beat));
          }
        }
        break;
    }
  }

  // ---- Chords (channel 1, and sometimes a second comping instrument on channel 4) ----
  const chordLayers = rng.chance(0.3) ? 2 : 1;
  for (let layer = 0; layer < chordLayers; layer++) {
    const cr = rng.fork(`chords${layer}`);
    const channel = layer === 0 ? 1 : 4;
    const pattern = style === 'reggae' ? cr.pick(['skank', 'skank', 'quarters'])
      : style === 'funk' ? cr.pick(['stabs', 'stabs', 'strum'])
        : style === 'jazz' ? cr.pick(['comp', 'comp', 'pad'])
          : style === 'house' ? cr.pick(['offbeat', 'pad', 'arp'])
            : style === 'ballad' ? cr.pick(['arp', 'quarters', 'pad'])
              : style === 'punk' || style === 'metal' ? cr.pick(['strum', 'pad', 'power'])
                : cr.weighted([['strum', 3], ['quarters', 2], ['pad', 2], ['arp', 2], ['offbeat', 1], ['stabs', 1]] as const);
    part(layer === 0 ? 'chords' : 'chords2', pattern, channel, pattern === 'pad' ? cr.pick(PROGRAMS.pad) : choose(cr, STYLE_PROGRAMS[style]?.chords, PROGRAMS.chords), [65, 115]);
    const seventh = style === 'jazz' || (style === 'funk' || style === 'ballad') && cr.chance(0.5);
    let center = cr.int(57, 67);
    const voicing = (beat: number): number[] => {
      const pcs = chordPitchClasses(chordAt(beat), seventh);
      if (pattern === 'power') {
        const r = 40 + ((pcs[0] - 4 + 12) % 12);
        return [r, r + 7, r + 12];
      }
      // Each chord tone in the octave nearest the running centre (smooth voice leading).
      const out = pcs.map((pc) => {
        let p = center - 6 + ((pc - (center - 6) + 120) % 12);
        if (p > 79) p -= 12;
        return p;
      }).sort((a, b) => a - b);
      center = Math.max(55, Math.min(70, center + cr.int(-1, 1)));
      return out;
    };
    const chordVel = () => cr.uniform(60, 100);
    const strumSpread = cr.uniform(0, 0.012);
    const playChord = (beat: number, dur: number, vel: number) => {
      voicing(beat).forEach((p, i) => push(channel, beat, dur, p, vel - i * 2, i * strumSpread + swingBeats(beat)));
    };
    for (let bar = 0; bar < bars; bar++) {
      const b0 = bar * beatsPerBar;
      switch (pattern) {
        case 'pad':
          for (let c = 0; c < Math.max(1, chordsPerBar); c++) {
            const len = beatsPerBar / Math.max(1, chordsPerBar);
            if (chordsPerBar < 1 && bar % 2 === 1) break;
            playChord(b0 + c * len, (chordsPerBar < 1 ? 2 * len : len) * 0.98, chordVel() - 10);
          }
          break;
        case 'strum':
        case 'power':
          for (let e = 0; e < beatsPerBar * 2; e++) if (e % 2 === 0 || cr.chance(0.7)) playChord(b0 + e / 2 + (g === 3 && e % 2 === 1 ? 1 / 6 : 0), 0.45, chordVel() + (e % 2 === 0 ? 10 : 0));
          break;
        case 'quarters':
          for (let q = 0; q < beatsPerBar; q++) playChord(b0 + q, 0.8, chordVel());
          break;
        case 'skank':
          for (let q = 0; q < beatsPerBar; q++) playChord(b0 + q + 0.5, 0.2, chordVel() + 10);
          break;
        case 'offbeat':
          for (let q = 0; q < beatsPerBar; q++) playChord(b0 + q + 0.5, 0.3, chordVel());
          break;
        case 'stabs':
          for (let s = 0; s < beatsPerBar * g; s++) if (cr.chance(0.22)) playChord(b0 + s / g, 0.15, chordVel() + 10);
          break;
        case 'comp':
          for (let s = 0; s < beatsPerBar * g; s++) if (s % g !== 1 && cr.chance(0.12)) playChord(b0 + s / g, cr.uniform(0.3, 1.2), chordVel());
          break;
        case 'arp': {
          const per = tempoBpm < 100 && cr.chance(0.5) ? 4 : 2;
          for (let s = 0; s < beatsPerBar * per; s++) {
            const beat = b0 + s / per;
            const v = voicing(beat);
            push(channel, beat, (1 / per) * 1.5, v[s % v.length] + (s % (v.length * 2) >= v.length ? 12 : 0), chordVel(), swingBeats(beat));
          }
          break;
        }
      }
    }
  }

  // ---- Lead melody (channel 2) ----
  if (rng.chance(0.65)) {
    const lr = rng.fork('lead');
    part('lead', 'melody', 2, choose(lr, STYLE_PROGRAMS[style]?.lead, PROGRAMS.lead), [70, 115]);
    const scalePitches: number[] = [];
    for (let p = 55; p <= 86; p++) if (scale.includes((p - keyRoot + 120) % 12)) scalePitches.push(p);
    let index = scalePitches.findIndex((p) => p >= lr.int(64, 74));
    const values = tempoBpm > 140 ? [0.5, 1, 1, 1.5, 2] : [0.25, 0.5, 0.5, 1, 1, 1.5, 2];
    for (let phraseStart = 0; phraseStart < totalBeats; phraseStart += 2 * beatsPerBar) {
      if (lr.chance(0.35)) continue;
      let beat = phraseStart + lr.pick([0, 0, 0.5, 1]);
      const phraseEnd = Math.min(totalBeats, phraseStart + 2 * beatsPerBar - lr.pick([0.5, 1, 2]));
      while (beat < phraseEnd) {
        const dur = lr.pick(values);
        if (lr.chance(0.15)) {
          beat += dur;
          continue;
        }
        index = Math.max(0, Math.min(scalePitches.length - 1, index + lr.weighted([[-2, 1], [-1, 3], [0, 1], [1, 3], [2, 1], [lr.pick([-4, 4]), 0.5]] as const)));
        if (Number.isInteger(beat)) {
          // Land on a chord tone on the beat.
          const pcs = chordPitchClasses(chordAt(beat), false);
          for (let k = 0; k < 3 && !pcs.includes(scalePitches[index] % 12); k++) index = Math.min(scalePitches.length - 1, index + 1);
        }
        push(2, beat, Math.min(dur, phraseEnd - beat) * 0.92, scalePitches[index], lr.uniform(70, 110), swingBeats(beat));
        beat += dur;
      }
    }
  }

  // ---- Pad (channel 3) ----
  if (rng.chance(0.3)) {
    const pr = rng.fork('pad');
    part('pad', 'sustain', 3, pr.pick(PROGRAMS.pad), [50, 95]);
    for (let bar = 0; bar < bars; bar++) {
      const b0 = bar * beatsPerBar;
      const pcs = chordPitchClasses(chordAt(b0), pr.chance(0.3));
      pcs.forEach((pc) => push(3, b0, beatsPerBar * 0.98, 48 + ((pc - 0 + 12) % 12) + (pc < 5 ? 12 : 0), pr.uniform(50, 80)));
    }
  }

  notes.sort((a, b) => a.beat - b.beat || a.channel - b.channel || a.note - b.note);
  const chordDegrees = Array.from({ length: bars }, (_, bar) => chordAt(bar * beatsPerBar));
  return { keyRoot, mode, chordDegrees, chordsPerBar, parts, notes };
}
