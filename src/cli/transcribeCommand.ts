/** `adtkit transcribe <audio…> [-o out] [--model dir] [--backend cpu|wasm] [--threshold x]`. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { AdtError } from '../errors.js';
import { readAudioFile } from '../io/audio/readAudioFile.js';
import { eventsToJson } from '../io/eventsJson.js';
import { eventsToMidi, eventsToText } from '../io/writers.js';
import type { DrumEvent } from '../types.js';
import { isDirectory, numberOption, packageRoot, selectBackend, threadsOption, UsageError, type CliIO } from './common.js';
import { ProgressBar } from './progress.js';

export const TRANSCRIBE_HELP = `Usage: adtkit transcribe <audio…> [options]

Transcribes drums in audio files (WAV, FLAC, MP3; any sample rate and channel count).

Options:
  -o, --output <path>     output file (.mid, .midi, .txt or .json: format from the extension);
                          with several inputs, a directory (one <name>.<format> per input).
                          Default: text lines "time<TAB>class" on stdout
  -f, --format <fmt>      mid, txt or json, for an output directory (default: mid)
  -m, --model <dir>       model bundle directory (card.json, model.json, weights.bin)
                          (default: the built-in model, models/default in the package)
  -b, --backend <name>    TF.js backend: wasm (default, much faster on CPUs) or cpu
      --threads <n>       wasm threads, 1-8 (default: one per CPU, at most 8)
  -t, --threshold <x>     onset threshold in [0, 1) for every class (default: the model card's)
      --batch-size <n>    model windows per batch (default: 16)
  -q, --quiet             no progress bar or summary lines
  -v, --verbose           stack traces on errors
  -h, --help              this help
`;

const FORMATS: Record<string, 'mid' | 'txt' | 'json'> = { '.mid': 'mid', '.midi': 'mid', '.txt': 'txt', '.json': 'json' };

/** Directory of the model shipped with the package (may not exist yet). */
export function builtInModelDirectory(): string {
  return join(packageRoot(), 'models', 'default');
}

function render(events: DrumEvent[], format: 'mid' | 'txt' | 'json', classNames: readonly string[]): Uint8Array | string {
  if (format === 'mid') return eventsToMidi(events, { classNames });
  if (format === 'json') return eventsToJson(events, { classNames }) + '\n';
  return eventsToText(events, { classNames });
}

/** Runs `adtkit transcribe`. */
export async function transcribeCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      format: { type: 'string', short: 'f' },
      model: { type: 'string', short: 'm' },
      backend: { type: 'string', short: 'b', default: 'wasm' },
      threads: { type: 'string' },
      threshold: { type: 'string', short: 't' },
      'batch-size': { type: 'string' },
      quiet: { type: 'boolean', short: 'q', default: false },
      verbose: { type: 'boolean', short: 'v', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(TRANSCRIBE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('no audio file given', 'transcribe');
  const threshold = numberOption(values.threshold, '--threshold', (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  const batchSize = numberOption(values['batch-size'], '--batch-size', (x) => Number.isInteger(x) && x > 0, 'a positive integer');
  if (values.format !== undefined && !['mid', 'txt', 'json'].includes(values.format)) {
    throw new UsageError(`--format must be mid, txt or json, got "${values.format}"`, 'transcribe');
  }
  const output = values.output;
  const toDirectory = output !== undefined && (positionals.length > 1 || isDirectory(output) || /[/\\]$/.test(output));
  let singleFormat: 'mid' | 'txt' | 'json' | undefined;
  if (output !== undefined && !toDirectory) {
    singleFormat = FORMATS[extname(output).toLowerCase()];
    if (singleFormat === undefined) throw new UsageError(`cannot tell the output format of "${output}": use a .mid, .midi, .txt or .json name, or a directory`, 'transcribe');
  }
  for (const file of positionals) if (!existsSync(file)) throw new AdtError('IO_ERROR', `audio file "${file}" does not exist`, { file });

  const modelDir = values.model ?? builtInModelDirectory();
  if (values.model === undefined && !existsSync(join(modelDir, 'card.json'))) {
    throw new UsageError('no built-in model yet; pass --model <bundle directory>', 'transcribe');
  }
  await selectBackend(values.backend as string, threadsOption(values.threads));
  const { loadBundle, transcribe } = await import('../transcribe/index.js');
  const bundle = await loadBundle(modelDir);
  const bar = new ProgressBar(io.stderr, !values.quiet);
  try {
    if (toDirectory) await mkdir(output as string, { recursive: true });
    for (const [i, file] of positionals.entries()) {
      const label = positionals.length > 1 ? `[${i + 1}/${positionals.length}] ${basename(file)}` : basename(file);
      bar.update(0, label, 'decoding');
      const audio = await readAudioFile(file);
      const result = await transcribe(audio, {
        model: bundle,
        ...(threshold !== undefined ? { thresholds: threshold } : {}),
        ...(batchSize !== undefined ? { batchSize } : {}),
        onProgress: (p) => bar.update(p.fraction, label, `${p.windowsDone}/${p.windowsTotal} windows`),
      });
      bar.clear();
      const classNames = bundle.card.classNames;
      let target = 'stdout';
      if (output === undefined) {
        if (positionals.length > 1) io.stdout.write(`# ${file}\n`);
        io.stdout.write(eventsToText(result.events, { classNames }));
      } else {
        const format = singleFormat ?? (values.format as 'mid' | 'txt' | 'json' | undefined) ?? 'mid';
        target = toDirectory ? join(output, `${basename(file, extname(file))}.${format}`) : output;
        try {
          await writeFile(target, render(result.events, format, classNames));
        } catch (cause) {
          throw new AdtError('IO_ERROR', `cannot write "${target}": ${String(cause)}`, { file: target, cause });
        }
      }
      if (!values.quiet) {
        const speed = result.durationSeconds / result.timings.totalSeconds;
        io.stderr.write(`${file}: ${result.events.length} onsets in ${result.durationSeconds.toFixed(1)} s of audio (${speed.toFixed(1)}× real time) → ${target}\n`);
      }
    }
  } finally {
    bar.clear();
    bundle.model.dispose();
  }
  return 0;
}
