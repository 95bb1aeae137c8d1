/**
 * A second thread for adtkit's hand-written WebAssembly kernels (Node only): one worker
 * thread with its own instance of a module on a shared memory, so that the main thread and
 * the worker run the same kernel on two halves of a job at once (the two directions of a
 * bidirectional GRU, the two halves of a spectrogram chunk). No TF.js here: the DSP layer uses it.
 *
 * The worker is eval'd CommonJS (no file to locate in any bundle layout) and unref'd (an idle
 * worker must not keep the process alive). The main thread blocks on `Atomics.wait` (allowed
 * in Node) until the worker signals; it is used only after the worker said it is ready, since
 * a main thread blocked on a worker that is still starting up can deadlock.
 */
import { BackendError } from './errors.js';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const instance = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes), { env: { memory: workerData.memory } });
const control = new Int32Array(workerData.control);
parentPort.postMessage('ready');
parentPort.on('message', ({ fn, args }) => {
  try { instance.exports[fn](...args); Atomics.store(control, 1, 0); } catch (e) { Atomics.store(control, 1, 1); }
  Atomics.store(control, 0, 1);
  Atomics.notify(control, 0);
});`;

/** Longest wait for the worker's half of a job (hours of audio take seconds). */
const WORKER_TIMEOUT_MS = 600_000;

/** A module instantiated on a shared memory here and on a worker thread. */
export interface WasmWorkerPair<Exports> {
  /** This thread's instance's exports (on the shared memory), with `memory` added. */
  exports: Exports;
  memory: WebAssembly.Memory;
  /**
   * Runs `fn(...mainArgs)` here and `fn(...workerArgs)` on the worker; returns when both are
   * done. Throws {@link BackendError} when the worker failed or did not answer (then the pair
   * is terminated: check {@link WasmWorkerPair.alive}).
   */
  runOnTwoThreads(fn: string, mainArgs: number[], workerArgs: number[]): void;
  /** False once terminated. */
  readonly alive: boolean;
  terminate(): void;
}

/**
 * Starts a worker thread running the shared-memory build `bytes` of a module (which imports
 * `env.memory` as shared memory): on a new memory, or on `options.memory` (a shared memory that
 * exists already, e.g. the threaded wasm backend's heap). Resolves to null where threads cannot
 * run: no SharedArrayBuffer / Atomics, not Node, or the worker did not start within 10 s.
 */
export async function startWasmWorker<Exports>(bytes: Uint8Array<ArrayBuffer>, options: { memory?: WebAssembly.Memory } = {}): Promise<WasmWorkerPair<Exports> | null> {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined' || typeof WebAssembly !== 'object') return null;
  try {
    const specifier = 'node:worker_threads';
    const { Worker } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as typeof import('node:worker_threads');
    const memory = options.memory ?? new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    // This thread's exports with the memory they work on (the module imports it, so it does not export it).
    const exports = { ...new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports, memory } as unknown as Exports;
    // [0]: done flag, [1]: error flag.
    const control = new Int32Array(new SharedArrayBuffer(8));
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bytes, memory, control: control.buffer } });
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      worker.once('message', (message) => {
        clearTimeout(timer);
        resolve(message === 'ready');
      });
      worker.once('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    worker.unref();
    if (!ready) {
      void worker.terminate();
      return null;
    }
    let alive = true;
    const pair: WasmWorkerPair<Exports> = {
      exports,
      memory,
      get alive() {
        return alive;
      },
      terminate() {
        if (!alive) return;
        alive = false;
        void worker.terminate();
      },
      runOnTwoThreads(fn, mainArgs, workerArgs) {
        if (!alive) throw new BackendError(`${fn}: the worker thread was stopped`);
        Atomics.store(control, 0, 0);
        worker.postMessage({ fn, args: workerArgs });
        (exports as Record<string, (...args: number[]) => void>)[fn](...mainArgs);
        // The worker catches its own failures and always signals; the timeout only guards
        // against a worker killed from outside.
        if (Atomics.wait(control, 0, 0, WORKER_TIMEOUT_MS) === 'timed-out') {
          pair.terminate();
          throw new BackendError(`${fn}: the worker thread did not answer within ${WORKER_TIMEOUT_MS / 1000} s`);
        }
        if (Atomics.load(control, 1) !== 0) throw new BackendError(`${fn}: the kernel failed on the worker thread`);
      },
    };
    return pair;
  } catch {
    return null;
  }
}
