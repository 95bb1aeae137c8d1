/**
 * Transcribe an audio file with a model bundle and write the drum hits as a MIDI file.
 *
 * Run:
 *   npx tsx examples/transcribe-file.ts song.flac --bundle models/crnn [-o song.mid]
 * Options:
 *   --bundle DIR      model bundle directory (card.json + model.json + weights.bin), required
 *   -o, --output FILE MIDI file to write [the audio file's name with .mid]
 *   --threshold X     one onset threshold for every class, in [0, 1) [the card's]
 *   --backend cpu|wasm  TF.js backend [cpu]
 *
 * In an app, import from 'adtkit/io', 'adtkit/models' and 'adtkit/transcribe' instead of
 * '../src/.../index.js'.
 */
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { eventsToMidi, readAudioFile } from '../src/io/index.js';
import { enableWasmThreads, enableWasmTraining } from '../src/models/index.js';
import { loadBundle, transcribe } from '../src/transcribe/index.js';

async function main(): Promise<void> {
  const { values: args, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      bundle: { type: 'string' },
      output: { type: 'string', short: 'o' },
      threshold: { type: 'string' },
      backend: { type: 'string', default: 'cpu' },
    },
  });
  const audioPath = positionals[0];
  if (audioPath === undefined || args.bundle === undefined) {
    throw new Error('usage: npx tsx examples/transcribe-file.ts <audio file> --bundle <model bundle directory> [-o out.mid] [--threshold 0.5] [--backend cpu|wasm]');
  }
  const output = args.output ?? audioPath.replace(/\.[^./\\]*$/, '') + '.mid';

  // The application picks the TF.js backend; adtkit uses the active one.
  if (args.backend === 'wasm') {
    const require = createRequire(import.meta.url);
    setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
    // Optional speed-ups, both opt-in: XNNPACK on one thread per CPU (Node only), and
    // adtkit's faster wasm kernels (batched / transposed matMul, BatchNorm statistics).
    enableWasmThreads();
    enableWasmTraining();
  }
  tf.enableProdMode(); // no debug checks (nor the "install tfjs-node" banner)
  if (!(await tf.setBackend(args.backend))) throw new Error(`TF.js backend "${args.backend}" is not available`);

  const bundle = await loadBundle(args.bundle);
  const audio = await readAudioFile(audioPath); // WAV, FLAC or MP3; any rate, any channels
  console.log(`${audioPath}: ${audio.durationSeconds.toFixed(2)} s, ${audio.sampleRate} Hz, ${audio.numberOfChannels} channel(s)`);

  const result = await transcribe(audio, {
    model: bundle,
    thresholds: args.threshold === undefined ? undefined : Number(args.threshold),
    onProgress: ({ windowsDone, windowsTotal }) => {
      if (windowsTotal > 0) process.stdout.write(`\rmodel windows ${windowsDone}/${windowsTotal}`);
    },
  });
  process.stdout.write('\n');
  bundle.model.dispose();

  const classNames = result.activations.classNames;
  const counts = classNames.map((name, c) => `${name} ${result.events.filter((e) => e.classIndex === c).length}`);
  console.log(`events: ${result.events.length} (${counts.join(', ')}) in ${result.timings.totalSeconds.toFixed(2)} s`);
  for (const e of result.events.slice(0, 8)) {
    console.log(`  ${e.timeSeconds.toFixed(3)} s  ${e.className}  velocity ${e.velocity?.toFixed(2)}`);
  }

  // General MIDI drums on channel 10: KD 36, SD 38, TT 47, HH 42, CY 49 (see eventsToMidi's noteMap).
  await writeFile(output, eventsToMidi(result.events, { classNames }));
  console.log(`wrote ${output}`);
}

main().catch((error: unknown) => {
  console.error(`transcribe-file: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
