/** `adtkit spectrogram <audio> -o image.png [--annotations file]`: a picture of the model input. */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { logFilteredSpectrogram, SPECTROGRAM_PRESETS, type SpectrogramPreset } from '../dsp/logFilteredSpectrogram.js';
import type { Spectrogram } from '../dsp/spectrogram.js';
import { AdtError } from '../errors.js';
import { downmixToMono } from '../io/audio/downmixToMono.js';
import { readAudioFile } from '../io/audio/readAudioFile.js';
import type { DrumEvent } from '../types.js';
import { mappingByName, numberOption, readAnnotations, UsageError, type CliIO } from './common.js';
import { encodePng, type RgbImage } from './png.js';

export const SPECTROGRAM_HELP = `Usage: adtkit spectrogram <audio> -o <image.png> [options]

Draws the log-filtered spectrogram (the model input: one column per 10 ms frame, one row per
filter band, low frequencies at the bottom) as a PNG, with onsets drawn on it: a lane per
class above the spectrogram and a line through it at each onset.

Options:
  -o, --output <file.png>     the image to write (required)
  -a, --annotations <file>    onsets to draw: text (.txt), MIDI (.mid) or adtkit JSON (.json)
  -m, --mapping <name>        mapping of the annotation labels (default: default)
  -p, --preset <name>         thesis (default) or madmom
      --start <s>             first second to draw (default: 0)
      --duration <s>          seconds to draw (default: to the end)
      --band-height <px>      pixels per filter band (default: 3)
  -v, --verbose               stack traces on errors
  -h, --help                  this help
`;

/** Viridis-like colour map: anchor colours at equal steps from low to high. */
const COLORMAP: readonly [number, number, number][] = [
  [68, 1, 84], [72, 40, 120], [62, 74, 137], [49, 104, 142], [38, 130, 142],
  [31, 158, 137], [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37],
];
/** Colours of the classes' onset marks. */
const CLASS_COLORS: readonly [number, number, number][] = [
  [230, 25, 75], [255, 225, 25], [60, 180, 75], [0, 130, 200], [245, 130, 48],
  [240, 50, 230], [70, 240, 240], [255, 255, 255],
];
const LANE_HEIGHT = 8;

function colorOf(v: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, v)) * (COLORMAP.length - 1);
  const i = Math.min(COLORMAP.length - 2, Math.floor(x));
  const f = x - i;
  const a = COLORMAP[i];
  const b = COLORMAP[i + 1];
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

/** Options of {@link renderSpectrogram}. */
export interface RenderSpectrogramOptions {
  /** First frame drawn. @defaultValue 0 */
  firstFrame?: number;
  /** Frames drawn. @defaultValue to the end */
  frames?: number;
  /** Pixels per band. @defaultValue 3 */
  bandHeight?: number;
  /** Onsets to draw, with the number of classes (lanes). */
  onsets?: { events: DrumEvent[]; classes: number };
}

/**
 * Renders a spectrogram (one pixel per frame, `bandHeight` pixels per band, low bands at the
 * bottom, values scaled to the 99.5th percentile) with onset marks.
 */
