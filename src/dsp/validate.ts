/**
 * Input checks shared by the public entry points of `adtkit/dsp`.
 *
 * Each check throws one of the typed errors of `src/errors.ts` with a message that names
 * the argument, the value found and what was expected. These helpers are internal: they
 * are not part of the public export list.
 */
import { AudioError, InvalidArgumentError, NonFiniteError, ShapeError } from '../errors.js';

/** A mono signal: a typed array or a plain array of samples. */
export type SignalLike = Float32Array | Float64Array | ArrayLike<number>;

/** Short, readable rendering of a value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(value)) return `Array(${value.length})`;
  return typeof value;
}

/**
 * Checks a sample rate: finite and > 0.
 * @throws {@link AudioError} (code `INVALID_AUDIO`) otherwise.
 */
export function assertSampleRate(value: unknown, field = 'sampleRate'): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    const hint = value === 0 ? ' (a sample rate of 0: was the audio header read correctly?)' : '';
    throw new AudioError(`${field} must be a finite number > 0 [Hz], got ${describe(value)}${hint}`, { field });
  }
}

/** Checks a positive integer option. @throws {@link InvalidArgumentError} */
export function assertPositiveInteger(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${field} must be a positive integer, got ${describe(value)}`, { field });
  }
}

/** Checks a non-negative integer option. @throws {@link InvalidArgumentError} */
export function assertNonNegativeInteger(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${field} must be an integer >= 0, got ${describe(value)}`, { field });
  }
}

/** Checks a finite number > 0. @throws {@link InvalidArgumentError} */
export function assertPositiveNumber(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${field} must be a finite number > 0, got ${describe(value)}`, { field });
  }
}

/** Checks a finite number. @throws {@link InvalidArgumentError} */
export function assertFiniteNumber(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${field} must be a finite number, got ${describe(value)}`, { field });
  }
}

/** Checks a power of two >= 2 (FFT sizes). @throws {@link InvalidArgumentError} */
export function assertPowerOfTwo(value: unknown, field: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 2 || (value & (value - 1)) !== 0) {
    const hint = typeof value === 'number' && Number.isInteger(value) && value >= 2
      ? ` (nearest powers of two: ${2 ** Math.floor(Math.log2(value))}, ${2 ** Math.ceil(Math.log2(value))})`
      : '';
    throw new InvalidArgumentError(`${field} must be a power of two >= 2, got ${describe(value)}${hint}`, { field });
  }
}

/** Checks that `value` is one of `allowed`. @throws {@link InvalidArgumentError} */
export function assertOneOf<T extends string | number | boolean>(value: unknown, allowed: readonly T[], field: string): asserts value is T {
  if (!allowed.includes(value as T)) {
    throw new InvalidArgumentError(
      `${field} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${describe(value)}`,
      { field },
    );
  }
}

/** Checks an options argument: undefined or a plain object. @throws {@link InvalidArgumentError} */
export function assertOptions(value: unknown, field = 'options'): void {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new InvalidArgumentError(`${field} must be an object or undefined, got ${describe(value)}`, { field });
  }
}

/** True for array-like values whose elements can be read as numbers. */
function isArrayLike(value: unknown): value is ArrayLike<number> {
  return ArrayBuffer.isView(value) ? !(value instanceof DataView) : Array.isArray(value);
}

/**
 * Checks a mono signal and returns it as a Float32Array or Float64Array (typed arrays are
 * returned as they are, without a copy; plain arrays are copied into a Float32Array).
 * @throws {@link InvalidArgumentError} when it is not an array,
 *   {@link AudioError} when it is empty (unless `allowEmpty`),
 *   {@link NonFiniteError} when a sample is NaN or infinite.
 */
export function checkSignal(value: unknown, field = 'signal', allowEmpty = false): Float32Array | Float64Array {
  if (!isArrayLike(value)) {
    const hint = Array.isArray((value as { channels?: unknown })?.channels)
      ? ' (got decoded audio: pass one channel or toMono(audio.channels))'
      : '';
    throw new InvalidArgumentError(`${field} must be a Float32Array, Float64Array or number[], got ${describe(value)}${hint}`, { field });
  }
  const signal = value instanceof Float32Array || value instanceof Float64Array ? value : Float32Array.from(value as ArrayLike<number>);
  if (signal.length === 0 && !allowEmpty) {
    throw new AudioError(`${field} is empty (0 samples); expected at least one sample`, { field });
  }
  assertAllFinite(signal, field);
  return signal;
}

/** Throws {@link NonFiniteError} naming the first NaN or infinite element. */
export function assertAllFinite(data: ArrayLike<number>, field: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // v - v is NaN for NaN and +-Infinity, 0 otherwise: one comparison per sample.
    if (v - v !== 0) {
      throw new NonFiniteError(`${field}[${i}] is ${describe(v)}; expected finite samples (check the decoder or an earlier processing step)`, { field });
    }
  }
}

/**
 * Checks a frame-major matrix `{ data, frames, bins }`.
 * @throws {@link ShapeError} when `data.length !== frames * bins`.
 */
export function assertMatrix(value: { data?: unknown; frames?: unknown; bins?: unknown } | undefined, field: string): void {
  if (value === null || typeof value !== 'object') {
    throw new InvalidArgumentError(`${field} must be a spectrogram object { data, frames, bins }, got ${describe(value)}`, { field });
  }
  const { data, frames, bins } = value;
  if (!(data instanceof Float32Array)) {
    throw new InvalidArgumentError(`${field}.data must be a Float32Array, got ${describe(data)}`, { field: `${field}.data` });
  }
  assertNonNegativeInteger(frames, `${field}.frames`);
  assertPositiveInteger(bins, `${field}.bins`);
  if (data.length !== (frames as number) * (bins as number)) {
    throw new ShapeError(
      `${field}.data has ${data.length} values but frames * bins = ${frames} * ${bins} = ${(frames as number) * (bins as number)}`,
      { field },
    );
  }
}
