/**
 * One synthetic example: planning (pure, seeded), MIDI and annotation building (pure), and
 * rendering + mixing (fluidsynth). The plan of example `index` depends only on the global
 * seed, the index and the kit list, never on other examples, so `--jobs` and `--start` do
 * not change what an example contains.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '../../src/io/audio/index.js';
import { generateAccompaniment, SCALES, type Accompaniment } from './accompaniment.js';
import { generateDrums, STYLE_SPECS, STYLE_WEIGHTS, type DrumPerformance, type Style } from './drums.js';
import { drumFontPath, fontById, FONTS, fontPath, type FontSpec, type KitSpec } from './fonts.js';
import { LABELS, NOTE_TO_LABEL, type Label } from './gm.js';
import { beatsToSeconds, buildMidiFile, bpmOf, secondsToTicks, tempoFromBpm, type ChannelSetup, type MidiNote, type Tempo } from './midi.js';
import { drawMixParams, mixExample, type MixParams } from './mix.js';
import { fluidsynthArgs, fluidsynthOnsetSample, fluidsynthVersion, renderMidi, SAMPLE_RATE, type FluidEffects } from './render.js';
import { Rng } from './rng.js';
import { addSympatheticWash, planKitRealism, splitCymbalNotes, type KitRealismPlan } from './kitRealism.js';
import { planVocals, renderVocals, type VocalPlan } from './vocals.js';

/** Bumped whenever a change alters what a seed generates. */
/** Newest generator version (plans choose theirs with `PlanEnvironment.generatorVersion`). */
export const GENERATOR_VERSION = 4;

/** Range of example durations [s]. */
export const DURATION_RANGE_SECONDS: readonly [number, number] = [20, 40];
/** Fraction of examples without accompaniment. */
export const DRUMS_ONLY_FRACTION = 0.15;
/** Two onsets of one class closer than this are annotated once (the earlier) [s]. */
export const MERGE_SECONDS = 0.025;
/** Two hits of the same key closer than this keep only the first [s]. */
const SAME_KEY_MIN_SECONDS = 0.03;

/** Everything that defines one example. */
export interface ExamplePlan {
  /** Zero-padded index, the file stem. */
  id: string;
  index: number;
  /** Seed text of this example (`<global seed>/<index>`). */
  seed: string;
  style: Style;
  tempo: Tempo;
  stepsPerBeat: number;
  bars: number;
  introBars: number;
  /** Silence before the first bar [s]. */
  leadInSeconds: number;
  durationSeconds: number;
  kit: KitSpec;
  /** Font id of the accompaniment. */
  accompanimentFont: string;
  drumsOnly: boolean;
  drums: DrumPerformance;
  accompaniment: Accompaniment | null;
  drumChannel: ChannelSetup;
  /** fluidsynth master gain of each stem. */
  drumGain: number;
  accompanimentGain: number;
  drumEffects: FluidEffects;
  accompanimentEffects: FluidEffects;
  mix: MixParams;
  /** Generator version of this plan. */
  generatorVersion: GeneratorVersion;
  /** Version-2 additions (null in version 1 and for drums-only examples). */
  realism: RealismPlan | null;
  /** Version-4 additions (quiet cymbal stem, sympathetic wash); null before version 4. */
  kitRealism: KitRealismPlan | null;
}

/** Generator versions a plan can have. */
export type GeneratorVersion = 1 | 2 | 3 | 4;

/** What the planner may choose from. */
export interface PlanEnvironment {
  /** Candidate kits (kits.json). */
  kits: readonly KitSpec[];
  /** Font ids allowed for drums and accompaniment. @defaultValue every font in FONTS */
  fontIds?: readonly string[];
  /**
   * Generator version of the plan: 1 (the original data); 2 adds a sung voice, an overdriven
   * accompaniment bus and louder accompaniment (see {@link RealismPlan}); 3 is version 1 plus
   * louder and more frequent unlabelled shakers and tambourines (`auxBoost` of generateDrums).
   * Version-1 plans are unchanged by the later versions' code (their draws use streams of
   * their own), and version 3 has the same annotations as version 1. Version 4 is version 3
   * plus kit realism (kitRealism.ts): the cymbals rendered as a stem of their own and mixed
   * 4-24 dB down in 60% of the examples, and an unlabelled sympathetic cymbal wash under the
   * kick and snare hits in 50%; same MIDI and annotations as version 3.
   * @defaultValue 1
   */
  generatorVersion?: GeneratorVersion;
}

