/**
 * Drum-performance generator: grooves and fills across styles, song sections, humanized
 * timing and velocity. Pure and deterministic: the output depends only on the Rng passed in.
 *
 * A performance is a list of hits placed in beats (musical time) plus a timing offset in
 * seconds (humanization, swing, drift); example.ts turns them into MIDI ticks.
 */
import { AUX_PERCUSSION, DRUM } from './gm.js';
import type { KitFamily } from './fonts.js';
import type { Rng } from './rng.js';

/** Styles the generator knows. */
export const STYLES = [
  'rock', 'pop', 'funk', 'shuffle', 'jazz', 'metal', 'disco', 'house', 'reggae', 'hiphop', 'halftime', 'latin', 'ballad', 'punk',
] as const;
/** One style. */
export type Style = (typeof STYLES)[number];

/** One drum hit of a performance. */
export interface DrumHit {
  /** Position on the grid from the song start [beats] (before humanization). */
  beat: number;
  /** Timing deviation from the grid position [s] (humanization, swing, drift). */
  offsetSeconds: number;
  /** GM percussion key. */
  note: number;
  /** MIDI velocity 1–127. */
  velocity: number;
}

/** One section of the song form. */
export interface Section {
  /** Kind of section, which sets the groove's intensity. */
  kind: 'intro' | 'verse' | 'chorus' | 'bridge' | 'break';
  /** First bar (0-based, counting from the song start). */
  startBar: number;
  /** Number of bars. */
  bars: number;
  /** Timekeeping instrument of the section's groove. */
  timekeeper: Timekeeper;
  /** True when the drums rest (no hits) in this section. */
  tacet: boolean;
}

/** Timekeeping instrument of a groove. */
export type Timekeeper = 'hat' | 'openHat' | 'ride' | 'crashRide' | 'floorTom' | 'pedalHat' | 'china' | 'none';

/** Concrete keys of one drummer's kit (chosen per example, so examples use different keys). */
export interface DrumVoices {
  kick: number;
  snare: number;
  crossStick: number;
  clap: number;
  /** Toms of this kit, high to low (2–5 of the six GM tom keys). */
  toms: number[];
  /** Crash cymbals (49 and/or 57). */
  crashes: number[];
  ride: number;
  rideBell: number;
  /** China cymbal, when this kit has one. */
  china: number | null;
  /** Splash cymbal, when this kit has one. */
  splash: number | null;
}

/** Result of {@link generateDrums}. */
export interface DrumPerformance {
  style: Style;
  /** Tempo [beats per minute]. */
  tempoBpm: number;
  /** Beats (quarter notes) per bar. */
  beatsPerBar: number;
  /** Grid steps per beat (4: sixteenths, 3: triplets). */
  stepsPerBeat: number;
  /** Swing: delay of the off-beat grid steps as a fraction of one step. */
  swing: number;
  /** Total bars. */
  bars: number;
  sections: Section[];
  voices: DrumVoices;
  /** Hits sorted by beat. */
  hits: DrumHit[];
  /** Humanization parameters used. */
  humanize: { timingSdMs: number; velocitySd: number; driftMs: number };
  /** Whether unlabelled auxiliary percussion (congas, shaker...) was added. */
  auxPercussion: boolean;
}

/** Per-style parameters. */
interface StyleSpec {
  tempo: readonly [number, number];
  /** [beatsPerBar, stepsPerBeat, weight] alternatives. */
  meters: readonly (readonly [number, number, number])[];
  swing: readonly [number, number];
  families: readonly (readonly [KitFamily, number])[];
  /** Ghost-note probability per free sixteenth / triplet step. */
  ghost: number;
  /** Timekeepers for quiet and for loud sections. */
  quiet: readonly (readonly [Timekeeper, number])[];
  loud: readonly (readonly [Timekeeper, number])[];
  /** Probability of a floor-tom groove replacing the timekeeper in a bridge. */
  tomGroove: number;
  /** Probability of auxiliary percussion. */
  aux: number;
}

const STANDARD_KITS: readonly (readonly [KitFamily, number])[] = [['standard', 4], ['room', 3], ['power', 2], ['electronic', 0.5], ['jazz', 0.5], ['brush', 0.2], ['tr808', 0.2]];

