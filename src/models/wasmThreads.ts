/**
 * Multi-threaded wasm backend in Node.js, opt-in: {@link enableWasmThreads}.
 *
 * TF.js 4.22 ships a threaded build of its wasm backend (XNNPACK on a pthread pool) but never
 * uses it in Node: the feature flag `WASM_HAS_MULTITHREAD_SUPPORT` is hard-wired to false
 * there (tensorflow/tfjs#3830), and the loader hands Emscripten `blob:` URLs, which Node's
 * `worker_threads` cannot start. The Emscripten module itself supports Node (its workers use
 * `worker_threads`), so this module starts it the way Node can: the worker script and the
 * module's source go to two small files in the OS temp directory, and the 'wasm' backend
 * factory is replaced by one that builds TF.js's own `BackendWasm` on the threaded module.
 * Every kernel (TF.js's and adtkit's {@link enableWasmTraining} ones) then runs unchanged;
 * XNNPACK's convolutions and matrix products split their work over the threads.
 *
 * Two details of the threaded build need handling:
 * - it caps its pool at half of `os.cpus().length` (it assumes two hyper-threads per core),
 *   i.e. one thread on a 2-vCPU machine; the module is given an `os` whose `cpus()` reports
 *   twice the requested thread count, so the cap is the caller's choice;
 * - the pool's workers stay referenced while they wait for work, which would keep Node from
 *   exiting; they are unreferenced once the backend exists.
 * Written by hand because no library does this; it relies only on the files every
 * tfjs-backend-wasm 4.x package contains (`wasm-out/tfjs-backend-wasm-threaded-simd.*`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { BackendError } from '../errors.js';
import { startParallelSpectrogram, stopParallelSpectrogram } from '../dsp/wasmStft.js';
import { startParallelScans, stopParallelScans } from './gruScan.js';
import { startParallelWinograd, stopParallelWinograd } from './winogradConv.js';

const WASM = 'wasm';
/** Priority TF.js gives the wasm backend (tfjs-backend-wasm's base.ts). */
const WASM_PRIORITY = 2;
/** Emscripten pre-starts 8 workers; pthreadpool never uses more (TF.js caps at 8). */
const MAX_THREADS = 8;
const THREADED = 'tfjs-backend-wasm-threaded-simd';

/** Options of {@link enableWasmThreads}. */
export interface WasmThreadsOptions {
  /**
   * Threads of XNNPACK's pool, 1–8 (the calling thread counts as one).
   * @defaultValue the number of CPUs Node reports (`os.availableParallelism()`), at most 8
   */
  threads?: number;
}

/** The part of the Emscripten module this file touches. */
interface ThreadedModule {
  cwrap(name: string, returnType: string | null, argTypes: string[]): (...args: number[]) => number;
  PThread: { runningWorkers: Array<{ unref(): void }>; unusedWorkers: Array<{ unref(): void }> };
  tfjs?: Record<string, (...args: number[]) => number>;
}
type ModuleFactory = (config: Record<string, unknown>) => Promise<ThreadedModule>;
type BackendClass = new (module: ThreadedModule) => tf.KernelBackend;

interface Enabled {
  /** Threads asked for; undefined: one per CPU. */
  requested: number | undefined;
  originalFactory: () => tf.KernelBackend | Promise<tf.KernelBackend>;
  /** Threads of the initialised backend's pool (null before it starts). */
  actualThreads: number | null;
}
let enabled: Enabled | null = null;
/** Backends created by the threaded factory (to tell them from the stock one). */
const threadedBackends = new WeakSet<tf.KernelBackend>();

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

function requestedThreads(options: WasmThreadsOptions): number | undefined {
  const { threads } = options;
  if (threads === undefined) return undefined;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new BackendError(`enableWasmThreads: threads must be an integer from 1 to ${MAX_THREADS}, got ${String(threads)}`);
  }
  return threads;
}

