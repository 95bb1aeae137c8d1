/**
 * Events → files (SPEC §3): a Standard MIDI File with General MIDI drum notes on channel 10,
 * and text annotations (`time<TAB>label` lines). JSON lives in `eventsJson.ts`.
 */
import { writeMidi, type MidiEvent } from 'midi-file';
import { InvalidArgumentError } from '../errors.js';
import { DEFAULT_CLASS_NAMES, type DrumEvent } from '../types.js';
import type { ClassMapping } from './mappings.js';
import { validateEvents } from './targets.js';

/** General MIDI drum notes written for the default classes: KD 36, SD 38, TT 47, HH 42, CY 49. */
export const DEFAULT_GM_DRUM_NOTES: Readonly<Record<string, number>> = Object.freeze({ KD: 36, SD: 38, TT: 47, HH: 42, CY: 49 });

/**
 * The MIDI note map of a vocabulary, for {@link eventsToMidi} with classes other than the
 * default five: for each class of `mapping`, its default General MIDI note
 * ({@link DEFAULT_GM_DRUM_NOTES}) when the mapping reads that note back as the class, else the
 * lowest pitch the mapping assigns to it. Files written with it parse back to the same
 * classes with `parseMidiAnnotations(bytes, { mapping })`.
 *
 * @param mapping - a class mapping with MIDI pitches (e.g. from `defineMapping`)
 * @returns class name → MIDI note (0..127), one entry per class
 * @throws {@link InvalidArgumentError} (field `mapping`) when some class has no pitch in the
 *   mapping (name them in `noteMap` yourself)
 * @example
 * ```ts
 * const mapping = defineMapping({ classNames: ['BD', 'SN', 'RD'], pitches: { 35: 'BD', 36: 'BD', 38: 'SN', 51: 'RD', 59: 'RD' } });
 * midiNoteMapFor(mapping); // { BD: 35, SN: 38, RD: 51 }
 * ```
 */
export function midiNoteMapFor(mapping: ClassMapping): Record<string, number> {
  if (mapping === null || typeof mapping !== 'object' || !Array.isArray(mapping.classNames) || typeof mapping.pitches !== 'object') {
    throw new InvalidArgumentError('midiNoteMapFor: mapping must be a class mapping (see defineMapping)', { field: 'mapping' });
  }
  const byClass = new Map<string, number[]>();
  for (const [pitch, name] of Object.entries(mapping.pitches)) {
    if (name === null) continue;
    const list = byClass.get(name) ?? [];
    list.push(Number(pitch));
    byClass.set(name, list);
  }
  const noteMap: Record<string, number> = {};
  const missing: string[] = [];
  for (const name of mapping.classNames) {
    const pitches = byClass.get(name);
    if (pitches === undefined) {
      missing.push(name);
      continue;
    }
    const preferred = DEFAULT_GM_DRUM_NOTES[name];
    noteMap[name] = preferred !== undefined && pitches.includes(preferred) ? preferred : Math.min(...pitches);
  }
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      `midiNoteMapFor: mapping "${mapping.name}" assigns no MIDI pitch to ${missing.map((n) => `"${n}"`).join(', ')}; pass eventsToMidi a noteMap that names them`,
      { field: 'mapping' },
    );
  }
  return noteMap;
}

/** Options of {@link eventsToMidi}. */
export interface EventsToMidiOptions {
  /**
   * Class name → MIDI note number (0..127); for another vocabulary see {@link midiNoteMapFor}.
   * @defaultValue `DEFAULT_GM_DRUM_NOTES`
   */
  noteMap?: Readonly<Record<string, number>>;
  /** Class names by index, for events without `className`. @defaultValue `DEFAULT_CLASS_NAMES` */
  classNames?: readonly string[];
  /** MIDI channel, 1-based (GM percussion is channel 10). @defaultValue 10 */
  channel?: number;
  /** Note length [s]; a note ends earlier if the same note sounds again. @defaultValue 0.05 */
  noteDurationSeconds?: number;
  /** Tempo [quarter notes per minute], stored as whole microseconds per quarter. @defaultValue 120 */
  tempoBpm?: number;
  /** Time resolution [ticks per quarter note], 1..32767; 960 at 120 bpm is 0.52 ms per tick. @defaultValue 960 */
  ticksPerBeat?: number;
  /** Velocity (0..1] for events without one. @defaultValue 100 / 127 */
  defaultVelocity?: number;
  /** Name of the track (a track-name meta event), or none. @defaultValue `"adtkit drums"` */
  trackName?: string | null;
}

function className(e: DrumEvent, classNames: readonly string[]): string {
  return e.className ?? classNames[e.classIndex];
}

