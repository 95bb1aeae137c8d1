/**
 * Messages between the page (main.ts) and the transcription worker (worker.ts).
 */
import type { DrumEvent } from '../../src/index.js';

/** Page → worker. */
export type ToWorker =
  | {
      type: 'init';
      /** Absolute URL of the model bundle directory (card.json, model.json, weights.bin). */
      modelUrl: string;
      /** Backend to try first: 'webgl' (default) falls back to 'cpu' when WebGL is unavailable. */
      backend: 'webgl' | 'cpu';
    }
  | {
      type: 'transcribe';
      /** Mono samples (transferred, not copied). */
      samples: Float32Array;
      /** Their sample rate [Hz]. */
      sampleRate: number;
      /** One onset threshold for every class, or undefined for the model card's. */
      threshold?: number;
    };

/** Worker → page. */
export type FromWorker =
  | { type: 'ready'; backend: string; fallbackReason?: string; modelName: string; classNames: string[] }
  | { type: 'progress'; fraction: number }
  | { type: 'result'; events: DrumEvent[]; durationSeconds: number; classNames: string[]; backend: string; seconds: number }
  | { type: 'error'; message: string };