/** Overdrive of the accompaniment bus (generator version 2). */
export interface DriveParams {
  /** Gain into the tanh waveshaper (relative to the bus peak). */
  preGain: number;
  /** Speaker-cabinet low-pass corner [Hz]. */
  cabinetHz: number;
}

/** Version-2 additions of one example: real mixes have vocals and distorted guitars. */
export interface RealismPlan {
  vocals: VocalPlan | null;
  drive: DriveParams | null;
}

function drawEffects(rng: Rng): FluidEffects {
  return {
    reverb: rng.chance(0.7), roomSize: rng.uniform(0.1, 0.9), damp: rng.uniform(0, 0.8), level: rng.uniform(0.2, 0.9),
    width: rng.uniform(0.5, 20), chorus: rng.chance(0.3),
  };
}

/**
 * Plans example `index` of the data set with seed `globalSeed`.
 *
 * @param globalSeed - data-set seed
 * @param index - example index (≥ 0)
 * @param env - kits and fonts to choose from
 * @returns the plan
 * @throws Error when no kit of an allowed font is available
 */
export function planExample(globalSeed: number | string, index: number, env: PlanEnvironment): ExamplePlan {
  const seed = `${globalSeed}/${index}`;
  const rng = new Rng(seed);
  const fontIds = env.fontIds ?? FONTS.map((f) => f.id);
  const kits = env.kits.filter((k) => fontIds.includes(k.font));
  if (kits.length === 0) throw new Error(`no drum kit available for fonts ${fontIds.join(', ')} (check kits.json and --fonts)`);

  const top = rng.fork('top');
  const style = top.weighted(STYLE_WEIGHTS);
  const spec = STYLE_SPECS[style];
  const [beatsPerBar, stepsPerBeat] = top.weighted(spec.meters.map(([b, s, w]) => [[b, s] as const, w] as const));
  const tempo = tempoFromBpm(Math.round(top.uniform(spec.tempo[0], spec.tempo[1]) * 10) / 10, beatsPerBar);
  const durationSeconds = Math.round(top.uniform(DURATION_RANGE_SECONDS[0], DURATION_RANGE_SECONDS[1]) * 100) / 100;
  const leadInSeconds = Math.round(top.uniform(0.05, 1.5) * 1000) / 1000;
  const barSeconds = beatsToSeconds(beatsPerBar, tempo);
  const bars = Math.ceil((durationSeconds - leadInSeconds) / barSeconds) + 1;
  const drumsOnly = top.chance(DRUMS_ONLY_FRACTION);
  const introBars = !drumsOnly && top.chance(0.3) ? top.int(1, 2) : 0;

  // Kit: a family the style likes (sometimes any), then any kit of that family.
  const kr = rng.fork('kit');
  const families = new Set(kits.map((k) => k.family));
  const liked = spec.families.filter(([f]) => families.has(f));
  const family = liked.length > 0 && !kr.chance(0.15) ? kr.weighted(liked) : kr.pick([...families]);
  const kit = kr.pick(kits.filter((k) => k.family === family));
  let accompanimentFont = kr.chance(0.6) ? kit.font : kr.pick(fontIds);
  if (!FONTS.some((f) => f.id === accompanimentFont)) {
    // A research drum font (RESEARCH_FONTS) has drums only: the accompaniment takes a GM font.
    const melodic = fontIds.filter((id) => FONTS.some((f) => f.id === id));
    accompanimentFont = rng.fork('accompanimentFont').pick(melodic.length > 0 ? melodic : FONTS.map((f) => f.id));
  }

  const generatorVersion = env.generatorVersion ?? 1;
  const drums = generateDrums(rng.fork('drums'), { style, tempoBpm: bpmOf(tempo), beatsPerBar, stepsPerBeat, bars, introBars, auxBoost: generatorVersion === 3 || generatorVersion === 4 });
  const accompaniment = drumsOnly ? null : generateAccompaniment(rng.fork('accompaniment'), { drums });
  const fx = rng.fork('effects');
  const drumChannel: ChannelSetup = {
    channel: 9, program: kit.program, volume: fx.int(90, 127), pan: 64, reverbSend: fx.int(0, 100), chorusSend: fx.int(0, 30), name: 'drums',
  };
  const plan: ExamplePlan = {
    id: String(index).padStart(5, '0'), index, seed, style, tempo, stepsPerBeat, bars, introBars, leadInSeconds, durationSeconds,
    kit, accompanimentFont, drumsOnly, drums, accompaniment, drumChannel,
    drumGain: fx.uniform(0.3, 0.6), accompanimentGain: fx.uniform(0.3, 0.6),
    drumEffects: drawEffects(fx), accompanimentEffects: drawEffects(fx),
    mix: drawMixParams(rng.fork('mix')),
    generatorVersion,
    realism: null,
    kitRealism: generatorVersion === 4 ? planKitRealism(rng.fork('kitRealism')) : null,
  };
  if (plan.generatorVersion === 2 && accompaniment) {
    const rr = rng.fork('realism');
    // Louder accompaniment than version 1 (-12..+6 dB): real mixes bury the drums more.
    plan.mix.drumToAccompanimentDb = rr.uniform(-15, 3);
    const vocals = rr.chance(0.75)
      ? planVocals(rr.fork('vocals'), {
          keyRoot: accompaniment.keyRoot, scale: SCALES[accompaniment.mode], secondsPerBeat: beatsToSeconds(1, tempo),
          beatsPerBar, startSeconds: leadInSeconds + beatsToSeconds(introBars * beatsPerBar, tempo), endSeconds: durationSeconds,
        })
      : null;
    const drive = rr.chance(0.45) ? { preGain: rr.logUniform(2, 30), cabinetHz: rr.logUniform(2500, 6500) } : null;
    plan.realism = { vocals, drive };
  }
  return plan;
}