/**
 * Writes onset events as a format-0 Standard MIDI File (via `midi-file`).
 *
 * Each event becomes a note-on at the nearest tick (so times are kept to half a tick:
 * 0.26 ms with the defaults) with velocity `round(velocity · 127)` clamped to 1..127,
 * and a note-off `noteDurationSeconds` later, or at the next onset of the same note if that
 * comes first. Two events of the same note in the same tick are written once (the louder).
 *
 * @param events - onsets; `timeSeconds` [s] ≥ 0; `classIndex` in `[0, classNames.length)`;
 *   `velocity` in [0, 1] if given
 * @param options - see {@link EventsToMidiOptions}
 * @returns the file's bytes
 * @throws {@link InvalidArgumentError} for malformed events, a class without a note in
 *   `noteMap`, or options out of range
 */
export function eventsToMidi(events: readonly DrumEvent[], options: EventsToMidiOptions = {}): Uint8Array {
  const fn = 'eventsToMidi';
  const classNames = options.classNames ?? DEFAULT_CLASS_NAMES;
  if (!Array.isArray(classNames) || classNames.length === 0) {
    throw new InvalidArgumentError(`${fn}: classNames must be a non-empty array of class names`, { field: 'classNames' });
  }
  validateEvents(events, classNames.length, fn);
  const noteMap = options.noteMap ?? DEFAULT_GM_DRUM_NOTES;
  const channel = options.channel ?? 10;
  if (!Number.isInteger(channel) || channel < 1 || channel > 16) {
    throw new InvalidArgumentError(`${fn}: channel must be a 1-based MIDI channel 1..16 (GM drums: 10), got ${String(channel)}`, { field: 'channel' });
  }
  const duration = options.noteDurationSeconds ?? 0.05;
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration <= 0) {
    throw new InvalidArgumentError(`${fn}: noteDurationSeconds must be a positive number of seconds, got ${String(duration)}`, { field: 'noteDurationSeconds' });
  }
  const bpm = options.tempoBpm ?? 120;
  const uspb = Math.round(60e6 / bpm);
  if (typeof bpm !== 'number' || !Number.isFinite(bpm) || bpm <= 0 || uspb < 1 || uspb > 0xffffff) {
    throw new InvalidArgumentError(`${fn}: tempoBpm must give 1..16777215 µs per quarter note (about 3.6 to 6e7 bpm), got ${String(bpm)}`, { field: 'tempoBpm' });
  }
  const tpb = options.ticksPerBeat ?? 960;
  if (!Number.isInteger(tpb) || tpb < 1 || tpb > 0x7fff) {
    throw new InvalidArgumentError(`${fn}: ticksPerBeat must be an integer 1..32767, got ${String(tpb)}`, { field: 'ticksPerBeat' });
  }
  const defaultVelocity = options.defaultVelocity ?? 100 / 127;
  if (typeof defaultVelocity !== 'number' || !(defaultVelocity > 0 && defaultVelocity <= 1)) {
    throw new InvalidArgumentError(`${fn}: defaultVelocity must be in (0, 1], got ${String(defaultVelocity)}`, { field: 'defaultVelocity' });
  }
  const trackName = options.trackName === undefined ? 'adtkit drums' : options.trackName;

  // seconds → ticks with the same exact tempo the reader will use
  const ticksPerSecond = (tpb * 1e6) / uspb;
  const toTick = (s: number): number => Math.round(s * ticksPerSecond);
  const maxTick = 0x0fffffff; // largest delta time a MIDI variable-length quantity holds
  const durationTicks = Math.max(1, toTick(duration));

  // note-ons, one per (note, tick), louder wins
  const ons = new Map<string, { tick: number; note: number; velocity: number }>();
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const name = className(e, classNames);
    const note = Object.prototype.hasOwnProperty.call(noteMap, name) ? noteMap[name] : undefined;
    if (note === undefined) {
      throw new InvalidArgumentError(
        `${fn}: events[${i}] has class "${name}", which noteMap does not list (it has ${Object.keys(noteMap).join(', ')}); add it to noteMap`,
        { field: `events[${i}]` },
      );
    }
    if (!Number.isInteger(note) || note < 0 || note > 127) {
      throw new InvalidArgumentError(`${fn}: noteMap["${name}"] must be a MIDI note 0..127, got ${String(note)}`, { field: 'noteMap' });
    }
    const tick = toTick(e.timeSeconds);
    if (tick > maxTick) {
      throw new InvalidArgumentError(`${fn}: events[${i}] at ${e.timeSeconds} s is beyond what a MIDI file at ${bpm} bpm and ${tpb} ticks per beat can hold`, { field: `events[${i}].timeSeconds` });
    }
    const velocity = Math.min(127, Math.max(1, Math.round((e.velocity ?? defaultVelocity) * 127)));
    const key = `${note}:${tick}`;
    const prev = ons.get(key);
    if (prev === undefined || velocity > prev.velocity) ons.set(key, { tick, note, velocity });
  }

  // note-offs: after the duration, or at the next onset of the same note
  const byNote = new Map<number, { tick: number; note: number; velocity: number }[]>();
  for (const on of ons.values()) {
    const list = byNote.get(on.note) ?? [];
    list.push(on);
    byNote.set(on.note, list);
  }
  const timeline: { tick: number; on: boolean; note: number; velocity: number }[] = [];
  for (const list of byNote.values()) {
    list.sort((a, b) => a.tick - b.tick);
    for (let k = 0; k < list.length; k++) {
      const next = k + 1 < list.length ? list[k + 1].tick : Infinity;
      timeline.push({ tick: list[k].tick, on: true, note: list[k].note, velocity: list[k].velocity });
      timeline.push({ tick: Math.min(list[k].tick + durationTicks, next), on: false, note: list[k].note, velocity: 0 });
    }
  }
  // at equal ticks: note-offs first, so a repeated note ends before it restarts
  timeline.sort((a, b) => a.tick - b.tick || Number(a.on) - Number(b.on) || a.note - b.note);

  const ch = channel - 1;
  const track: MidiEvent[] = [];
  if (trackName !== null) track.push({ deltaTime: 0, meta: true, type: 'trackName', text: String(trackName) });
  track.push({ deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: uspb });
  track.push({ deltaTime: 0, meta: true, type: 'timeSignature', numerator: 4, denominator: 4, metronome: 24, thirtyseconds: 8 });
  let last = 0;
  for (const ev of timeline) {
    const deltaTime = ev.tick - last;
    last = ev.tick;
    track.push(
      ev.on
        ? { deltaTime, type: 'noteOn', channel: ch, noteNumber: ev.note, velocity: ev.velocity }
        : { deltaTime, type: 'noteOff', channel: ch, noteNumber: ev.note, velocity: 0 },
    );
  }
  track.push({ deltaTime: 0, meta: true, type: 'endOfTrack' });
  return Uint8Array.from(writeMidi({ header: { format: 0, numTracks: 1, ticksPerBeat: tpb }, tracks: [track] }));
}