/** Style table: tempo range [BPM], meters, kit preferences, density settings. */
export const STYLE_SPECS: Readonly<Record<Style, StyleSpec>> = {
  rock: { tempo: [85, 165], meters: [[4, 4, 1]], swing: [0, 0], families: [['standard', 3], ['room', 3], ['power', 3], ['jazz', 0.3], ['electronic', 0.3]], ghost: 0.04, quiet: [['hat', 5], ['ride', 1]], loud: [['ride', 3], ['crashRide', 2], ['openHat', 2], ['hat', 2]], tomGroove: 0.25, aux: 0.05 },
  pop: { tempo: [80, 132], meters: [[4, 4, 1]], swing: [0, 0.08], families: STANDARD_KITS, ghost: 0.05, quiet: [['hat', 6], ['pedalHat', 1], ['ride', 1]], loud: [['hat', 3], ['ride', 2], ['openHat', 2], ['crashRide', 1]], tomGroove: 0.2, aux: 0.25 },
  funk: { tempo: [84, 118], meters: [[4, 4, 1]], swing: [0, 0.2], families: [['standard', 3], ['room', 3], ['jazz', 1], ['electronic', 0.5], ['power', 0.5]], ghost: 0.25, quiet: [['hat', 1]], loud: [['hat', 3], ['ride', 1], ['openHat', 1]], tomGroove: 0.1, aux: 0.25 },
  shuffle: { tempo: [78, 145], meters: [[4, 3, 1]], swing: [0, 0], families: [['standard', 2], ['room', 3], ['jazz', 2], ['brush', 1], ['power', 0.5]], ghost: 0.12, quiet: [['hat', 3], ['ride', 1]], loud: [['ride', 3], ['hat', 1], ['crashRide', 1]], tomGroove: 0.1, aux: 0.05 },
  jazz: { tempo: [100, 200], meters: [[4, 3, 4], [3, 3, 1]], swing: [0, 0], families: [['jazz', 4], ['brush', 3], ['room', 1], ['standard', 1]], ghost: 0, quiet: [['ride', 5], ['hat', 1]], loud: [['ride', 5], ['crashRide', 1]], tomGroove: 0, aux: 0 },
  metal: { tempo: [100, 200], meters: [[4, 4, 1]], swing: [0, 0], families: [['power', 4], ['standard', 2], ['room', 2]], ghost: 0, quiet: [['hat', 2], ['ride', 2]], loud: [['crashRide', 3], ['china', 2], ['ride', 2], ['hat', 1]], tomGroove: 0.2, aux: 0 },
  disco: { tempo: [108, 132], meters: [[4, 4, 1]], swing: [0, 0.05], families: [['standard', 3], ['room', 2], ['electronic', 1], ['tr808', 0.5]], ghost: 0.03, quiet: [['openHat', 3], ['hat', 1]], loud: [['openHat', 4], ['ride', 1]], tomGroove: 0.05, aux: 0.3 },
  house: { tempo: [115, 130], meters: [[4, 4, 1]], swing: [0, 0.15], families: [['electronic', 3], ['tr808', 3], ['standard', 1]], ghost: 0, quiet: [['openHat', 2], ['hat', 2]], loud: [['openHat', 3], ['ride', 1], ['hat', 1]], tomGroove: 0, aux: 0.3 },
  reggae: { tempo: [64, 96], meters: [[4, 4, 2], [4, 3, 1]], swing: [0, 0.15], families: [['standard', 2], ['room', 2], ['jazz', 1], ['electronic', 0.5]], ghost: 0.05, quiet: [['hat', 4], ['ride', 1]], loud: [['hat', 3], ['ride', 1], ['openHat', 1]], tomGroove: 0.05, aux: 0.3 },
  hiphop: { tempo: [68, 100], meters: [[4, 4, 1]], swing: [0, 0.3], families: [['tr808', 3], ['electronic', 2], ['standard', 2], ['room', 1]], ghost: 0.08, quiet: [['hat', 4], ['pedalHat', 0.5]], loud: [['hat', 3], ['openHat', 1], ['ride', 0.5]], tomGroove: 0, aux: 0.1 },
  halftime: { tempo: [120, 172], meters: [[4, 4, 1]], swing: [0, 0.05], families: STANDARD_KITS, ghost: 0.05, quiet: [['hat', 3], ['ride', 1]], loud: [['ride', 2], ['crashRide', 2], ['china', 0.5], ['hat', 1]], tomGroove: 0.2, aux: 0.05 },
  latin: { tempo: [88, 180], meters: [[4, 4, 1]], swing: [0, 0], families: [['standard', 2], ['room', 2], ['jazz', 2], ['brush', 0.5]], ghost: 0.08, quiet: [['hat', 2], ['ride', 2], ['pedalHat', 0.5]], loud: [['ride', 3], ['hat', 1], ['crashRide', 0.5]], tomGroove: 0.35, aux: 0.45 },
  ballad: { tempo: [58, 86], meters: [[4, 4, 4], [4, 3, 2], [3, 4, 1]], swing: [0, 0], families: [['standard', 2], ['room', 2], ['brush', 2], ['jazz', 1]], ghost: 0.03, quiet: [['hat', 3], ['ride', 1], ['pedalHat', 0.3]], loud: [['ride', 2], ['hat', 2], ['crashRide', 1], ['openHat', 0.5]], tomGroove: 0.15, aux: 0.1 },
  punk: { tempo: [150, 200], meters: [[4, 4, 1]], swing: [0, 0], families: [['standard', 2], ['room', 2], ['power', 3]], ghost: 0, quiet: [['hat', 3], ['ride', 1]], loud: [['crashRide', 3], ['ride', 2], ['openHat', 1]], tomGroove: 0.1, aux: 0 },
};

/** Relative frequency of each style in a data set. */
export const STYLE_WEIGHTS: readonly (readonly [Style, number])[] = [
  ['rock', 14], ['pop', 14], ['funk', 7], ['shuffle', 6], ['jazz', 6], ['metal', 7], ['disco', 5], ['house', 3],
  ['reggae', 5], ['hiphop', 8], ['halftime', 6], ['latin', 7], ['ballad', 8], ['punk', 4],
];

