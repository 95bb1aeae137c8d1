/**
 * Renders a MIDI file with the `fluidsynth` command-line synthesizer (fast-render mode) to
 * raw float32 samples, so that no WAV reader is needed on the way back.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { TICKS_PER_BEAT, type Tempo } from './midi.js';

/** Sample rate of every rendering [Hz]. */
export const SAMPLE_RATE = 44100;

/** fluidsynth renders in blocks of this many samples; note-ons start on block boundaries. */
export const FLUID_BLOCK_SAMPLES = 64;

/**
 * Output sample at which fluidsynth starts the voice of a note-on at `tick` when it renders a
 * file (`-F`, sample timing, 64-sample blocks, one constant tempo).
 *
 * Emulates fluidsynth 2.x: before each block its sample timer calls the MIDI player with the
 * integer millisecond count of the samples rendered so far; the player converts that to a
 * tick (rounded) and sends every event up to it; the voice then sounds from the start of the
 * next block. So a note sounds 0.6–3.5 ms (2.4 ms on average) after its MIDI time, on the
 * block grid. Checked against renderings by latency.ts and test/synth.test.ts (exact to the
 * sample on fluidsynth 2.3.1).
 *
 * @param tick - note-on tick
 * @param tempo - the constant tempo
 * @returns sample index of the voice start (its first sample is still 0: the onset)
 */
export function fluidsynthOnsetSample(tick: number, tempo: Tempo): number {
  const msPerTick = tempo.microsecondsPerBeat / TICKS_PER_BEAT / 1000;
  const playerTickAtBlock = (block: number) =>
    Math.floor(Math.floor((1000 * FLUID_BLOCK_SAMPLES * block) / SAMPLE_RATE) / msPerTick + 0.5);
  let block = Math.max(0, Math.floor(((tick - 0.5) * msPerTick * SAMPLE_RATE) / (1000 * FLUID_BLOCK_SAMPLES)) - 3);
  while (block > 0 && playerTickAtBlock(block) >= tick) block--;
  while (playerTickAtBlock(block) < tick) block++;
  return FLUID_BLOCK_SAMPLES * (block + 1);
}

/** {@link fluidsynthOnsetSample} in seconds. */
export function fluidsynthOnsetSeconds(tick: number, tempo: Tempo): number {
  return fluidsynthOnsetSample(tick, tempo) / SAMPLE_RATE;
}

/** fluidsynth's own reverb and chorus for one rendering. */
export interface FluidEffects {
  /** Reverb on. */
  reverb: boolean;
  /** `synth.reverb.room-size` 0–1. */
  roomSize: number;
  /** `synth.reverb.damp` 0–1. */
  damp: number;
  /** `synth.reverb.level` 0–1. */
  level: number;
  /** `synth.reverb.width` 0–100. */
  width: number;
  /** Chorus on. */
  chorus: boolean;
}

/** Arguments of {@link renderMidi}. */
export interface RenderMidiOptions {
  /** Path of the .mid file. */
  midiPath: string;
  /** Path of the .sf2 / .sf3 font. */
  fontPath: string;
  /** Scratch path of the raw output (deleted afterwards). */
  rawPath: string;
  /** Master gain (fluidsynth `-g`). */
  gain: number;
  /** Effects. */
  effects: FluidEffects;
}

/** Version line of the installed fluidsynth, or null when it is not installed. */
export function fluidsynthVersion(): string | null {
  try {
    const text = execFileSync('fluidsynth', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const match = /FluidSynth runtime version (\S+)/.exec(text);
    return match ? match[1] : text.split('\n')[0];
  } catch {
    return null;
  }
}

/** Command-line arguments for one fast rendering (exported for the metadata and tests). */
export function fluidsynthArgs(options: RenderMidiOptions): string[] {
  const { effects } = options;
  return [
    '-n', '-i', '-q',
    '-F', options.rawPath,
    '-T', 'raw', '-O', 'float', '-E', 'little',
    '-r', String(SAMPLE_RATE),
    '-g', options.gain.toFixed(4),
    '-R', effects.reverb ? '1' : '0',
    '-C', effects.chorus ? '1' : '0',
    '-o', `synth.reverb.room-size=${effects.roomSize.toFixed(3)}`,
    '-o', `synth.reverb.damp=${effects.damp.toFixed(3)}`,
    '-o', `synth.reverb.level=${effects.level.toFixed(3)}`,
    '-o', `synth.reverb.width=${effects.width.toFixed(3)}`,
    '-o', 'synth.polyphony=512',
    '-o', 'synth.cpu-cores=1',
    '-o', 'synth.dynamic-sample-loading=1',
    options.fontPath,
    options.midiPath,
  ];
}

/**
 * Renders a MIDI file and returns the mono mix-down (mean of left and right).
 *
 * @param options - see {@link RenderMidiOptions}
 * @returns mono samples at {@link SAMPLE_RATE}
 * @throws Error when fluidsynth fails or writes nothing
 */
export function renderMidi(options: RenderMidiOptions): Promise<Float32Array> {
  return new Promise((resolve, reject) => {
    execFile('fluidsynth', fluidsynthArgs(options), { maxBuffer: 1 << 20 }, (error, _stdout, stderr) => {
      if (error) {
        reject(new Error(`fluidsynth failed on ${options.midiPath} with ${options.fontPath}: ${error.message}\n${stderr}`));
        return;
      }
      try {
        const bytes = readFileSync(options.rawPath);
        rmSync(options.rawPath, { force: true });
        const frames = Math.floor(bytes.length / 8);
        if (frames === 0) throw new Error(`fluidsynth wrote no samples for ${options.midiPath}`);
        const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const mono = new Float32Array(frames);
        for (let i = 0; i < frames; i++) mono[i] = 0.5 * (view.getFloat32(8 * i, true) + view.getFloat32(8 * i + 4, true));
        resolve(mono);
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}
