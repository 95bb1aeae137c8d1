/** Helpers shared by the CLI commands: usage errors, files, annotations, TF.js backends. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdtError } from '../errors.js';
import { BUILTIN_MAPPINGS } from '../io/builtinMappings.js';
import { parseEventsJson } from '../io/eventsJson.js';
import type { ClassMapping } from '../io/mappings.js';
import { parseMidiAnnotations } from '../io/midiAnnotations.js';
import { parseTextAnnotations } from '../io/textAnnotations.js';
import type { DrumEvent } from '../types.js';

/** A mistake in the command line (exit status 2). */
export class UsageError extends Error {
  constructor(message: string, readonly command?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where a command writes: stdout for results, stderr for progress and messages. */
export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

/** Directory of the installed adtkit package (the one holding its package.json). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'adtkit') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new AdtError('IO_ERROR', 'cannot find the adtkit package directory (package.json) above the CLI');
    dir = parent;
  }
}

/** Looks up a built-in mapping by name, with the list of names in the error. */
export function mappingByName(name: string, option: string): ClassMapping {
  const mapping = BUILTIN_MAPPINGS[name];
  if (mapping === undefined) {
    throw new UsageError(`${option} "${name}" is not a built-in mapping; choose one of ${Object.keys(BUILTIN_MAPPINGS).join(', ')}`);
  }
  return mapping;
}

/** File extensions read as onset annotations. */
export const ANNOTATION_EXTENSIONS = ['.txt', '.mid', '.midi', '.json'];

/**
 * Reads onsets from a text (`time label`), MIDI or adtkit JSON file, in the mapping's
 * vocabulary, sorted by time.
 */
export async function readAnnotations(file: string, mapping: ClassMapping): Promise<DrumEvent[]> {
  const ext = extname(file).toLowerCase();
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new AdtError('IO_ERROR', `cannot read "${file}": ${(cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(cause)}`, { file, cause });
  }
  if (ext === '.mid' || ext === '.midi') return parseMidiAnnotations(new Uint8Array(bytes), { mapping, file }).events;
  if (ext === '.json') {
    const { events, classNames } = parseEventsJson(bytes.toString('utf8'), { file });
    if (classNames.join() !== mapping.classNames.join()) {
      throw new AdtError('INVALID_ANNOTATION', `${file}: its classes are [${classNames.join(', ')}] but the mapping "${mapping.name}" has [${mapping.classNames.join(', ')}]`, { file });
    }
    return [...events].sort((a, b) => a.timeSeconds - b.timeSeconds);
  }
  if (ext === '.txt' || ext === '') return parseTextAnnotations(new Uint8Array(bytes), { mapping, file }).events;
  throw new UsageError(`${file}: unknown annotation format "${ext}"; expected ${ANNOTATION_EXTENSIONS.join(', ')}`);
}

/** Whether a path is an existing directory. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Pairing key of a file: its name up to the first dot (`80sRock.mix.flac` → `80sRock`). */
export function pairKey(file: string): string {
  const name = basename(file);
  const dot = name.indexOf('.');
  return dot <= 0 ? name : name.slice(0, dot);
}

/**
 * Files of a directory whose names end with `suffix` (case-insensitive) or, without a suffix,
 * with one of `extensions`, by pairing key. Two files with one key is an error that suggests
 * a suffix.
 */
export async function filesByKey(directory: string, extensions: readonly string[], suffix: string | undefined, suffixOption: string): Promise<Map<string, string>> {
  let names: string[];
  try {
    names = (await readdir(directory)).sort();
  } catch (cause) {
    throw new AdtError('IO_ERROR', `cannot list directory "${directory}": ${String(cause)}`, { file: directory, cause });
  }
  const map = new Map<string, string>();
  for (const name of names) {
    const lower = name.toLowerCase();
    const wanted = suffix !== undefined ? lower.endsWith(suffix.toLowerCase()) : extensions.includes(extname(lower));
    if (!wanted || name.startsWith('.')) continue;
    const path = join(directory, name);
    if (isDirectory(path)) continue;
    const key = pairKey(name);
    const other = map.get(key);
    if (other !== undefined) {
      throw new UsageError(`"${basename(other)}" and "${name}" in ${directory} both pair as "${key}"; pick one kind with ${suffixOption} (e.g. ${suffixOption} ${name.slice(key.length)})`);
    }
    map.set(key, path);
  }
  return map;
}

/** Parses a number option, with the option named in the error. */
export function numberOption(value: string | undefined, option: string, check: (x: number) => boolean, expected: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || !check(x)) throw new UsageError(`${option} must be ${expected}, got "${value}"`);
  return x;
}

/** Parses `--threads` (wasm pool size, 1–8). */
export function threadsOption(value: string | undefined): number | undefined {
  return numberOption(value, '--threads', (x) => Number.isInteger(x) && x >= 1 && x <= 8, 'an integer from 1 to 8');
}

/** TF.js backends the CLI can select. */
export const BACKENDS = ['cpu', 'wasm'] as const;
/** A CLI backend. */
export type Backend = (typeof BACKENDS)[number];

/**
 * Loads TF.js and selects a backend: `cpu` (pure JS) or `wasm` (with its `.wasm` binaries
 * served from the installed @tensorflow/tfjs-backend-wasm package), the latter multi-threaded
 * with `threads` threads (default: one per CPU, at most 8).
 */
export async function selectBackend(name: string, threads?: number): Promise<typeof import('@tensorflow/tfjs-core')> {
  if (!(BACKENDS as readonly string[]).includes(name)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got "${name}"`);
  let tf: typeof import('@tensorflow/tfjs-core');
  try {
    tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-layers');
  } catch (cause) {
    throw new AdtError('IO_ERROR', 'this command needs TensorFlow.js: npm install @tensorflow/tfjs-core @tensorflow/tfjs-layers @tensorflow/tfjs-backend-cpu', { cause });
  }
  // Production mode: no debug checks, and no "install tfjs-node" banner on stderr.
  tf.enableProdMode();
  const pkg = name === 'cpu' ? '@tensorflow/tfjs-backend-cpu' : '@tensorflow/tfjs-backend-wasm';
  try {
    const backend = await import(pkg);
    if (name === 'wasm') {
      const require = createRequire(import.meta.url);
      (backend as typeof import('@tensorflow/tfjs-backend-wasm')).setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    }
  } catch (cause) {
    throw new AdtError('IO_ERROR', `--backend ${name} needs ${pkg}: npm install ${pkg} (${(cause as Error).message})`, { cause });
  }
  if (name === 'wasm') {
    // XNNPACK on a pool of worker threads (TF.js leaves wasm single-threaded in Node).
    // An already running wasm backend (a second command in one process) is kept as it is.
    const { disableWasmThreads, enableWasmThreads } = await import('../models/wasmThreads.js');
    if (tf.engine().registry.wasm === undefined) {
      disableWasmThreads();
      enableWasmThreads(threads !== undefined ? { threads } : {});
    }
  }
  if (!(await tf.setBackend(name))) throw new AdtError('IO_ERROR', `the TF.js ${name} backend failed to initialise`);
  await tf.ready();
  if (name === 'wasm') {
    // adtkit's wasm kernels (gradients for training, and the transposed / batched matMuls
    // that attention and the recurrent layers use at inference too). The CLI is an app,
    // so it may change the backend's kernels globally; the library itself never does.
    const { enableWasmTraining } = await import('../models/wasmKernels.js');
    enableWasmTraining();
  }
  return tf;
}

/** Absolute path of a path given on the command line or in a config file. */
export function resolvePath(path: string, base = process.cwd()): string {
  return resolve(base, path);
}