/** Kick/snare templates, one character per grid step ('x' hit, 'X' accent, '.' rest). */
const KICKS_16: Record<string, readonly string[]> = {
  rock: ['x.......x.......', 'x.......x.x.....', 'x......xx.......', 'x.x.....x.......', 'x.......x......x', 'x.....x.x.......', 'x.x.....x.x.....', 'x.......xx......', 'x..x....x.......', 'x.......x..x....'],
  pop: ['x.......x.......', 'x..x..x...x.....', 'x.....x...x.....', 'x..x....x..x....', 'x...x...x...x...', 'x.......x.x.....', 'x.....x.x.....x.', 'x..x..x.........'],
  funk: ['x..x..x...x..x..', 'x.x...x..x......', 'x......x..x..x..', 'x..x...x.x......', 'x.x..x....x.....', 'x...x.x..x..x...', 'x.........xx..x.', 'xx....x...x..x..'],
  hiphop: ['x.....x...x.....', 'x..x......x..x..', 'x......x.x......', 'x.x.......x..x..', 'x..x..x.......x.', 'x.....xx..x.....', 'x.........x.....', 'x..x.......x..x.'],
  fourFloor: ['x...x...x...x...'],
  halftime: ['x.......x.x.....', 'x.....x.........', 'x..x......x.....', 'x.x........x....', 'x.......x.....x.', 'x..x..x...x.....'],
  metal: ['xxxxxxxxxxxxxxxx', 'x.x.x.x.x.x.x.x.', 'xxxx....xxxx....', 'x.xxx.xxx.xxx.xx', 'xxxxxxxx..x.x.x.', 'x.x.x.x.xxxxxxxx'],
  latin: ['x..xx..xx..xx..x', 'x...x...x...x...', '...x.......x....', 'x......x...x....', 'x..x....x..x....'],
  punk: ['x.x.....x.x.....', 'x...x.x.x...x.x.', 'x.......x.......', 'x.x.x.x.x.x.x.x.', 'x.....x.x.......'],
  reggae: ['........x.......', 'x.......x.......', 'x...x...x...x...'],
};
const KICKS_12: Record<string, readonly string[]> = {
  shuffle: ['x.....x.....', 'x.....x....x', 'x....xx.....', 'x..x..x.....', 'x.....x..x..'],
  ballad: ['x.....x.....', 'x....xx.....', 'x.....x.x...', 'x.......x...', 'x..x..x.....'],
  reggae: ['......x.....', 'x.....x.....'],
};

function line(pattern: string, steps: number): number[] {
  // Pattern → step indices with a hit; patterns shorter than the bar repeat.
  const out: number[] = [];
  for (let s = 0; s < steps; s++) if (pattern[s % pattern.length] !== '.') out.push(s);
  return out;
}

function clampVelocity(v: number): number {
  return Math.max(1, Math.min(127, Math.round(v)));
}

/**
 * Picks the concrete keys of one drummer's kit.
 *
 * @param rng - random stream
 * @returns the keys
 */
export function chooseVoices(rng: Rng): DrumVoices {
  const tomSets: readonly (readonly number[])[] = [
    [48, 45, 41], [50, 47, 43], [48, 47, 43], [50, 48, 45, 41], [48, 45, 43, 41], [50, 48, 47, 45, 43, 41], [48, 43], [50, 45],
    [48, 47, 45, 43], [47, 43], [50, 48, 43, 41], [45, 41],
  ];
  const crashes = rng.weighted<number[]>([[[DRUM.crash1], 3], [[DRUM.crash2], 1], [[DRUM.crash1, DRUM.crash2], 4]]);
  return {
    kick: rng.chance(0.3) ? DRUM.kickAcoustic : DRUM.kick,
    snare: rng.chance(0.2) ? DRUM.snareElectric : DRUM.snare,
    crossStick: DRUM.sideStick,
    clap: DRUM.clap,
    toms: [...rng.pick(tomSets)],
    crashes,
    ride: rng.chance(0.25) ? DRUM.ride2 : DRUM.ride1,
    rideBell: DRUM.rideBell,
    china: rng.chance(0.3) ? DRUM.china : null,
    splash: rng.chance(0.3) ? DRUM.splash : null,
  };
}

/** Options of {@link generateDrums}. */
export interface GenerateDrumsOptions {
  style: Style;
  /** Tempo [BPM]. */
  tempoBpm: number;
  beatsPerBar: number;
  stepsPerBeat: number;
  /** Total bars to fill. */
  bars: number;
  /** Bars at the start with the drums silent (accompaniment intro). @defaultValue 0 */
  introBars?: number;
  /**
   * Generator version 3: in 60% of the examples, extra unlabelled shakers and tambourines, played
   * louder than version 1's (real songs have them; MDB Drums leaves them unannotated, and the
   * built-in model called them HH). Drawn from a stream of its own: the rest is unchanged.
   * @defaultValue false
   */
  auxBoost?: boolean;
}

