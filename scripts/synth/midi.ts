/**
 * Standard MIDI file writing for the synthetic-data generator (via the `midi-file` package)
 * with a single constant tempo, so that tick ↔ second conversion is exact and shared by the
 * MIDI writer and the annotation writer.
 */
import { writeMidi } from 'midi-file';
import type { MidiData, MidiEvent } from 'midi-file';

/** Ticks per quarter note of every file the generator writes (0.31 ms at 200 BPM). */
export const TICKS_PER_BEAT = 960;

/** A constant tempo, stored as MIDI stores it (integer microseconds per quarter note). */
export interface Tempo {
  /** Microseconds per quarter note (the `setTempo` meta value). */
  microsecondsPerBeat: number;
  /** Beats per bar of the time signature (4 for 4/4, 3 for 3/4). */
  beatsPerBar: number;
}

/** Tempo for a BPM value (rounded to whole microseconds per beat, as MIDI stores it). */
export function tempoFromBpm(bpm: number, beatsPerBar: number): Tempo {
  return { microsecondsPerBeat: Math.round(60e6 / bpm), beatsPerBar };
}

/** Effective BPM of a tempo. */
export function bpmOf(tempo: Tempo): number {
  return 60e6 / tempo.microsecondsPerBeat;
}

/** Seconds → nearest tick. */
export function secondsToTicks(seconds: number, tempo: Tempo): number {
  return Math.round((seconds * 1e6 * TICKS_PER_BEAT) / tempo.microsecondsPerBeat);
}

/** Tick → seconds, exactly as a MIDI player with this tempo map computes it. */
export function ticksToSeconds(ticks: number, tempo: Tempo): number {
  return (ticks * tempo.microsecondsPerBeat) / (1e6 * TICKS_PER_BEAT);
}

/** Beats → seconds at the tempo. */
export function beatsToSeconds(beats: number, tempo: Tempo): number {
  return (beats * tempo.microsecondsPerBeat) / 1e6;
}

/** One note to write, already placed on the tick grid. */
export interface MidiNote {
  /** Note-on tick. */
  tick: number;
  /** Length in ticks (≥ 1). */
  durationTicks: number;
  /** MIDI channel 0–15 (9 = GM percussion). */
  channel: number;
  /** MIDI key number 0–127. */
  note: number;
  /** Note-on velocity 1–127. */
  velocity: number;
}

/** A controller change placed on the tick grid (e.g. CC120 all-sound-off in the kit survey). */
export interface MidiController {
  tick: number;
  channel: number;
  controller: number;
  value: number;
}

/** Per-channel set-up sent at tick 0. */
export interface ChannelSetup {
  channel: number;
  /** GM program 0–127 (on channel 9: the drum-kit preset in bank 128). */
  program: number;
  /** CC7 channel volume. */
  volume: number;
  /** CC10 pan (64 = centre). */
  pan: number;
  /** CC91 reverb send. */
  reverbSend: number;
  /** CC93 chorus send. */
  chorusSend: number;
  /** Track name. */
  name: string;
}

/** Everything one MIDI file holds. */
export interface MidiSong {
  /** The constant tempo. */
  tempo: Tempo;
  /** Channel set-ups (one track each). */
  channels: readonly ChannelSetup[];
  /** Notes; each goes to the track of its channel. */
  notes: readonly MidiNote[];
  /** Tick of the end-of-track events (the player stops there). */
  endTick: number;
  /** Extra controller changes, each to the track of its channel. @defaultValue `[]` */
  controllers?: readonly MidiController[];
}

/**
 * Builds a format-1 MIDI file: a conductor track (tempo, time signature, end) then one track
 * per channel set-up with its notes.
 *
 * @param song - tempo, channels, notes, end
 * @returns the file bytes
 */
export function buildMidiFile(song: MidiSong): Uint8Array {
  const { tempo, channels, notes, endTick } = song;
  const controllers = song.controllers ?? [];
  const conductor: MidiEvent[] = [
    { deltaTime: 0, meta: true, type: 'setTempo', microsecondsPerBeat: tempo.microsecondsPerBeat },
    { deltaTime: 0, meta: true, type: 'timeSignature', numerator: tempo.beatsPerBar, denominator: 4, metronome: 24, thirtyseconds: 8 },
    { deltaTime: endTick, meta: true, type: 'endOfTrack' },
  ];
  const tracks: MidiEvent[][] = [conductor];
  for (const setup of channels) {
    const { channel } = setup;
    // Absolute-time events; note-offs sort before note-ons at the same tick so that a
    // re-struck key is released before it is struck again.
    const timed: { tick: number; order: number; event: MidiEvent }[] = [];
    for (const n of notes) {
      if (n.channel !== channel) continue;
      timed.push({ tick: n.tick, order: 1, event: { deltaTime: 0, type: 'noteOn', channel, noteNumber: n.note, velocity: n.velocity } });
      timed.push({ tick: n.tick + Math.max(1, n.durationTicks), order: 0, event: { deltaTime: 0, type: 'noteOff', channel, noteNumber: n.note, velocity: 0 } });
    }
    for (const c of controllers) {
      if (c.channel !== channel) continue;
      timed.push({ tick: c.tick, order: 0, event: { deltaTime: 0, type: 'controller', channel, controllerType: c.controller, value: c.value } });
    }
    timed.sort((a, b) => a.tick - b.tick || a.order - b.order);
    const events: MidiEvent[] = [
      { deltaTime: 0, meta: true, type: 'trackName', text: setup.name },
      { deltaTime: 0, type: 'programChange', channel, programNumber: setup.program },
      { deltaTime: 0, type: 'controller', channel, controllerType: 7, value: setup.volume },
      { deltaTime: 0, type: 'controller', channel, controllerType: 10, value: setup.pan },
      { deltaTime: 0, type: 'controller', channel, controllerType: 91, value: setup.reverbSend },
      { deltaTime: 0, type: 'controller', channel, controllerType: 93, value: setup.chorusSend },
    ];
    let last = 0;
    for (const { tick, event } of timed) {
      const clamped = Math.min(tick, endTick);
      event.deltaTime = clamped - last;
      last = clamped;
      events.push(event);
    }
    events.push({ deltaTime: Math.max(0, endTick - last), meta: true, type: 'endOfTrack' });
    tracks.push(events);
  }
  const data: MidiData = { header: { format: 1, numTracks: tracks.length, ticksPerBeat: TICKS_PER_BEAT }, tracks };
  return Uint8Array.from(writeMidi(data));
}