/**
 * Makes TF.js's wasm backend multi-threaded in Node.js: convolutions and matrix products
 * (XNNPACK) run on a pool of `threads` threads (about 1.8× faster with 2 threads on a 2-core
 * machine; see bench/speed.bench.ts). Results equal the single-threaded backend's to float32
 * rounding. Call it after importing `@tensorflow/tfjs-backend-wasm` and before the wasm
 * backend is first initialised (`tf.setBackend('wasm')` or `tf.ready()`); combine freely with
 * {@link enableWasmTraining}. Calling it again with the same thread count is a no-op.
 *
 * In browsers the stock wasm backend already uses threads when the page is cross-origin
 * isolated, so this function is for Node only. The threaded module's files are read from the
 * installed `@tensorflow/tfjs-backend-wasm` package (`setWasmPaths` does not apply). Should
 * the threaded module fail to start (e.g. an unwritable temp directory, or an app bundle
 * without node_modules), the backend falls back to the single-threaded build with a console
 * warning.
 *
 * @param options Thread count.
 * @throws {@link BackendError} (code `BACKEND_UNAVAILABLE`) outside Node, when
 *   tfjs-backend-wasm is not imported, when the wasm backend is already initialised, for a
 *   thread count outside 1–8, or when already enabled with a different count.
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { enableWasmThreads } from 'adtkit/models';
 * enableWasmThreads({ threads: 2 });
 * await tf.setBackend('wasm'); // XNNPACK now runs on 2 threads
 * ```
 */
export function enableWasmThreads(options: WasmThreadsOptions = {}): void {
  if (!isNode()) {
    throw new BackendError(
      'enableWasmThreads is for Node.js; in a browser the wasm backend uses threads by itself when the page is cross-origin isolated',
    );
  }
  const requested = requestedThreads(options);
  if (enabled !== null) {
    if (requested === enabled.requested) return;
    throw new BackendError(
      `enableWasmThreads: already enabled with threads ${enabled.requested ?? 'default'} (asked for ${requested ?? 'default'}); call disableWasmThreads() first`,
    );
  }
  const originalFactory = tf.findBackendFactory(WASM);
  if (originalFactory === null || originalFactory === undefined) {
    throw new BackendError("enableWasmThreads: the wasm backend is not registered; import '@tensorflow/tfjs-backend-wasm' before calling it");
  }
  // engine().registry holds initialised backends only (tf.findBackend would initialise it).
  if (tf.engine().registry[WASM] !== undefined) {
    throw new BackendError(
      "enableWasmThreads: the wasm backend is already initialised (single-threaded); call enableWasmThreads() before tf.setBackend('wasm') or tf.ready()",
    );
  }
  const state: Enabled = { requested, originalFactory, actualThreads: null };
  enabled = state;
  tf.removeBackend(WASM);
  tf.registerBackend(WASM, () => createThreadedBackend(state), WASM_PRIORITY);
}

/**
 * Undoes {@link enableWasmThreads}: disposes the threaded wasm backend if it was initialised
 * (its tensors are lost, as with `tf.removeBackend`) and registers the stock factory again.
 * A no-op when not enabled.
 */
export function disableWasmThreads(): void {
  if (enabled === null) return;
  const { originalFactory } = enabled;
  enabled = null;
  stopParallelScans();
  stopParallelSpectrogram();
  stopParallelWinograd();
  tf.removeBackend(WASM);
  tf.registerBackend(WASM, originalFactory, WASM_PRIORITY);
}

/**
 * Threads of the threaded wasm backend's pool once it is initialised; `null` when
 * {@link enableWasmThreads} is not in effect or the backend has not started yet (or fell back
 * to the single-threaded build).
 */
export function wasmThreadsCount(): number | null {
  return enabled?.actualThreads ?? null;
}

/** Whether `backend` is a threaded wasm backend made by {@link enableWasmThreads}. */
export function isThreadedWasmBackend(backend: tf.KernelBackend): boolean {
  return threadedBackends.has(backend);
}

async function createThreadedBackend(state: Enabled): Promise<tf.KernelBackend> {
  // TF.js's BackendWasm class, taken from the stock backend so that it belongs to the same
  // tfjs-core / tfjs-backend-wasm instance as the registered kernels (importing the package
  // from here could load its other build: CommonJS vs ESM).
  const stock = await state.originalFactory();
  const BackendWasm = stock.constructor as BackendClass;
  try {
    const module = await startThreadedModule(state.requested);
    stock.dispose();
    const backend = new BackendWasm(module);
    // Idle pool workers would otherwise keep Node's event loop (and the process) alive.
    for (const worker of [...module.PThread.runningWorkers, ...module.PThread.unusedWorkers]) worker.unref();
    threadedBackends.add(backend);
    state.actualThreads = module.tfjs!.getThreadsCount();
    // Bidirectional GRU layers: the second direction on a worker of our own (gruScan.ts);
    // spectrograms: half of each chunk on another (dsp/wasmStft.ts).
    // Winograd convolutions: half of the tile rows on a worker sharing the backend's heap.
    if (state.actualThreads >= 2) await Promise.all([startParallelScans(), startParallelSpectrogram(), startParallelWinograd((module as { wasmMemory?: unknown }).wasmMemory)]);
    return backend;
  } catch (cause) {
    console.warn(`adtkit: the multi-threaded wasm backend failed to start (${(cause as Error).message}); using the single-threaded one`);
    return stock;
  }
}