interface BarContext {
  rng: Rng;
  spec: StyleSpec;
  style: Style;
  voices: DrumVoices;
  beatsPerBar: number;
  stepsPerBeat: number;
  steps: number;
  tempoBpm: number;
  /** Section dynamics multiplier. */
  dynamics: number;
  hits: DrumHit[];
}

/** The per-section groove: fixed kick/snare templates plus the timekeeper line. */
interface Groove {
  kick: number[];
  kickAlt: number[];
  snare: number[];
  snareVoice: 'snare' | 'crossStick' | 'clap' | 'snareClap';
  timekeeper: Timekeeper;
  /** Steps of the timekeeper line; `open` are open-hat steps in a closed-hat line. */
  keep: number[];
  open: number[];
  /** Accent every n steps on the timekeeper line. */
  accentEvery: number;
  /** Hi-hat foot (pedal) steps under a ride / crash / tom timekeeper. */
  foot: number[];
  ghost: number;
  /** Metal blast beat: snare on the off-beat eighths. */
  blast: boolean;
  /** Jazz: comping density of snare/kick per triplet step. */
  comp: number;
}

function addHit(ctx: BarContext, bar: number, step: number, note: number, velocity: number): void {
  ctx.hits.push({ beat: bar * ctx.beatsPerBar + step / ctx.stepsPerBeat, offsetSeconds: 0, note, velocity: clampVelocity(velocity * ctx.dynamics) });
}

function makeGroove(ctx: BarContext, timekeeper: Timekeeper, loud: boolean): Groove {
  const { rng, style, steps, stepsPerBeat: g, beatsPerBar } = ctx;
  const pickLine = (lib: Record<string, readonly string[]>, key: string, fallback: string) => line(rng.pick(lib[key] ?? lib[fallback]), steps);
  const beatSteps = (beats: number[]) => beats.filter((b) => b < beatsPerBar).map((b) => b * g);
  let kick: number[];
  let snare: number[] = beatsPerBar === 3 ? (g === 3 ? [3, 6] : [4, 8]) : beatSteps([1, 3]);
  let snareVoice: Groove['snareVoice'] = 'snare';
  let blast = false;
  let comp = 0;
  if (beatsPerBar === 3) {
    kick = rng.pick([[0], [0, g * 2 + g - 1], [0, g]]).filter((s) => s < steps);
    if (style === 'jazz') snare = [];
  } else if (g === 3) {
    const key = style === 'jazz' ? 'jazz' : style === 'reggae' ? 'reggae' : style === 'ballad' ? 'ballad' : 'shuffle';
    kick = key === 'jazz' ? (rng.chance(0.6) ? [0, 3, 6, 9] : []) : pickLine(KICKS_12, key, 'shuffle');
    if (style === 'reggae') snare = [6];
    if (style === 'jazz') snare = [];
  } else {
    const key: Record<Style, string> = {
      rock: 'rock', pop: 'pop', funk: 'funk', shuffle: 'rock', jazz: 'rock', metal: 'metal', disco: 'fourFloor', house: 'fourFloor',
      reggae: 'reggae', hiphop: 'hiphop', halftime: 'halftime', latin: 'latin', ballad: 'rock', punk: 'punk',
    };
    kick = pickLine(KICKS_16, key[style], 'rock');
    if (style === 'halftime' || (style === 'hiphop' && ctx.tempoBpm < 80 && rng.chance(0.2))) snare = [8];
    if (style === 'metal') {
      if (loud && ctx.tempoBpm >= 150 && rng.chance(0.35)) {
        blast = true;
        kick = line('x.x.x.x.x.x.x.x.', steps);
        snare = line('..x...x...x...x.', steps);
      } else if (rng.chance(0.25)) snare = [8];
    }
    if (style === 'reggae') snare = [8];
    if (style === 'punk' && rng.chance(0.3)) snare = line('..x...x...x...x.', steps);
    if (style === 'latin' && rng.chance(0.5)) {
      // Clave-like cross-stick figure (3-side of a son clave).
      snare = line('x..x..x...x.x...', steps);
      snareVoice = 'crossStick';
    }
  }
  if (style === 'reggae') snareVoice = rng.chance(0.6) ? 'crossStick' : 'snare';
  if (style === 'ballad' && !loud && rng.chance(0.4)) snareVoice = 'crossStick';
  if ((style === 'house' || style === 'hiphop' || style === 'disco' || style === 'pop') && rng.chance(0.35)) snareVoice = rng.chance(0.5) ? 'clap' : 'snareClap';
  if (style === 'jazz') comp = rng.uniform(0.06, 0.16);
  if (style === 'pop' && rng.chance(0.3) && !loud) kick = kick.filter((s) => s % g === 0);

  // Timekeeper line.
  let keep: number[] = [];
  let open: number[] = [];
  let accentEvery = g;
  const all = Array.from({ length: steps }, (_, s) => s);
  const quarters = all.filter((s) => s % g === 0);
  const eighths = g === 4 ? all.filter((s) => s % 2 === 0) : all.filter((s) => s % 3 !== 1);
  const fast = ctx.tempoBpm > 125;
  if (style === 'jazz' && (timekeeper === 'ride' || timekeeper === 'crashRide')) {
    keep = beatsPerBar === 3 ? [0, 3, 5, 6] : [0, 3, 5, 6, 9, 11];
  } else if (timekeeper === 'hat') {
    const density = rng.weighted([['q', fast ? 1.5 : 0.5], ['8', 5], ['16', style === 'funk' || style === 'hiphop' ? 5 : fast ? 0.3 : 1.5]] as const);
    keep = density === 'q' ? quarters : density === '8' || g === 3 ? eighths : all;
    if (style === 'hiphop' && density === '16' && rng.chance(0.3)) keep = all;
    if (style === 'disco' || style === 'house') {
      open = all.filter((s) => s % 4 === 2);
      keep = density === '16' ? all : eighths;
    } else if (rng.chance(style === 'funk' || style === 'pop' || style === 'rock' ? 0.45 : 0.2)) {
      // An open hat at the end of the bar (or on an 'and').
      const candidates = keep.filter((s) => s >= steps - g && s % g !== 0);
      if (candidates.length > 0) open = [rng.pick(candidates)];
    }
    accentEvery = keep === all && g === 4 ? 2 : g;
  } else if (timekeeper === 'openHat') {
    keep = style === 'disco' || style === 'house' ? all.filter((s) => s % 4 === 2) : rng.chance(0.5) ? eighths : quarters;
  } else if (timekeeper === 'ride') {
    keep = rng.chance(fast ? 0.4 : 0.2) ? quarters : eighths;
  } else if (timekeeper === 'crashRide' || timekeeper === 'china') {
    keep = rng.chance(fast || ctx.tempoBpm > 110 ? 0.7 : 0.3) ? quarters : eighths;
  } else if (timekeeper === 'floorTom') {
    keep = rng.chance(0.6) ? eighths : line(g === 4 ? 'x..x..x.x..x..x.' : 'x.xx.xx.xx.x', steps);
  } else if (timekeeper === 'pedalHat') {
    keep = rng.chance(0.5) ? quarters : eighths;
  }
  let foot: number[] = [];
  if (timekeeper === 'ride' || timekeeper === 'crashRide' || timekeeper === 'floorTom' || timekeeper === 'china') {
    if (style === 'jazz' || rng.chance(0.35)) foot = beatsPerBar === 3 ? [g, 2 * g] : rng.chance(0.7) ? beatSteps([1, 3]) : quarters;
  }
  const kickAlt = kick.slice();
  if (rng.chance(0.6) && style !== 'disco' && style !== 'house' && style !== 'metal') {
    // Second-bar variation: one extra or one moved kick on a weak step.
    const free = all.filter((s) => !kick.includes(s) && !snare.includes(s) && s % g !== 0);
    if (free.length > 0) kickAlt.push(rng.pick(free));
  }
  return { kick, kickAlt, snare, snareVoice, timekeeper, keep, open, accentEvery, foot, ghost: ctx.spec.ghost, blast, comp };
}