export function renderSpectrogram(spec: Spectrogram, options: RenderSpectrogramOptions = {}): RgbImage {
  const first = options.firstFrame ?? 0;
  const count = Math.max(1, Math.min(options.frames ?? spec.frames - first, spec.frames - first));
  const bandHeight = options.bandHeight ?? 3;
  const lanes = options.onsets?.classes ?? 0;
  const top = lanes > 0 ? lanes * LANE_HEIGHT + 2 : 0;
  const width = count;
  const height = top + spec.bins * bandHeight;
  const pixels = new Uint8Array(width * height * 3);
  // Scale: the 99.5th percentile of the drawn values maps to the top colour.
  const values = Float32Array.from(spec.data.subarray(first * spec.bins, (first + count) * spec.bins)).sort();
  const high = values.length > 0 ? values[Math.min(values.length - 1, Math.floor(values.length * 0.995))] : 1;
  const scale = high > 0 ? 1 / high : 1;
  const put = (x: number, y: number, c: readonly number[], alpha = 1): void => {
    const i = (y * width + x) * 3;
    for (let k = 0; k < 3; k++) pixels[i + k] = Math.round(alpha * c[k] + (1 - alpha) * pixels[i + k]);
  };
  for (let x = 0; x < width; x++) {
    const row = (first + x) * spec.bins;
    for (let b = 0; b < spec.bins; b++) {
      const c = colorOf(spec.data[row + b] * scale);
      const y0 = top + (spec.bins - 1 - b) * bandHeight;
      for (let dy = 0; dy < bandHeight; dy++) put(x, y0 + dy, c);
    }
  }
  if (options.onsets !== undefined) {
    for (let y = 0; y < top; y++) for (let x = 0; x < width; x++) put(x, y, [24, 24, 24]);
    for (const e of options.onsets.events) {
      const x = Math.round(e.timeSeconds * spec.frameRate) - first;
      if (x < 0 || x >= width) continue;
      const color = CLASS_COLORS[e.classIndex % CLASS_COLORS.length];
      const laneTop = e.classIndex * LANE_HEIGHT + 1;
      for (let y = laneTop; y < laneTop + LANE_HEIGHT - 2; y++) for (let dx = -1; dx <= 1; dx++) if (x + dx >= 0 && x + dx < width) put(x + dx, y, color);
      for (let y = top; y < height; y++) put(x, y, color, 0.45);
    }
  }
  return { width, height, pixels };
}

/** Runs `adtkit spectrogram`. */
export async function spectrogramCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      annotations: { type: 'string', short: 'a' },
      mapping: { type: 'string', short: 'm', default: 'default' },
      preset: { type: 'string', short: 'p', default: 'thesis' },
      start: { type: 'string' },
      duration: { type: 'string' },
      'band-height': { type: 'string' },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(SPECTROGRAM_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one audio file, got ${positionals.length}`, 'spectrogram');
  const output = values.output;
  if (output === undefined) throw new UsageError('-o <image.png> is required', 'spectrogram');
  if (extname(output).toLowerCase() !== '.png') throw new UsageError(`the output must be a .png file, got "${output}"`, 'spectrogram');
  const preset = values.preset as SpectrogramPreset;
  if (!SPECTROGRAM_PRESETS.includes(preset)) throw new UsageError(`--preset must be ${SPECTROGRAM_PRESETS.join(' or ')}, got "${preset}"`, 'spectrogram');
  const startSeconds = numberOption(values.start, '--start', (x) => x >= 0, 'a number of seconds >= 0') ?? 0;
  const durationSeconds = numberOption(values.duration, '--duration', (x) => x > 0, 'a positive number of seconds');
  const bandHeight = numberOption(values['band-height'], '--band-height', (x) => Number.isInteger(x) && x >= 1 && x <= 16, 'an integer from 1 to 16') ?? 3;
  const mapping = mappingByName(values.mapping as string, '--mapping');

  const audio = await readAudioFile(positionals[0]);
  const spec = logFilteredSpectrogram(downmixToMono(audio), audio.sampleRate, { preset });
  const firstFrame = Math.round(startSeconds * spec.frameRate);
  if (firstFrame >= spec.frames) throw new UsageError(`--start ${startSeconds} is after the end of the audio (${audio.durationSeconds.toFixed(2)} s)`, 'spectrogram');
  const frames = durationSeconds === undefined ? undefined : Math.max(1, Math.round(durationSeconds * spec.frameRate));
  const onsets = values.annotations === undefined ? undefined : { events: await readAnnotations(values.annotations, mapping), classes: mapping.classNames.length };
  const image = renderSpectrogram(spec, { firstFrame, frames, bandHeight, onsets });
  try {
    await writeFile(output, encodePng(image));
  } catch (cause) {
    throw new AdtError('IO_ERROR', `cannot write "${output}": ${String(cause)}`, { file: output, cause });
  }
  io.stderr.write(`${output}: ${image.width} × ${image.height} pixels, ${spec.bins} bands, ${spec.frameRate.toFixed(2)} frames/s${onsets ? `, ${onsets.events.length} onsets` : ''}\n`);
  return 0;
}