/** One annotated onset. */
export interface Annotation {
  /** Onset in the rendered audio [s] (the first sample of the voice). */
  timeSeconds: number;
  label: Label;
  /** GM key of the (first) hit. */
  note: number;
  velocity: number;
}

/** MIDI files and annotations of one example. */
export interface BuiltExample {
  drumsMidi: Uint8Array;
  accompanimentMidi: Uint8Array | null;
  /** Drum notes as written to the MIDI file (labelled and unlabelled). */
  drumNotes: MidiNote[];
  /** Labelled onsets sorted by time then class order. */
  annotations: Annotation[];
}

/**
 * Turns a plan into MIDI files and annotations (pure).
 *
 * @param plan - from {@link planExample}
 * @returns the MIDI bytes and annotations
 */
export function buildExample(plan: ExamplePlan): BuiltExample {
  const { tempo, leadInSeconds, durationSeconds } = plan;
  const endTick = secondsToTicks(durationSeconds, tempo);
  const lastOnset = durationSeconds - 0.1;
  const missing = new Set(plan.kit.missingNotes);
  // Kits with a layout of their own (RESEARCH_FONTS) map the General MIDI keys first.
  const keyMap = fontById(plan.kit.font)?.keyMap;
  const replacement = (gmNote: number): number | null => {
    const note = keyMap && gmNote in keyMap ? keyMap[gmNote] : gmNote;
    if (note === null) return null;
    if (!missing.has(note)) return note;
    const label = NOTE_TO_LABEL[note];
    const alternative = Object.keys(NOTE_TO_LABEL).map(Number).find((n) => NOTE_TO_LABEL[n] === label && !missing.has(n));
    return alternative ?? null;
  };
  // Hits → ticks; a hit of the same key within 30 ms of the previous one is dropped.
  const placed: { tick: number; note: number; velocity: number }[] = [];
  for (const hit of plan.drums.hits) {
    const seconds = leadInSeconds + beatsToSeconds(hit.beat, tempo) + hit.offsetSeconds;
    const note = replacement(hit.note);
    if (note === null || seconds < 0 || seconds > lastOnset) continue;
    placed.push({ tick: secondsToTicks(seconds, tempo), note, velocity: hit.velocity });
  }
  placed.sort((a, b) => a.tick - b.tick || a.note - b.note);
  const minTicks = secondsToTicks(SAME_KEY_MIN_SECONDS, tempo);
  const lastTickOfKey = new Map<number, number>();
  const kept = placed.filter((p) => {
    const last = lastTickOfKey.get(p.note);
    if (last !== undefined && p.tick - last < minTicks) return false;
    lastTickOfKey.set(p.note, p.tick);
    return true;
  });
  // Note lengths: cymbals and open hats ring (a note-off releases them) until struck again.
  const drumNotes: MidiNote[] = kept.map((p, i) => {
    const ring = NOTE_TO_LABEL[p.note] === 'CY' || p.note === 46 ? 4 : 0.4;
    let next = Infinity;
    for (let j = i + 1; j < kept.length; j++) {
      if (kept[j].note === p.note) {
        next = kept[j].tick;
        break;
      }
    }
    const duration = Math.max(1, Math.min(secondsToTicks(ring, tempo), next - p.tick - 1));
    return { tick: p.tick, durationTicks: duration, channel: 9, note: p.note, velocity: p.velocity };
  });
  const drumsMidi = buildMidiFile({ tempo, channels: [plan.drumChannel], notes: drumNotes, endTick });

  // Annotations: fluidsynth's onset of each labelled note; one per class within 25 ms.
  const raw: Annotation[] = [];
  for (const n of drumNotes) {
    const label = NOTE_TO_LABEL[n.note];
    if (!label) continue;
    raw.push({ timeSeconds: fluidsynthOnsetSample(n.tick, tempo) / SAMPLE_RATE, label, note: n.note, velocity: n.velocity });
  }
  raw.sort((a, b) => a.timeSeconds - b.timeSeconds || LABELS.indexOf(a.label) - LABELS.indexOf(b.label));
  const lastOfLabel = new Map<Label, number>();
  const annotations = raw.filter((a) => {
    const last = lastOfLabel.get(a.label);
    if (last !== undefined && a.timeSeconds - last < MERGE_SECONDS) return false;
    lastOfLabel.set(a.label, a.timeSeconds);
    return true;
  });

  let accompanimentMidi: Uint8Array | null = null;
  if (plan.accompaniment) {
    const notes: MidiNote[] = [];
    for (const n of plan.accompaniment.notes) {
      const seconds = leadInSeconds + beatsToSeconds(n.beat, tempo) + n.offsetSeconds;
      if (seconds < 0 || seconds > lastOnset) continue;
      notes.push({
        tick: secondsToTicks(seconds, tempo), durationTicks: Math.max(1, secondsToTicks(beatsToSeconds(n.durationBeats, tempo), tempo)),
        channel: n.channel, note: n.note, velocity: n.velocity,
      });
    }
    const channels: ChannelSetup[] = plan.accompaniment.parts.map((p) => ({
      channel: p.channel, program: p.program, volume: p.volume, pan: p.pan, reverbSend: p.reverbSend, chorusSend: p.chorusSend, name: p.role,
    }));
    accompanimentMidi = buildMidiFile({ tempo, channels, notes, endTick });
  }
  return { drumsMidi, accompanimentMidi, drumNotes, annotations };
}