/** Plays one bar of a groove, skipping steps ≥ `untilStep` (where a fill takes over). */
function playGroove(ctx: BarContext, groove: Groove, bar: number, barInSection: number, untilStep: number): void {
  const { rng, voices, steps, stepsPerBeat: g } = ctx;
  const v = voices;
  const kick = barInSection % 2 === 1 ? groove.kickAlt : groove.kick;
  for (const s of kick) if (s < untilStep) addHit(ctx, bar, s, v.kick, s % g === 0 ? rng.uniform(95, 120) : rng.uniform(80, 105));
  for (const s of groove.snare) {
    if (s >= untilStep) continue;
    const vel = rng.uniform(95, 122);
    if (groove.snareVoice === 'snare') addHit(ctx, bar, s, v.snare, vel);
    else if (groove.snareVoice === 'crossStick') addHit(ctx, bar, s, v.crossStick, vel * 0.85);
    else if (groove.snareVoice === 'clap') addHit(ctx, bar, s, v.clap, vel);
    else {
      addHit(ctx, bar, s, v.snare, vel);
      addHit(ctx, bar, s, v.clap, vel * 0.8);
    }
  }
  // Ghost notes on free non-beat steps.
  if (groove.ghost > 0) {
    for (let s = 0; s < Math.min(steps, untilStep); s++) {
      if (s % g === 0 || groove.snare.includes(s)) continue;
      if (rng.chance(groove.ghost)) addHit(ctx, bar, s, v.snare, rng.uniform(18, 48));
    }
  }
  // Jazz comping: soft snare and kick "bombs" on triplet steps.
  if (groove.comp > 0) {
    for (let s = 0; s < Math.min(steps, untilStep); s++) {
      if (s % g === 1) continue;
      if (rng.chance(groove.comp)) addHit(ctx, bar, s, v.snare, rng.chance(0.2) ? rng.uniform(70, 100) : rng.uniform(25, 55));
      if (rng.chance(groove.comp * 0.35)) addHit(ctx, bar, s, v.kick, rng.uniform(50, 95));
    }
  }
  // Timekeeper.
  const tk = groove.timekeeper;
  for (const s of groove.keep) {
    if (s >= untilStep) continue;
    const accent = s % groove.accentEvery === 0 && s % g === 0;
    const base = accent ? rng.uniform(85, 115) : rng.uniform(55, 90);
    switch (tk) {
      case 'hat':
        addHit(ctx, bar, s, groove.open.includes(s) ? DRUM.hatOpen : DRUM.hatClosed, groove.open.includes(s) ? base + 10 : base);
        break;
      case 'openHat':
        addHit(ctx, bar, s, DRUM.hatOpen, base);
        break;
      case 'ride':
        addHit(ctx, bar, s, accent && rng.chance(0.15) ? v.rideBell : v.ride, base);
        break;
      case 'crashRide':
        addHit(ctx, bar, s, v.crashes[0], base);
        break;
      case 'china':
        addHit(ctx, bar, s, v.china ?? v.crashes[0], base);
        break;
      case 'floorTom':
        addHit(ctx, bar, s, v.toms[v.toms.length - 1], base);
        break;
      case 'pedalHat':
        addHit(ctx, bar, s, DRUM.hatPedal, base * 0.8);
        break;
      case 'none':
        break;
    }
  }
  if (tk === 'hat' || tk === 'openHat') {
    // Disco/house: closed hats between the open off-beats.
    for (const s of groove.open) if (s < untilStep && !groove.keep.includes(s)) addHit(ctx, bar, s, DRUM.hatOpen, rng.uniform(80, 105));
  }
  for (const s of groove.foot) if (s < untilStep) addHit(ctx, bar, s, DRUM.hatPedal, rng.uniform(50, 85));
}

