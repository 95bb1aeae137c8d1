/**
 * Transcription worker: loads the model bundle and runs `transcribe()` off the main thread,
 * on TF.js's webgl backend (WebGL2 through OffscreenCanvas, which Chromium and Firefox
 * offer in workers) or, when WebGL is not available here, on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-cpu';
import { loadBundle, transcribe, type ModelBundle } from '../../src/transcribe/index.js';
import type { FromWorker, ToWorker } from './protocol.js';

/** The parts of the worker global scope used here (the DOM lib types `self` as a Window). */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
}
const scope = self as unknown as WorkerScope;

let bundle: ModelBundle | undefined;
let initialised: Promise<void> | undefined;

/** Selects the backend: the requested one if it initialises, else cpu. */
async function chooseBackend(wanted: 'webgl' | 'cpu'): Promise<string | undefined> {
  if (wanted === 'webgl') {
    try {
      if (await tf.setBackend('webgl')) {
        await tf.ready();
        return undefined;
      }
    } catch {
      // fall through to cpu
    }
    const reason = typeof OffscreenCanvas === 'undefined' ? 'no OffscreenCanvas in this worker' : 'WebGL could not be initialised in this worker';
    await tf.setBackend('cpu');
    await tf.ready();
    return reason;
  }
  await tf.setBackend('cpu');
  await tf.ready();
  return undefined;
}

async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  const fallbackReason = await chooseBackend(message.backend);
  // A wrapper rather than `fetch` itself: TF.js's http loader calls the function it is given
  // as a method of its own object, which the browser's fetch rejects ("Illegal invocation").
  bundle = await loadBundle(message.modelUrl, { fetch: (input, init) => fetch(input, init) });
  scope.postMessage({
    type: 'ready',
    backend: tf.getBackend(),
    fallbackReason,
    modelName: bundle.card.name ?? bundle.card.architecture,
    classNames: [...bundle.card.classNames],
  });
}

async function run(message: Extract<ToWorker, { type: 'transcribe' }>): Promise<void> {
  await initialised;
  if (bundle === undefined) throw new Error('the model is not loaded');
  const started = performance.now();
  const result = await transcribe(
    { samples: message.samples, sampleRate: message.sampleRate },
    {
      model: bundle,
      thresholds: message.threshold,
      onProgress: ({ fraction }) => scope.postMessage({ type: 'progress', fraction }),
    },
  );
  scope.postMessage({
    type: 'result',
    events: result.events,
    durationSeconds: result.durationSeconds,
    classNames: [...result.activations.classNames],
    backend: tf.getBackend(),
    seconds: (performance.now() - started) / 1000,
  });
}

scope.onmessage = (event) => {
  const message = event.data;
  const job = message.type === 'init' ? (initialised = init(message)) : run(message);
  job.catch((error: unknown) => scope.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) }));
};
