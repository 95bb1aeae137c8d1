/**
 * Generator version 4: what a real drum recording has and a GM render lacks, from the error
 * diagnosis of the built-in model on MDB (NOTES.md, #8):
 *
 * - quiet cymbals: real overhead mixes often put rides and crashes 10-30 dB under the kick
 *   and snare (MDB's Shadows ride is ~45 dB down); GM kits play them as loud as the drums.
 *   The cymbal notes are rendered as a stem of their own and mixed `cymbalOffsetDb` down.
 *   Their annotations stay: annotators label quiet cymbals too.
 * - sympathetic wash: every kick and snare hit sets the kit's cymbals and hats ringing and
 *   the room answers (overhead and room microphones carry it), so real snare and kick hits
 *   come with a soft, slowly rising cymbal wash. GM samples are clean, and the model calls
 *   that wash HH (its dominant drum-only error). The wash is added unlabelled.
 */
import { synthesizeCymbal, mulberry32 } from '../train-default/overlays.js';
import type { MidiNote } from './midi.js';
import { NOTE_TO_LABEL } from './gm.js';
import type { Rng } from './rng.js';

/** Sympathetic wash at kick and snare hits (unlabelled). */
export interface WashPlan {
  /** Wash level at full velocity relative to the drum stem's RMS [dB]. */
  levelDb: number;
  /** Rise time of the wash (slow: it is resonance, not a stroke) [s]. */
  attackSeconds: number;
  /** Duration of each wash clip [s]. */
  seconds: number;
  /** Seed of the synthesized wash clips. */
  seed: number;
}

/** Version-4 additions of one example. */
export interface KitRealismPlan {
  /** Level of the cymbal stem relative to the rest of the kit [dB], or null (as rendered). */
  cymbalOffsetDb: number | null;
  wash: WashPlan | null;
}

/**
 * Draws the version-4 additions (from a stream of their own, so the rest of the plan is the
 * version-3 plan of the same index).
 *
 * @param rng - the plan's `kitRealism` fork
 * @returns the additions
 */
export function planKitRealism(rng: Rng): KitRealismPlan {
  const cymbalOffsetDb = rng.chance(0.6) ? Math.round(rng.uniform(-24, -4) * 10) / 10 : null;
  const wash = rng.chance(0.5)
    ? {
        levelDb: Math.round(rng.uniform(-30, -14) * 10) / 10,
        attackSeconds: Math.round(rng.uniform(0.008, 0.03) * 1e4) / 1e4,
        seconds: Math.round(rng.uniform(0.6, 1.8) * 100) / 100,
        seed: rng.int(1, 2 ** 31 - 1),
      }
    : null;
  return { cymbalOffsetDb, wash };
}

/** True for a note of the cymbal stem (every CY-labelled key). */
export function isCymbalNote(note: number): boolean {
  return NOTE_TO_LABEL[note] === 'CY';
}

/** Splits drum notes into the cymbal stem and the rest of the kit. */
export function splitCymbalNotes(notes: readonly MidiNote[]): { cymbals: MidiNote[]; rest: MidiNote[] } {
  const cymbals: MidiNote[] = [];
  const rest: MidiNote[] = [];
  for (const n of notes) (isCymbalNote(n.note) ? cymbals : rest).push(n);
  return { cymbals, rest };
}

/** Number of distinct wash clips per example (each hit picks one). */
const WASH_CLIPS = 3;
/** Silence before the onset in synthesizeCymbal's clips [samples]. */
const CLIP_LEAD = 2048;

/**
 * Builds the wash clips of a plan: synthesized rides/crashes with a slow raised-cosine rise
 * (which also buries the clip's stick noise), starting at index 0.
 */
export function washClips(wash: WashPlan, sampleRate: number): Float32Array[] {
  const random = mulberry32(wash.seed);
  const kinds = ['ride', 'crash', 'ride'] as const;
  const attack = Math.max(1, Math.round(wash.attackSeconds * sampleRate));
  const clips: Float32Array[] = [];
  for (let c = 0; c < WASH_CLIPS; c++) {
    const raw = synthesizeCymbal(kinds[c % kinds.length], random, wash.seconds + CLIP_LEAD / sampleRate);
    const clip = raw.slice(CLIP_LEAD);
    for (let i = 0; i < attack && i < clip.length; i++) clip[i] *= 0.5 - 0.5 * Math.cos((Math.PI * i) / attack);
    // Fade the tail out so a clip never ends in a step.
    const fade = Math.min(clip.length, Math.round(0.1 * sampleRate));
    for (let i = 0; i < fade; i++) clip[clip.length - 1 - i] *= i / fade;
    let sum = 0;
    for (let i = 0; i < clip.length; i++) sum += clip[i] * clip[i];
    const rms = Math.sqrt(sum / clip.length) || 1;
    for (let i = 0; i < clip.length; i++) clip[i] /= rms;
    clips.push(clip);
  }
  return clips;
}

/**
 * Adds the unlabelled sympathetic wash to the drum stem, in place: one clip per kick or snare
 * hit, scaled by (velocity / 127)^1.5 and `levelDb` relative to the stem's RMS before the wash.
 *
 * @param drums - the rendered drum stem
 * @param hits - onset sample and velocity of every kick and snare hit
 * @param wash - the plan
 * @param sampleRate - of `drums`
 * @returns the number of clips added
 */
export function addSympatheticWash(drums: Float32Array, hits: readonly { sample: number; velocity: number }[], wash: WashPlan, sampleRate: number): number {
  let sum = 0;
  for (let i = 0; i < drums.length; i++) sum += drums[i] * drums[i];
  const stemRms = Math.sqrt(sum / Math.max(1, drums.length));
  if (stemRms === 0) return 0;
  const clips = washClips(wash, sampleRate);
  const base = stemRms * Math.pow(10, wash.levelDb / 20);
  let added = 0;
  hits.forEach((hit, h) => {
    const clip = clips[h % clips.length];
    const gain = base * Math.pow(hit.velocity / 127, 1.5);
    const end = Math.min(drums.length, hit.sample + clip.length);
    for (let i = Math.max(0, hit.sample); i < end; i++) drums[i] += gain * clip[i - hit.sample];
    added++;
  });
  return added;
}