/** Options of {@link eventsToText}. */
export interface EventsToTextOptions {
  /** Digits after the decimal point of the times. @defaultValue 6 */
  decimals?: number;
  /** Class names by index, for events without `className`. @defaultValue `DEFAULT_CLASS_NAMES` */
  classNames?: readonly string[];
  /** Class name → label written (e.g. `{ KD: 'bd' }` for ENST style); unlisted classes keep their name. @defaultValue `{}` */
  labels?: Readonly<Record<string, string>>;
  /** Separator between time and label. @defaultValue `"\t"` */
  separator?: string;
}

/**
 * Writes onset events as a text annotation file: one `time<TAB>label` line per event,
 * sorted by time (ties keep input order), each line ending in `\n`. Times are written
 * with `toFixed(decimals)`. {@link parseTextAnnotations} with `DEFAULT_MAPPING` reads the
 * default output back (exact to the printed precision).
 *
 * @param events - onsets; `timeSeconds` [s] ≥ 0; `classIndex` in `[0, classNames.length)`
 * @param options - see {@link EventsToTextOptions}
 * @returns the file contents
 * @throws {@link InvalidArgumentError} for malformed events, `decimals` outside 0..20, or a
 *   label or separator that would not read back (empty, whitespace in a label, non-whitespace separator)
 */
export function eventsToText(events: readonly DrumEvent[], options: EventsToTextOptions = {}): string {
  const fn = 'eventsToText';
  const classNames = options.classNames ?? DEFAULT_CLASS_NAMES;
  if (!Array.isArray(classNames) || classNames.length === 0) {
    throw new InvalidArgumentError(`${fn}: classNames must be a non-empty array of class names`, { field: 'classNames' });
  }
  validateEvents(events, classNames.length, fn);
  const decimals = options.decimals ?? 6;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 20) {
    throw new InvalidArgumentError(`${fn}: decimals must be an integer 0..20, got ${String(decimals)}`, { field: 'decimals' });
  }
  const separator = options.separator ?? '\t';
  if (typeof separator !== 'string' || !/^[ \t]+$/.test(separator)) {
    throw new InvalidArgumentError(`${fn}: separator must be spaces and/or tabs, got ${JSON.stringify(separator)}`, { field: 'separator' });
  }
  const labels = options.labels ?? {};
  const sorted = [...events].sort((a, b) => a.timeSeconds - b.timeSeconds);
  let out = '';
  for (const e of sorted) {
    const name = className(e, classNames);
    const label = Object.prototype.hasOwnProperty.call(labels, name) ? labels[name] : name;
    if (typeof label !== 'string' || label.length === 0 || /\s/.test(label)) {
      throw new InvalidArgumentError(`${fn}: label ${JSON.stringify(label)} for class "${name}" is empty or contains whitespace`, { field: 'labels' });
    }
    out += `${e.timeSeconds.toFixed(decimals)}${separator}${label}\n`;
  }
  return out;
}
