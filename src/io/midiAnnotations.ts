/**
 * MIDI onset annotations (SPEC §3): note-on events with velocity > 0 on any channel, times
 * from the tempo map, pitch → class by a mapping, velocity kept. Parsing is done by the
 * `midi-file` package; this module checks the chunk structure first (midi-file reads past
 * the end of truncated data without complaint), wraps its errors in {@link MidiError} and
 * builds the tempo map.
 */
import { parseMidi, type MidiData, type MidiEvent } from 'midi-file';
import { AdtError, InvalidArgumentError, MidiError } from '../errors.js';
import type { DrumEvent } from '../types.js';
import { DEFAULT_MAPPING } from './builtinMappings.js';
import { classIndexOfPitch, resolveMapping, type ClassMapping } from './mappings.js';

/** A drum onset read from MIDI: a {@link DrumEvent} plus its MIDI origin. */
export interface MidiDrumEvent extends DrumEvent {
  /** Note-on velocity / 127, in (0, 1]. */
  velocity: number;
  /** MIDI note number 0..127. */
  pitch: number;
  /** MIDI channel, 1-based (1..16; GM drums are on 10). */
  channel: number;
}

/** Options of {@link parseMidiAnnotations}. */
export interface ParseMidiAnnotationsOptions {
  /** Pitch → class mapping. @defaultValue `DEFAULT_MAPPING` (the thesis GM pitch table) */
  mapping?: ClassMapping;
  /** File name used in error messages and `AdtError.file`. @defaultValue `"<midi>"` */
  file?: string;
  /**
   * `'float64'`: onset times as computed. `'float32'`: times rounded to float32
   * (`Math.fround`), as the thesis reference gets them from partitura's `note_array()`;
   * needed to reproduce its frame targets exactly (e.g. 2.245 s → float32 2.2449998… → frame 224).
   * @defaultValue `'float64'`
   */
  timePrecision?: 'float64' | 'float32';
  /** Only read these channels (1-based, 1..16). @defaultValue all channels */
  channels?: readonly number[];
  /** Called with each warning (unknown pitches). @defaultValue none */
  onWarning?: (message: string) => void;
}

/** Result of {@link parseMidiAnnotations}. */
export interface MidiAnnotationsResult {
  /** Onsets sorted by time (ties: track order, then file order), with `className`, velocity, pitch, channel. */
  events: MidiDrumEvent[];
  /** The mapping's class names (index = `classIndex`). */
  classNames: readonly string[];
  /**
   * Sorted pitches that occur and that the mapping lists (mapped or ignored with `null`):
   * the thesis reference's `vocabulary`.
   */
  knownPitches: number[];
  /** Pitches that occur and are mapped to `null` (skipped silently), sorted, with note counts. */
  ignoredPitches: { pitch: number; count: number }[];
  /** Pitches that occur but the mapping does not list (skipped, reported), in order of first onset, with note counts. */
  unknownPitches: { pitch: number; count: number }[];
  /** Time of the last event of any track (usually its end-of-track) [s]. */
  durationSeconds: number;
  /** SMF format (0 or 1). */
  format: number;
  /** Ticks per quarter note, or undefined for SMPTE time division. */
  ticksPerBeat?: number;
  /** Warning messages (also passed to `onWarning`). */
  warnings: string[];
}

const DEFAULT_MICROSECONDS_PER_BEAT = 500_000; // 120 bpm, the SMF default

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
}
function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
}

/**
 * Walks the SMF chunk structure and returns a normalised copy (6-byte header, then exactly
 * `numTracks` MTrk chunks, unknown chunks dropped as the SMF spec allows) for midi-file.
 * Unwraps RIFF RMID files. Throws MidiError for truncated or non-MIDI data.
 */