/** Annotation file text: one `time<TAB>label` line per onset, times in seconds (6 decimals). */
export function formatAnnotations(annotations: readonly Annotation[]): string {
  return annotations.map((a) => `${a.timeSeconds.toFixed(6)}\t${a.label}\n`).join('');
}

/** Onset counts per class. */
export function countLabels(annotations: readonly Annotation[]): Record<Label, number> {
  const counts = Object.fromEntries(LABELS.map((l) => [l, 0])) as Record<Label, number>;
  for (const a of annotations) counts[a.label]++;
  return counts;
}

/** Options of {@link renderExample}. */
export interface RenderExampleOptions {
  /** Output directory. */
  outDir: string;
  /** Also write `<id>.drums.wav` (the processed drum bus at mix scale). @defaultValue false */
  stems?: boolean;
  /** Write 32-bit float WAV instead of 16-bit PCM. @defaultValue false */
  float?: boolean;
}

/** Summary of one rendered example (also stored in its metadata). */
export interface RenderedExample {
  id: string;
  counts: Record<Label, number>;
  peakDbfs: number;
  rmsDbfs: number;
  durationSeconds: number;
  renderSeconds: number;
}

let fluidsynthVersionText: string | null | undefined;
function cachedFluidsynthVersion(): string | null {
  if (fluidsynthVersionText === undefined) fluidsynthVersionText = fluidsynthVersion();
  return fluidsynthVersionText;
}