/** Writes a fill over the last `lengthBeats` beats of `bar`. */
function playFill(ctx: BarContext, bar: number, lengthBeats: number): void {
  const { rng, voices: v, stepsPerBeat: g, beatsPerBar, tempoBpm } = ctx;
  // Sixteenths (or triplet eighths) unless that puts hits closer than ~70 ms; then eighths.
  const stepSeconds = 60 / tempoBpm / g;
  const stride = stepSeconds < 0.07 ? (g === 4 ? 2 : 3) : 1;
  const startStep = (beatsPerBar - lengthBeats) * g;
  const endStep = beatsPerBar * g;
  const kind = rng.weighted([['descend', 4], ['snareToms', 2], ['roll', 1], ['unison', 1.5], ['stabs', 1], ['random', 1.5]] as const);
  const toms = v.toms;
  const n = Math.ceil((endStep - startStep) / stride);
  const positions = Array.from({ length: n }, (_, i) => startStep + i * stride);
  let vel = rng.uniform(65, 90);
  const crescendo = (rng.uniform(100, 122) - vel) / Math.max(1, n);
  positions.forEach((s, i) => {
    vel += crescendo;
    const progress = i / Math.max(1, n - 1);
    if (i > 0 && rng.chance(kind === 'roll' ? 0.02 : 0.15)) return;
    switch (kind) {
      case 'descend': {
        const drums = [v.snare, ...toms];
        const idx = Math.min(drums.length - 1, Math.floor(progress * drums.length));
        addHit(ctx, bar, s, drums[idx], vel);
        break;
      }
      case 'snareToms':
        addHit(ctx, bar, s, progress < 0.5 ? v.snare : toms[Math.min(toms.length - 1, Math.floor((progress - 0.5) * 2 * toms.length))], vel);
        break;
      case 'roll':
        addHit(ctx, bar, s, v.snare, vel * (0.75 + 0.25 * progress));
        break;
      case 'unison':
        if ((s - startStep) % (stride * 2) === 0) {
          addHit(ctx, bar, s, rng.pick(toms), vel);
          addHit(ctx, bar, s, v.kick, vel);
        }
        break;
      case 'stabs':
        if (s % g === 0 || rng.chance(0.3)) {
          addHit(ctx, bar, s, v.kick, vel);
          addHit(ctx, bar, s, rng.pick(v.crashes), vel);
        } else if (rng.chance(0.5)) addHit(ctx, bar, s, v.snare, vel * 0.9);
        break;
      case 'random': {
        const drum = rng.weighted([[v.snare, 3], ...toms.map((t) => [t, 2] as const), [v.kick, 1]]);
        addHit(ctx, bar, s, drum, vel);
        if (drum !== v.kick && s % g === 0 && rng.chance(0.3)) addHit(ctx, bar, s, v.kick, vel * 0.9);
        break;
      }
    }
  });
  // Keep time with the foot under most fills.
  if (rng.chance(0.4)) for (let b = beatsPerBar - lengthBeats; b < beatsPerBar; b++) addHit(ctx, bar, b * g, DRUM.hatPedal, rng.uniform(40, 75));
}

/** Adds a crash (usually with a kick) on the downbeat of `bar`. */
function crashOnOne(ctx: BarContext, bar: number): void {
  const { rng, voices: v } = ctx;
  const cymbal = rng.weighted([[rng.pick(v.crashes), 8], [v.china ?? v.crashes[0], 1], [v.splash ?? v.crashes[0], 1]]);
  addHit(ctx, bar, 0, cymbal, rng.uniform(95, 125));
  if (rng.chance(0.85)) addHit(ctx, bar, 0, v.kick, rng.uniform(95, 120));
}