async function startThreadedModule(requested: number | undefined): Promise<ThreadedModule> {
  const { createRequire } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ MODULE_SPECIFIER)) as typeof import('node:module');
  const fs = (await import(/* @vite-ignore */ /* webpackIgnore: true */ FS_SPECIFIER)) as typeof import('node:fs');
  const os = (await import(/* @vite-ignore */ /* webpackIgnore: true */ OS_SPECIFIER)) as typeof import('node:os');
  const path = (await import(/* @vite-ignore */ /* webpackIgnore: true */ PATH_SPECIFIER)) as typeof import('node:path');
  const threads = requested ?? Math.max(1, Math.min(MAX_THREADS, os.availableParallelism()));
  const requireHere = createRequire(import.meta.url);
  let factoryFile: string;
  try {
    factoryFile = requireHere.resolve(`@tensorflow/tfjs-backend-wasm/wasm-out/${THREADED}.js`);
  } catch (cause) {
    throw new BackendError(`cannot find @tensorflow/tfjs-backend-wasm/wasm-out/${THREADED}.js`, { cause });
  }
  const wasmOut = path.dirname(factoryFile);
  const factorySource = fs.readFileSync(factoryFile, 'utf8');
  const workerContents = (requireHere(path.join(wasmOut, `${THREADED}.worker.js`)) as { wasmWorkerContents: string }).wasmWorkerContents;

  // The worker script and the module source (which every worker evaluates) as files: Node's
  // workers start from paths, not blob: URLs. Named by content, so concurrent processes share
  // them and a half-written file is never read (written aside, then renamed).
  // (The module's file defines `var WasmBackendModuleThreadedSimd`, which the worker looks for.)
  const mainSource = factorySource;
  // TF.js escapes the newlines of the worker script the same way before making its Blob.
  const workerSource = workerContents.replace(/\n/g, '\\n');
  const dir = path.join(os.tmpdir(), `adtkit-wasm-threads-${simpleHash(mainSource + workerSource)}`);
  fs.mkdirSync(dir, { recursive: true });
  const writeOnce = (name: string, text: string): string => {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, text);
      fs.renameSync(tmp, file);
    }
    return file;
  };
  const mainFile = writeOnce('module.js', mainSource);
  const workerFile = writeOnce('worker.js', workerSource);

  // Evaluated here (not required) to hand it an `os` whose cpus() makes the pool's cap
  // (half the reported CPUs) equal the requested thread count.
  const cpus = os.cpus();
  const fakeCpus = Array.from({ length: 2 * threads }, (_, i) => cpus[i % Math.max(1, cpus.length)]);
  const osForModule = { ...os, cpus: () => fakeCpus };
  const moduleRequire = (name: string): unknown => (name === 'os' ? osForModule : requireHere(name));
  const factory = new Function('require', '__dirname', '__filename', `${factorySource}\nreturn WasmBackendModuleThreadedSimd;`)(
    moduleRequire,
    wasmOut,
    factoryFile,
  ) as ModuleFactory;
  const module = await factory({
    locateFile: (file: string) => (file.endsWith('.worker.js') ? workerFile : path.join(wasmOut, path.basename(file))),
    mainScriptUrlOrBlob: mainFile,
  });
  // The bridge TF.js's loader (backend_wasm.ts `init`) attaches to the module.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

const MODULE_SPECIFIER = 'node:module';
const FS_SPECIFIER = 'node:fs';
const OS_SPECIFIER = 'node:os';
const PATH_SPECIFIER = 'node:path';

/** FNV-1a, hex: names the temp directory by the scripts' content. */
function simpleHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