function normaliseChunks(input: Uint8Array, file: string): Uint8Array {
  let bytes = input;
  if (bytes.length >= 12 && ascii(bytes, 0) === 'RIFF' && ascii(bytes, 8) === 'RMID') {
    let at = 12;
    let found: Uint8Array | null = null;
    while (at + 8 <= bytes.length) {
      const id = ascii(bytes, at);
      const len = bytes[at + 4] + (bytes[at + 5] << 8) + (bytes[at + 6] << 16) + ((bytes[at + 7] << 24) >>> 0);
      if (id === 'data') {
        found = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + len));
        break;
      }
      at += 8 + len + (len & 1);
    }
    if (found === null) throw new MidiError(`${file}: RIFF RMID file without a 'data' chunk`, { file });
    bytes = found;
  }
  if (bytes.length < 4 || ascii(bytes, 0) !== 'MThd') {
    const head = bytes.length >= 4 ? JSON.stringify(ascii(bytes, 0)) : `${bytes.length} byte(s)`;
    throw new MidiError(`${file}: not a Standard MIDI File: expected it to start with "MThd", found ${head}`, { file, offset: 0 });
  }
  if (bytes.length < 14) {
    throw new MidiError(`${file}: truncated MIDI header: ${bytes.length} bytes, a header needs 14`, { file, offset: bytes.length });
  }
  const headerLength = u32(bytes, 4);
  if (headerLength < 6 || 8 + headerLength > bytes.length) {
    throw new MidiError(`${file}: bad MIDI header length ${headerLength} (expected 6, file has ${bytes.length} bytes)`, { file, offset: 4 });
  }
  const numTracks = (bytes[10] << 8) | bytes[11];
  const parts: Uint8Array[] = [bytes.subarray(0, 4), Uint8Array.of(0, 0, 0, 6), bytes.subarray(8, 14)];
  let at = 8 + headerLength;
  let found = 0;
  while (found < numTracks) {
    if (at + 8 > bytes.length) {
      throw new MidiError(
        `${file}: truncated MIDI file: the header announces ${numTracks} track(s) but the data ends after ${found} (at byte ${at} of ${bytes.length})`,
        { file, offset: at },
      );
    }
    const id = ascii(bytes, at);
    const len = u32(bytes, at + 4);
    if (at + 8 + len > bytes.length) {
      throw new MidiError(
        `${file}: truncated MIDI file: chunk "${id}" at byte ${at} declares ${len} bytes but only ${bytes.length - at - 8} remain`,
        { file, offset: at },
      );
    }
    if (id === 'MTrk') {
      parts.push(bytes.subarray(at, at + 8 + len));
      found++;
    } else if (!/^[\x20-\x7e]{4}$/.test(id)) {
      throw new MidiError(`${file}: corrupt MIDI file: expected a chunk header at byte ${at}, found bytes ${JSON.stringify(id)}`, { file, offset: at });
    }
    at += 8 + len;
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const isByte = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/**
 * Converts absolute ticks to seconds. For metrical time the tempo map is kept as exact
 * integer sums of ticks × µs-per-beat, so each time is one division (correctly rounded
 * while the sums stay below 2^53, i.e. for files up to ~10^8 beats).
 */
interface TickClock {
  seconds(tick: number): number;
}

function metricalClock(ticksPerBeat: number, tempos: { tick: number; uspb: number }[]): TickClock {
  // Segments start at each tempo change; `acc` = Σ Δticks × µs/beat before the segment.
  const ticks: number[] = [0];
  const uspb: number[] = [DEFAULT_MICROSECONDS_PER_BEAT];
  const acc: number[] = [0];
  for (const t of tempos) {
    const last = ticks.length - 1;
    if (t.tick === ticks[last]) {
      uspb[last] = t.uspb; // a later change at the same tick wins
    } else {
      acc.push(acc[last] + (t.tick - ticks[last]) * uspb[last]);
      ticks.push(t.tick);
      uspb.push(t.uspb);
    }
  }
  const denominator = ticksPerBeat * 1e6;
  return {
    seconds(tick: number): number {
      let lo = 0;
      let hi = ticks.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (ticks[mid] <= tick) lo = mid;
        else hi = mid - 1;
      }
      return (acc[lo] + (tick - ticks[lo]) * uspb[lo]) / denominator;
    },
  };
}