/**
 * Lays out song sections (intro / verse / chorus / bridge / break) over `bars`.
 *
 * @param rng - random stream
 * @param options - bars, intro bars and the style's timekeepers
 * @returns sections covering every bar, in order
 */
export function planSections(rng: Rng, options: { bars: number; introBars: number; style: Style }): Section[] {
  const spec = STYLE_SPECS[options.style];
  const sections: Section[] = [];
  let bar = 0;
  if (options.introBars > 0) {
    sections.push({ kind: 'intro', startBar: 0, bars: options.introBars, timekeeper: 'none', tacet: true });
    bar = options.introBars;
  }
  let previous: Section['kind'] = 'intro';
  while (bar < options.bars) {
    let kind: Section['kind'] = previous === 'verse' ? rng.weighted([['chorus', 6], ['verse', 2], ['bridge', 1.5], ['break', 0.7]] as const)
      : previous === 'chorus' ? rng.weighted([['verse', 5], ['bridge', 2], ['chorus', 1], ['break', 0.7]] as const)
        : rng.weighted([['verse', 6], ['chorus', 3], ['bridge', 1]] as const);
    let length = kind === 'break' ? rng.int(1, 2) : rng.weighted([[4, 5], [8, 4], [2, 1]] as const);
    if (bar + length > options.bars) length = options.bars - bar;
    if (kind === 'break' && bar === 0) kind = 'verse';
    const loud = kind === 'chorus' || (kind === 'bridge' && rng.chance(0.5));
    let timekeeper: Timekeeper = rng.weighted(loud ? spec.loud : spec.quiet);
    if (kind === 'bridge' && rng.chance(spec.tomGroove)) timekeeper = 'floorTom';
    if (kind !== 'bridge' && rng.chance(spec.tomGroove * 0.25)) timekeeper = 'floorTom';
    const tacet = kind === 'break' && rng.chance(0.6);
    sections.push({ kind, startBar: bar, bars: length, timekeeper, tacet });
    bar += length;
    previous = kind;
  }
  return sections;
}

/**
 * Generates a complete drum performance.
 *
 * @param rng - random stream (fork it per part: the result depends on it only)
 * @param options - style, tempo, meter and length
 * @returns the performance, hits sorted by beat
 */