/** fluidsynth arguments with the scratch and output directories replaced by placeholders. */
function portableArgs(args: string[]): string[] {
  return args.map((a) => a.replace(/^.*\/([^/]+\.(raw|mid))$/, '$1'));
}

function resolveFont(id: string, locate: (font: FontSpec) => string | null = fontPath): string {
  const font = fontById(id);
  const path = font ? locate(font) : null;
  if (!font || !path) throw new Error(`soundfont '${id}' is not installed (apt-get install ${font?.debianPackages.join(' or ') ?? id})`);
  return path;
}

/**
 * Renders one planned example with fluidsynth, mixes it and writes its files:
 * `<id>.wav`, `<id>.txt` (annotations), `<id>.json` (metadata), `<id>.drums.mid`,
 * `<id>.accompaniment.mid` and, with `stems`, `<id>.drums.wav`.
 *
 * @param plan - from {@link planExample}
 * @param options - output directory and format
 * @returns a summary
 */
export async function renderExample(plan: ExamplePlan, options: RenderExampleOptions): Promise<RenderedExample> {
  const started = performance.now();
  const built = buildExample(plan);
  const { outDir } = options;
  const base = join(outDir, plan.id);
  const scratch = mkdtempSync(join(tmpdir(), `adtkit-synth-${plan.id}-`));
  try {
    writeFileSync(`${base}.drums.mid`, built.drumsMidi);
    const drumFontFile = resolveFont(plan.kit.font, drumFontPath);
    const drumRender = { midiPath: `${base}.drums.mid`, fontPath: drumFontFile, rawPath: join(scratch, 'drums.raw'), gain: plan.drumGain, effects: plan.drumEffects };
    const drums = plan.kitRealism ? await renderKitRealism(plan, built, drumRender, scratch) : await renderMidi(drumRender);
    let accompaniment: Float32Array | null = null;
    let accompanimentArgs: string[] | null = null;
    if (built.accompanimentMidi) {
      writeFileSync(`${base}.accompaniment.mid`, built.accompanimentMidi);
      const accRender = {
        midiPath: `${base}.accompaniment.mid`, fontPath: resolveFont(plan.accompanimentFont), rawPath: join(scratch, 'acc.raw'),
        gain: plan.accompanimentGain, effects: plan.accompanimentEffects,
      };
      accompanimentArgs = fluidsynthArgs(accRender);
      accompaniment = await renderMidi(accRender);
    }
    const length = Math.round(plan.durationSeconds * SAMPLE_RATE);
    const vocals = plan.realism?.vocals ? renderVocals(plan.realism.vocals, length, SAMPLE_RATE, new Rng(`${plan.seed}/voice`)) : null;
    const mixed = mixExample({
      drums, accompaniment, length, vocals, vocalToAccompanimentDb: plan.realism?.vocals?.vocalToAccompanimentDb ?? 0, drive: plan.realism?.drive ?? null, sampleRate: SAMPLE_RATE, params: plan.mix, rng: new Rng(`${plan.seed}/mixing`),
    });
    const wavOptions = options.float ? { float: true, bitDepth: 32 as const } : { bitDepth: 16 as const };
    writeFileSync(`${base}.wav`, encodeWav({ channels: [mixed.mix], sampleRate: SAMPLE_RATE }, wavOptions));
    if (options.stems) writeFileSync(`${base}.drums.wav`, encodeWav({ channels: [mixed.drums], sampleRate: SAMPLE_RATE }, wavOptions));
    writeFileSync(`${base}.txt`, formatAnnotations(built.annotations));
    const counts = countLabels(built.annotations);
    const renderSeconds = (performance.now() - started) / 1000;
    const metadata = {
      generatorVersion: plan.generatorVersion,
      kitRealism: plan.kitRealism,
      realism: plan.realism && { drive: plan.realism.drive, vocals: plan.realism.vocals && { ...plan.realism.vocals, syllables: plan.realism.vocals.syllables.length } },
      id: plan.id, seed: plan.seed, style: plan.style,
      tempoBpm: Math.round(bpmOf(plan.tempo) * 1000) / 1000, microsecondsPerBeat: plan.tempo.microsecondsPerBeat,
      meter: `${plan.tempo.beatsPerBar}/4`, stepsPerBeat: plan.stepsPerBeat, swing: plan.drums.swing,
      bars: plan.bars, introBars: plan.introBars, leadInSeconds: plan.leadInSeconds, durationSeconds: plan.durationSeconds,
      sections: plan.drums.sections.map((s) => `${s.kind}${s.tacet ? '(tacet)' : ''}:${s.bars}:${s.timekeeper}`),
      kit: { font: plan.kit.font, program: plan.kit.program, name: plan.kit.name, family: plan.kit.family, fontFile: drumFontFile },
      voices: plan.drums.voices,
      humanize: plan.drums.humanize, auxPercussion: plan.drums.auxPercussion,
      drumsOnly: plan.drumsOnly,
      accompaniment: plan.accompaniment ? {
        font: plan.accompanimentFont, keyRoot: plan.accompaniment.keyRoot, mode: plan.accompaniment.mode,
        chordsPerBar: plan.accompaniment.chordsPerBar, parts: plan.accompaniment.parts,
      } : null,
      fluidsynth: { version: cachedFluidsynthVersion(), drums: portableArgs(fluidsynthArgs(drumRender)), accompaniment: accompanimentArgs && portableArgs(accompanimentArgs) },
      mix: plan.mix,
      measured: { peakDbfs: mixed.peakDbfs, rmsDbfs: mixed.rmsDbfs, drumToAccompanimentDb: mixed.drumToAccompanimentDb },
      counts,
      annotationNote: `times are fluidsynth voice starts (MIDI time + 0.6..3.5 ms block scheduling delay); same-class onsets within ${MERGE_SECONDS * 1000} ms merged`,
    };
    writeFileSync(`${base}.json`, JSON.stringify(metadata, null, 1) + '\n');
    return { id: plan.id, counts, peakDbfs: mixed.peakDbfs, rmsDbfs: mixed.rmsDbfs, durationSeconds: plan.durationSeconds, renderSeconds };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Drum stem of a version-4 plan: with a cymbal offset, the cymbal notes and the rest of the
 * kit are rendered separately (same font, kit and effects) and summed with the cymbals
 * `cymbalOffsetDb` down; then the sympathetic wash is added under the kick and snare hits.
 */
async function renderKitRealism(
  plan: ExamplePlan,
  built: BuiltExample,
  drumRender: Parameters<typeof renderMidi>[0],
  scratch: string,
): Promise<Float32Array> {
  const realism = plan.kitRealism!;
  let drums: Float32Array;
  const { cymbals, rest } = splitCymbalNotes(built.drumNotes);
  if (realism.cymbalOffsetDb !== null && cymbals.length > 0) {
    const endTick = secondsToTicks(plan.durationSeconds, plan.tempo);
    const stems: Float32Array[] = [];
    for (const [name, notes] of [['kit', rest], ['cymbals', cymbals]] as const) {
      const midiPath = join(scratch, `${name}.mid`);
      writeFileSync(midiPath, buildMidiFile({ tempo: plan.tempo, channels: [plan.drumChannel], notes, endTick }));
      stems.push(await renderMidi({ ...drumRender, midiPath, rawPath: join(scratch, `${name}.raw`) }));
    }
    const [kit, cymbalStem] = stems;
    const gain = Math.pow(10, realism.cymbalOffsetDb / 20);
    drums = new Float32Array(Math.max(kit.length, cymbalStem.length));
    drums.set(kit);
    for (let i = 0; i < cymbalStem.length; i++) drums[i] += gain * cymbalStem[i];
  } else {
    drums = await renderMidi(drumRender);
  }
  if (realism.wash) {
    const hits = built.drumNotes
      .filter((n) => NOTE_TO_LABEL[n.note] === 'KD' || NOTE_TO_LABEL[n.note] === 'SD')
      .map((n) => ({ sample: fluidsynthOnsetSample(n.tick, plan.tempo), velocity: n.velocity }));
    addSympatheticWash(drums, hits, realism.wash, SAMPLE_RATE);
  }
  return drums;
}
