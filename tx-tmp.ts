import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { enableWasmThreads, enableWasmTraining } from './src/models/index.js';
import { loadBundle, transcribe } from './src/transcribe/index.js';
import { readAudioFile } from './src/io/index.js';
const threads = Number(process.argv[2]);
if (threads > 1) enableWasmThreads({ threads });
enableWasmTraining();
await tf.setBackend('wasm');
const bundle = await loadBundle('models/default');
const parts = await Promise.all(['80sRock', 'Beatles', 'Britpop', 'Country1', 'Grunge'].map((n) => readAudioFile(`/work/shared/data/mdb-drums-dev/${n}.mix.flac`)));
const len = parts.reduce((a, p) => a + p.channels[0].length, 0);
const mono = new Float32Array(Math.min(len, 180 * 44100)); let o = 0;
for (const p of parts) { const c = p.channels[0].subarray(0, Math.max(0, mono.length - o)); mono.set(c, o); o += c.length; }
const audio = { channels: [mono], sampleRate: 44100 };
await transcribe({ channels: [mono.subarray(0, 44100 * 5)], sampleRate: 44100 }, { model: bundle });
for (const [seg, batch] of (process.argv[3] ?? '400x4,400x16,1000x8,2000x4').split(',').map((s) => s.split('x').map(Number))) {
  const r = await transcribe(audio, { model: bundle, segmentFrames: seg, batchSize: batch });
  const t = r.timings;
  console.log(`threads ${threads} seg ${seg} batch ${batch}: ${(180 / t.totalSeconds).toFixed(1)}x RT; model ${t.modelSeconds.toFixed(2)} s, spec ${t.spectrogramSeconds.toFixed(2)} s, peaks ${t.peakPickingSeconds.toFixed(3)} s, events ${r.events.length}`);
}