export function generateDrums(rng: Rng, options: GenerateDrumsOptions): DrumPerformance {
  const { style, tempoBpm, beatsPerBar, stepsPerBeat, bars } = options;
  const spec = STYLE_SPECS[style];
  const voices = chooseVoices(rng.fork('voices'));
  const sections = planSections(rng.fork('sections'), { bars, introBars: options.introBars ?? 0, style });
  const swing = stepsPerBeat === 4 ? rng.uniform(spec.swing[0], spec.swing[1]) : 0;
  const steps = beatsPerBar * stepsPerBeat;
  const hits: DrumHit[] = [];
  const ctx: BarContext = { rng: rng.fork('bars'), spec, style, voices, beatsPerBar, stepsPerBeat, steps, tempoBpm, dynamics: 1, hits };
  const g = stepsPerBeat;
  for (let si = 0; si < sections.length; si++) {
    const section = sections[si];
    const next = sections[si + 1];
    if (section.tacet) {
      // A break may still end with a short pickup fill into the next section.
      if (section.kind === 'break' && next && ctx.rng.chance(0.5)) playFill(ctx, section.startBar + section.bars - 1, 1);
      continue;
    }
    const loud = section.kind === 'chorus' || section.timekeeper === 'crashRide' || section.timekeeper === 'china';
    ctx.dynamics = section.kind === 'chorus' ? ctx.rng.uniform(0.95, 1.05) : ctx.rng.uniform(0.78, 0.97);
    const groove = makeGroove(ctx, section.timekeeper, loud);
    const stopTime = section.kind === 'break';
    for (let b = 0; b < section.bars; b++) {
      const bar = section.startBar + b;
      const lastOfSection = b === section.bars - 1;
      if (b === 0 && (si > 0 && !sections[si - 1].tacet || section.kind === 'chorus') && ctx.rng.chance(0.8)) crashOnOne(ctx, bar);
      else if (loud && b % 2 === 0 && ctx.rng.chance(0.35)) crashOnOne(ctx, bar);
      if (stopTime) {
        // Stop-time: hits on the first beat(s) only, the rest silent.
        crashOnOne(ctx, bar);
        if (ctx.rng.chance(0.5)) addHit(ctx, bar, g * (beatsPerBar - 1), voices.snare, ctx.rng.uniform(80, 115));
        continue;
      }
      let fillBeats = 0;
      if (lastOfSection && next && ctx.rng.chance(0.85)) fillBeats = ctx.rng.weighted([[1, 4], [2, 4], [beatsPerBar, 2]] as const);
      else if (b % 4 === 3 && ctx.rng.chance(0.35)) fillBeats = ctx.rng.weighted([[1, 3], [2, 1]] as const);
      fillBeats = Math.min(fillBeats, beatsPerBar);
      playGroove(ctx, groove, bar, b, fillBeats > 0 ? (beatsPerBar - fillBeats) * g : steps);
      if (fillBeats > 0) playFill(ctx, bar, fillBeats);
    }
  }
  // Final bar: sometimes a last crash on the downbeat after the form ends.
  if (ctx.rng.chance(0.3) && sections.length > 0 && !sections[sections.length - 1].tacet) crashOnOne(ctx, bars);

  // Auxiliary (unlabelled) percussion.
  let auxPercussion = ctx.rng.chance(spec.aux);
  if (auxPercussion) addAuxPercussion(ctx, sections);
  if (options.auxBoost) {
    const boost = rng.fork('aux-v3');
    if (boost.chance(0.6)) {
      addAuxPercussion({ ...ctx, rng: boost }, sections, true);
      auxPercussion = true;
    }
  }

  // Humanization.
  const h = rng.fork('humanize');
  const programmed = (style === 'house' || style === 'hiphop' || style === 'disco') && h.chance(0.4);
  const timingSdMs = programmed ? h.uniform(0, 1) : h.uniform(1.5, 9);
  const velocitySd = programmed ? h.uniform(0, 3) : h.uniform(4, 11);
  const driftMs = programmed ? 0 : h.uniform(0, 10);
  const snareLagMs = style === 'hiphop' || style === 'funk' || style === 'ballad' ? h.uniform(0, 10) : h.uniform(-2, 4);
  const stepSeconds = 60 / tempoBpm / stepsPerBeat;
  const barDrift: number[] = [];
  let drift = 0;
  for (let b = 0; b <= bars; b++) {
    drift = Math.max(-driftMs, Math.min(driftMs, drift + h.normal(0, driftMs / 3)));
    barDrift.push(drift / 1000);
  }
  for (const hit of hits) {
    const bar = Math.floor(hit.beat / beatsPerBar);
    const stepInBeat = Math.round((hit.beat - Math.floor(hit.beat + 1e-9)) * stepsPerBeat);
    let offset = h.normal(0, timingSdMs / 1000) + barDrift[Math.min(bar, bars)];
    if (swing > 0 && stepInBeat % 2 === 1) offset += swing * stepSeconds;
    if (hit.note === voices.snare || hit.note === voices.clap || hit.note === voices.crossStick) offset += snareLagMs / 1000;
    hit.offsetSeconds = offset;
    hit.velocity = clampVelocity(hit.velocity + h.normal(0, velocitySd));
  }
  hits.sort((a, b) => a.beat - b.beat || a.note - b.note);
  return {
    style, tempoBpm, beatsPerBar, stepsPerBeat, swing, bars, sections, voices, hits,
    humanize: { timingSdMs, velocitySd, driftMs }, auxPercussion,
  };
}

function addAuxPercussion(ctx: BarContext, sections: readonly Section[], boosted = false): void {
  const { rng, steps, stepsPerBeat: g, style } = ctx;
  const kind = boosted
    ? rng.pick(['shaker', 'tambourine', 'tambourineBackbeat', 'shaker'] as const)
    : style === 'latin' ? rng.pick(['congas', 'shaker', 'claves'] as const) : rng.pick(['shaker', 'shaker', 'congas'] as const);
  const louder = boosted ? rng.uniform(5, 25) : 0;
  for (const section of sections) {
    if (section.tacet) continue;
    for (let bar = section.startBar; bar < section.startBar + section.bars; bar++) {
      for (let s = 0; s < steps; s++) {
        if (kind === 'tambourine' && (g === 3 || s % 2 === 0)) {
          addHit(ctx, bar, s, AUX_PERCUSSION.tambourine, (s % g === 0 ? rng.uniform(60, 85) : rng.uniform(40, 65)) + louder);
        } else if (kind === 'tambourineBackbeat' && s % g === 0 && (s / g) % 2 === 1) {
          addHit(ctx, bar, s, AUX_PERCUSSION.tambourine, rng.uniform(70, 100) + louder);
        } else if (kind === 'shaker' && (g === 3 || s % 2 === 0 || ctx.tempoBpm < 110)) {
          addHit(ctx, bar, s, rng.chance(0.5) ? AUX_PERCUSSION.maracas : AUX_PERCUSSION.cabasa, (s % g === 0 ? rng.uniform(55, 80) : rng.uniform(35, 60)) + louder);
        } else if (kind === 'congas' && rng.chance(0.35)) {
          addHit(ctx, bar, s, rng.pick([AUX_PERCUSSION.congaMuteHigh, AUX_PERCUSSION.congaOpenHigh, AUX_PERCUSSION.congaLow, AUX_PERCUSSION.bongoHigh, AUX_PERCUSSION.bongoLow]), rng.uniform(50, 95));
        } else if (kind === 'claves' && g === 4 && [0, 3, 6, 10, 12].includes(s)) {
          addHit(ctx, bar, s, AUX_PERCUSSION.claves, rng.uniform(60, 90));
        }
      }
    }
  }
}
