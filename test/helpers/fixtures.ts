/**
 * Loads reference fixtures (see test/fixtures/README.md for the format).
 * The directory comes from ADTKIT_FIXTURES (default test/fixtures) so that
 * another fixture set in the same format runs through the same tests.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const fixturesDir: string = (() => {
  const fromEnv = process.env.ADTKIT_FIXTURES;
  if (fromEnv && fromEnv.length > 0) return isAbsolute(fromEnv) ? fromEnv : resolve(process.cwd(), fromEnv);
  return join(repoRoot, 'test', 'fixtures');
})();

/** Directory of the MDB Drums dev recordings, or null when ../shared/data is absent. */
export const devDataDir: string | null = (() => {
  const candidate = process.env.ADTKIT_DEV_DATA ?? resolve(repoRoot, '..', 'shared', 'data', 'mdb-drums-dev');
  return existsSync(candidate) ? candidate : null;
})();

export const devDataSkipReason =
  'MDB Drums dev data not found (expected ../shared/data/mdb-drums-dev or ADTKIT_DEV_DATA): skipping real-recording tests';

// Say it once per test file that loads this helper, so a skipped real-data test is never silent.
if (devDataDir === null) console.warn(`[adtkit tests] ${devDataSkipReason}`);

export interface ArraySpec {
  dtype: 'float32' | 'int32';
  shape: number[];
  axes?: string[];
  description?: string;
  file?: string;
  data?: number[];
}

export interface LoadedArray {
  shape: number[];
  data: Float32Array | Int32Array;
}

export function isArraySpec(value: unknown): value is ArraySpec {
  return typeof value === 'object' && value !== null && 'dtype' in value && 'shape' in value &&
    ('file' in value || 'data' in value);
}

export function readManifest<T = any>(name: string): T {
  const path = join(fixturesDir, name);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function fixturePath(relative: string): string {
  return join(fixturesDir, relative);
}

export function readFixtureBytes(relative: string): Uint8Array {
  return new Uint8Array(readFileSync(join(fixturesDir, relative)));
}

export function loadArray(spec: ArraySpec): LoadedArray {
  const expected = spec.shape.reduce((a, b) => a * b, 1);
  let data: Float32Array | Int32Array;
  if (spec.file !== undefined) {
    const buf = readFileSync(join(fixturesDir, spec.file));
    const copy = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    data = spec.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
  } else if (spec.data !== undefined) {
    data = spec.dtype === 'int32' ? Int32Array.from(spec.data) : Float32Array.from(spec.data);
  } else {
    throw new Error('array spec has neither file nor data');
  }
  if (data.length !== expected) {
    throw new Error(`fixture array ${spec.file ?? '(inline)'}: ${data.length} values, shape ${JSON.stringify(spec.shape)} needs ${expected}`);
  }
  return { shape: spec.shape, data };
}

/** Largest absolute difference, with the index where it occurs. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; index: number } {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let max = 0;
  let index = -1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= max)) { max = d; index = i; }
  }
  return { max, index };
}
