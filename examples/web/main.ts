/**
 * The page: takes a dropped or chosen audio file, decodes it with adtkit/io's decodeAudio,
 * sends the mono samples to the worker (worker.ts) for transcription, draws the drum grid
 * and offers the events as a MIDI file (eventsToMidi).
 *
 * Built with `node examples/web/build.mjs` into examples/web/dist/; serve that directory
 * with a model bundle in `dist/model/` (or pass `?model=URL`).
 */
import { decodeAudio, downmixToMono, eventsToMidi } from '../../src/io/index.js';
import type { DrumEvent } from '../../src/index.js';
import type { FromWorker, ToWorker } from './protocol.js';

const params = new URLSearchParams(location.search);
const modelUrl = new URL(params.get('model') ?? 'model/', location.href).href;
const thresholdParam = params.get('threshold');
const threshold = thresholdParam === null ? undefined : Number(thresholdParam);
const backend = params.get('backend') === 'cpu' ? 'cpu' : 'webgl';

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const fileInput = byId<HTMLInputElement>('file');
const drop = byId<HTMLDivElement>('drop');
const status = byId<HTMLSpanElement>('status');
const backendLabel = byId<HTMLSpanElement>('backend');
const backendNote = byId<HTMLSpanElement>('backend-note');
const modelLabel = byId<HTMLSpanElement>('model');
const eventsLabel = byId<HTMLSpanElement>('events');
const canvas = byId<HTMLCanvasElement>('grid');
const download = byId<HTMLAnchorElement>('download');

type State = 'loading' | 'ready' | 'decoding' | 'transcribing' | 'done' | 'error';
function setState(state: State, text: string): void {
  document.body.dataset.state = state;
  status.textContent = text;
}

let fileName = 'drums';
let classNames: string[] = ['KD', 'SD', 'TT', 'HH', 'CY'];
const worker = new Worker('worker.js');
const send = (message: ToWorker, transfer: Transferable[] = []): void => worker.postMessage(message, transfer);

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'ready':
      backendLabel.textContent = m.backend;
      backendNote.textContent = m.fallbackReason ? `(fallback: ${m.fallbackReason})` : '';
      modelLabel.textContent = m.modelName;
      classNames = m.classNames;
      drawGrid([], 1);
      setState('ready', 'ready: drop an audio file');
      break;
    case 'progress':
      setState('transcribing', `transcribing… ${Math.round(m.fraction * 100)} %`);
      break;
    case 'result':
      showResult(m.events, m.durationSeconds, m.classNames);
      backendLabel.textContent = m.backend;
      setState('done', `done: ${m.durationSeconds.toFixed(1)} s of audio in ${m.seconds.toFixed(1)} s`);
      break;
    case 'error':
      setState('error', `error: ${m.message}`);
      break;
  }
};
worker.onerror = (event) => setState('error', `error: the worker failed: ${event.message}`);
send({ type: 'init', modelUrl, backend });

async function handleFile(file: File): Promise<void> {
  fileName = file.name.replace(/\.[^.]*$/, '') || 'drums';
  download.hidden = true;
  setState('decoding', `decoding ${file.name}…`);
  try {
    const audio = await decodeAudio(new Uint8Array(await file.arrayBuffer()), { fileName: file.name });
    const samples = downmixToMono(audio);
    setState('transcribing', `transcribing ${audio.durationSeconds.toFixed(1)} s at ${audio.sampleRate} Hz…`);
    send({ type: 'transcribe', samples, sampleRate: audio.sampleRate, threshold }, [samples.buffer]);
  } catch (error) {
    setState('error', `error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) void handleFile(file);
});
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const file = e.dataTransfer?.files[0];
  if (file) void handleFile(file);
});

function showResult(events: DrumEvent[], durationSeconds: number, names: string[]): void {
  classNames = names;
  eventsLabel.textContent = `${events.length} (${names.map((n, c) => `${n} ${events.filter((e) => e.classIndex === c).length}`).join(', ')})`;
  drawGrid(events, durationSeconds);
  const midi = eventsToMidi(events, { classNames: names });
  URL.revokeObjectURL(download.href);
  download.href = URL.createObjectURL(new Blob([midi as BlobPart], { type: 'audio/midi' }));
  download.download = `${fileName}.mid`;
  download.textContent = `Download MIDI (${fileName}.mid, ${midi.length} bytes)`;
  download.hidden = false;
}

/** Time × class grid: one row per class, one mark per onset, opacity from its velocity. */
function drawGrid(events: DrumEvent[], durationSeconds: number): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const gutter = 40;
  const axis = 20;
  const rows = classNames.length;
  const rowHeight = (canvas.height - axis) / rows;
  const plotWidth = canvas.width - gutter - 4;
  const x = (t: number): number => gutter + (t / Math.max(durationSeconds, 1e-9)) * plotWidth;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = '12px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (let r = 0; r < rows; r++) {
    ctx.fillStyle = r % 2 === 0 ? '#f6f6f6' : '#ffffff';
    ctx.fillRect(gutter, r * rowHeight, plotWidth, rowHeight);
    ctx.fillStyle = '#333';
    ctx.fillText(classNames[r], 4, (r + 0.5) * rowHeight);
  }
  // time axis: a tick every 1, 2, 5, 10, ... seconds, about 10 ticks in all
  const steps = [1, 2, 5, 10, 20, 30, 60, 120, 300];
  const step = steps.find((s) => durationSeconds / s <= 12) ?? 600;
  ctx.fillStyle = '#666';
  ctx.textBaseline = 'top';
  for (let t = 0; t <= durationSeconds; t += step) {
    ctx.fillRect(x(t), canvas.height - axis, 1, 4);
    if (x(t) + 30 < canvas.width) ctx.fillText(`${t} s`, x(t) + 2, canvas.height - axis + 4);
  }
  for (const e of events) {
    ctx.fillStyle = `rgba(0, 90, 200, ${0.3 + 0.7 * (e.velocity ?? 1)})`;
    ctx.fillRect(x(e.timeSeconds) - 1, e.classIndex * rowHeight + 3, 3, rowHeight - 6);
  }
}