/**
 * Reads drum onsets from a Standard MIDI File.
 *
 * Every note-on with velocity > 0 on any channel (or on `channels`) is an onset; its time
 * comes from the tempo map built from the set-tempo events of all tracks (format 0 and 1;
 * SMPTE time division is supported, tempo events are then ignored as the SMF spec says).
 * Pitches mapped to `null` are skipped; pitches the mapping does not list are skipped and
 * reported in `unknownPitches` and `warnings`.
 *
 * @param bytes - the file contents
 * @param options - see {@link ParseMidiAnnotationsOptions}
 * @returns onsets sorted by time with velocity (0..1), pitch and channel, plus pitch statistics
 * @throws {@link MidiError} (code `INVALID_MIDI`) for data that is not a MIDI file, truncated
 *   or corrupt files (naming the file and byte offset where known), format 2 files, a tempo of
 *   0 or a time division of 0
 * @throws {@link InvalidArgumentError} for invalid options
 * @example
 * ```ts
 * const { events } = parseMidiAnnotations(readFileSync('take.mid'), { mapping: THESIS_ROLAND_MAPPING });
 * ```
 */
export function parseMidiAnnotations(bytes: Uint8Array | ArrayBuffer, options: ParseMidiAnnotationsOptions = {}): MidiAnnotationsResult {
  const fn = 'parseMidiAnnotations';
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(`${fn}: options must be an object, got ${options === null ? 'null' : typeof options}`, { field: 'options' });
  }
  const mapping = resolveMapping(options.mapping ?? DEFAULT_MAPPING, 'mapping');
  const file = options.file ?? '<midi>';
  const timePrecision = options.timePrecision ?? 'float64';
  if (timePrecision !== 'float64' && timePrecision !== 'float32') {
    throw new InvalidArgumentError(`${fn}: timePrecision must be 'float64' or 'float32', got ${JSON.stringify(timePrecision)}`, { field: 'timePrecision' });
  }
  let channelFilter: Set<number> | null = null;
  if (options.channels !== undefined) {
    if (!Array.isArray(options.channels) || !options.channels.every((c) => Number.isInteger(c) && c >= 1 && c <= 16)) {
      throw new InvalidArgumentError(`${fn}: channels must be an array of 1-based MIDI channels 1..16, got ${JSON.stringify(options.channels)}`, { field: 'channels' });
    }
    channelFilter = new Set(options.channels);
  }
  let data: Uint8Array;
  if (bytes instanceof Uint8Array) data = bytes;
  else if (bytes instanceof ArrayBuffer) data = new Uint8Array(bytes);
  else {
    throw new InvalidArgumentError(`${fn}: bytes must be a Uint8Array or an ArrayBuffer, got ${bytes === null ? 'null' : typeof bytes}`, { field: 'bytes', file });
  }

  const normalised = normaliseChunks(data, file);
  let midi: MidiData;
  try {
    midi = parseMidi(normalised);
  } catch (e) {
    if (e instanceof AdtError) throw e;
    // midi-file throws plain strings (or a RangeError for absurd lengths).
    throw new MidiError(`${file}: corrupt MIDI data: ${e instanceof Error ? e.message : String(e)}`, { file, cause: e });
  }

  const { header } = midi;
  if (header.format !== 0 && header.format !== 1) {
    throw new MidiError(
      `${file}: MIDI format ${header.format} is not supported (format 0 or 1 expected; format 2 holds independent sequences without a shared tempo map)`,
      { file, offset: 8 },
    );
  }
  const smpte = header.ticksPerBeat === undefined;
  if (smpte) {
    if (![24, 25, 29, 30].includes(header.framesPerSecond ?? -1) || !header.ticksPerFrame) {
      throw new MidiError(
        `${file}: bad SMPTE time division: ${header.framesPerSecond} frames/s × ${header.ticksPerFrame} ticks/frame (24, 25, 29 or 30 frames/s and ≥ 1 tick expected)`,
        { file, offset: 12 },
      );
    }
  } else if (header.ticksPerBeat === 0) {
    throw new MidiError(`${file}: time division of 0 ticks per quarter note`, { file, offset: 12 });
  }

  // First pass: absolute ticks, tempo changes and note-ons.
  const tempos: { tick: number; track: number; index: number; uspb: number }[] = [];
  const notes: { tick: number; track: number; index: number; pitch: number; velocity: number; channel: number }[] = [];
  let lastTick = 0;
  midi.tracks.forEach((track: MidiEvent[], t: number) => {
    let tick = 0;
    track.forEach((ev: MidiEvent, i: number) => {
      if (!Number.isInteger(ev.deltaTime) || ev.deltaTime < 0 || ev.deltaTime > 0x0fffffff) {
        throw new MidiError(`${file}: corrupt delta time ${ev.deltaTime} in track ${t}, event ${i}`, { file });
      }
      tick += ev.deltaTime;
      if (ev.type === 'setTempo') {
        if (!Number.isInteger(ev.microsecondsPerBeat) || ev.microsecondsPerBeat <= 0) {
          throw new MidiError(`${file}: set-tempo event with ${ev.microsecondsPerBeat} µs per quarter note in track ${t}, event ${i} (> 0 expected; truncated file?)`, { file });
        }
        tempos.push({ tick, track: t, index: i, uspb: ev.microsecondsPerBeat });
      } else if (ev.type === 'noteOn') {
        if (!isByte(ev.noteNumber, 127) || !isByte(ev.velocity, 127) || !isByte(ev.channel, 15)) {
          throw new MidiError(
            `${file}: corrupt note-on in track ${t}, event ${i} (note ${ev.noteNumber}, velocity ${ev.velocity}, channel ${ev.channel}); truncated track?`,
            { file },
          );
        }
        if (ev.velocity > 0) notes.push({ tick, track: t, index: i, pitch: ev.noteNumber, velocity: ev.velocity, channel: ev.channel + 1 });
      }
    });
    if (tick > lastTick) lastTick = tick;
  });

  let clock: TickClock;
  if (smpte) {
    // 29 stands for 29.97 drop-frame (30000/1001 frames per second).
    const fps = header.framesPerSecond!;
    const tpf = header.ticksPerFrame!;
    clock = fps === 29 ? { seconds: (tick) => (tick * 1001) / (30000 * tpf) } : { seconds: (tick) => tick / (fps * tpf) };
  } else {
    tempos.sort((a, b) => a.tick - b.tick || a.track - b.track || a.index - b.index);
    clock = metricalClock(header.ticksPerBeat!, tempos);
  }

  notes.sort((a, b) => a.tick - b.tick || a.track - b.track || a.index - b.index);
  const events: MidiDrumEvent[] = [];
  const known = new Set<number>();
  const ignored = new Map<number, number>();
  const unknown = new Map<number, number>();
  for (const n of notes) {
    if (channelFilter !== null && !channelFilter.has(n.channel)) continue;
    const classIndex = classIndexOfPitch(mapping, n.pitch);
    if (classIndex === undefined) {
      unknown.set(n.pitch, (unknown.get(n.pitch) ?? 0) + 1);
      continue;
    }
    known.add(n.pitch);
    if (classIndex === null) {
      ignored.set(n.pitch, (ignored.get(n.pitch) ?? 0) + 1);
      continue;
    }
    const seconds = clock.seconds(n.tick);
    events.push({
      timeSeconds: timePrecision === 'float32' ? Math.fround(seconds) : seconds,
      classIndex,
      className: mapping.classNames[classIndex],
      velocity: n.velocity / 127,
      pitch: n.pitch,
      channel: n.channel,
    });
  }

  const warnings: string[] = [];
  for (const [pitch, count] of unknown) {
    warnings.push(`${file}: skipped ${count} note(s) of pitch ${pitch}, which mapping "${mapping.name}" does not list`);
  }
  for (const w of warnings) options.onWarning?.(w);
  return {
    events,
    classNames: mapping.classNames,
    knownPitches: [...known].sort((a, b) => a - b),
    ignoredPitches: [...ignored].sort((a, b) => a[0] - b[0]).map(([pitch, count]) => ({ pitch, count })),
    unknownPitches: [...unknown].map(([pitch, count]) => ({ pitch, count })),
    durationSeconds: clock.seconds(lastTick),
    format: header.format,
    ticksPerBeat: header.ticksPerBeat,
    warnings,
  };
}
