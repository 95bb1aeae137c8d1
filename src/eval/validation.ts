/**
 * Input checks shared by the eval entry points (internal, not exported from
 * `adtkit/eval`). Every check throws a typed error from `src/errors.ts` whose
 * message names the function, the argument, the value found and what was
 * expected, and guesses the likely mistake where one is common.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../errors.js';

/** Upper bound on event times, as in mir_eval's `validate_events` [s]. */
export const DEFAULT_MAX_TIME_SECONDS = 30000;

/** Short printable form of any value for error messages. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  if (typeof value === 'function') return 'a function';
  return `an object with keys [${Object.keys(value as object).join(', ')}]`;
}

/**
 * Checks that `options` is undefined or a plain object whose keys are all known.
 * `hints` maps common wrong names (e.g. the paper's `m`) to the right one.
 */
export function checkOptionKeys(
  options: unknown,
  allowed: readonly string[],
  where: string,
  hints: Readonly<Record<string, string>> = {},
): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
    throw new InvalidArgumentError(`${where}: options must be an object, got ${show(options)}`, { field: 'options' });
  }
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (allowed.includes(key)) continue;
    const hint = hints[key] !== undefined ? ` (did you mean ${hints[key]}?)` : '';
    throw new InvalidArgumentError(
      `${where}: unknown option '${key}'${hint}; known options: ${allowed.join(', ')}`,
      { field: key },
    );
  }
  return record;
}

/** Reads an integer option with a default and an allowed range. */
export function readInteger(
  options: Record<string, unknown>,
  key: string,
  defaultValue: number,
  where: string,
  min = 0,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = options[key];
  if (value === undefined) return defaultValue;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    const guess = typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value) && key.endsWith('Frames')
      ? ' (this option counts frames, not seconds)'
      : '';
    throw new InvalidArgumentError(`${where}: ${key} must be ${range}, got ${show(value)}${guess}`, { field: key });
  }
  return value;
}

/** Reads a finite number option with a default and an allowed (closed) range. */
export function readNumber(
  options: Record<string, unknown>,
  key: string,
  defaultValue: number,
  where: string,
  min = -Infinity,
  max = Infinity,
  guess = '',
): number {
  const value = options[key];
  if (value === undefined) return defaultValue;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    let range = 'a finite number';
    if (min > -Infinity && max < Infinity) range = `a finite number in [${min}, ${max}]`;
    else if (min > -Infinity) range = `a finite number >= ${min}`;
    else if (max < Infinity) range = `a finite number <= ${max}`;
    throw new InvalidArgumentError(`${where}: ${key} must be ${range}, got ${show(value)}${guess}`, { field: key });
  }
  return value;
}

/** Reads a string option restricted to a list of values. */
export function readChoice<T extends string>(
  options: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
  defaultValue: T,
  where: string,
): T {
  const value = options[key];
  if (value === undefined) return defaultValue;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(
      `${where}: ${key} must be one of ${allowed.map((v) => `'${v}'`).join(', ')}, got ${show(value)}`,
      { field: key },
    );
  }
  return value as T;
}

/** Reads a boolean option. */
export function readBoolean(options: Record<string, unknown>, key: string, defaultValue: boolean, where: string): boolean {
  const value = options[key];
  if (value === undefined) return defaultValue;
  if (typeof value !== 'boolean') {
    throw new InvalidArgumentError(`${where}: ${key} must be true or false, got ${show(value)}`, { field: key });
  }
  return value;
}

/** Reads a list of class names (non-empty strings). */
export function readClassNames(
  options: Record<string, unknown>,
  key: string,
  defaultValue: readonly string[],
  where: string,
): readonly string[] {
  const value = options[key];
  if (value === undefined) return defaultValue;
  if (!Array.isArray(value) || value.length === 0 || value.some((name) => typeof name !== 'string' || name.length === 0)) {
    throw new InvalidArgumentError(`${where}: ${key} must be a non-empty array of non-empty strings, got ${show(value)}`, { field: key });
  }
  return value as string[];
}

/** True for the numeric array types accepted as one-dimensional input. */
export function isNumericArray(value: unknown): value is Float32Array | Float64Array | readonly number[] {
  if (value instanceof Float32Array || value instanceof Float64Array) return true;
  return Array.isArray(value) && (value.length === 0 || typeof value[0] === 'number');
}

/**
 * Checks a one-dimensional array of event times: numbers, finite, >= 0, at most
 * `maxTimeSeconds` and in increasing order (equal neighbours allowed).
 */
export function checkTimes(value: unknown, name: string, where: string, maxTimeSeconds: number): ArrayLike<number> {
  if (!isNumericArray(value)) {
    const guess = Array.isArray(value) && value.length > 0 && typeof value[0] === 'object'
      ? ' (for DrumEvent lists use onsetF1)'
      : '';
    throw new InvalidArgumentError(
      `${where}: ${name} must be a Float64Array, Float32Array or number[] of times in seconds, got ${show(value)}${guess}`,
      { field: name },
    );
  }
  let previous = -Infinity;
  for (let i = 0; i < value.length; i++) {
    const t = value[i];
    if (typeof t !== 'number' || !Number.isFinite(t)) {
      throw new NonFiniteError(`${where}: ${name}[${i}] = ${show(t)} is not a finite number`, { field: name });
    }
    if (t < 0) {
      throw new InvalidArgumentError(`${where}: ${name}[${i}] = ${t} is negative; event times must be >= 0 s`, { field: name });
    }
    if (t > maxTimeSeconds) {
      throw new InvalidArgumentError(
        `${where}: ${name}[${i}] = ${t} is greater than the maximum allowed time of ${maxTimeSeconds} s ` +
          '(did you supply event times in seconds? Milliseconds, frames or samples are far larger)',
        { field: name },
      );
    }
    if (t < previous) {
      throw new InvalidArgumentError(
        `${where}: ${name} must be sorted in increasing order, but ${name}[${i}] = ${t} < ${name}[${i - 1}] = ${previous}`,
        { field: name },
      );
    }
    previous = t;
  }
  return value;
}

/** Checks a one-dimensional array of frame indices: integers >= 0, increasing. */
export function checkFrames(value: unknown, name: string, where: string): ArrayLike<number> {
  const ok = value instanceof Int32Array || value instanceof Uint32Array || isNumericArray(value);
  if (!ok) {
    throw new InvalidArgumentError(`${where}: ${name} must be an Int32Array or number[] of frame indices, got ${show(value)}`, { field: name });
  }
  const frames = value as ArrayLike<number>;
  let previous = -Infinity;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i];
    if (typeof f !== 'number' || !Number.isInteger(f) || f < 0) {
      const guess = typeof f === 'number' && Number.isFinite(f) && f >= 0 ? ' (did you pass times in seconds? use matchOnsetTimes)' : '';
      throw new InvalidArgumentError(`${where}: ${name}[${i}] = ${show(f)} is not a frame index (an integer >= 0)${guess}`, { field: name });
    }
    if (f < previous) {
      throw new InvalidArgumentError(
        `${where}: ${name} must be sorted in increasing order, but ${name}[${i}] = ${f} < ${name}[${i - 1}] = ${previous}`,
        { field: name },
      );
    }
    previous = f;
  }
  return frames;
}

/** Throws a NonFiniteError naming the first NaN/Infinity in a frame-major matrix. */
export function checkFiniteMatrix(
  data: ArrayLike<number>,
  classes: number,
  name: string,
  where: string,
  framesPerSegment = 0,
): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // `v - v` is NaN for NaN and +-Infinity, 0 otherwise: one comparison per value.
    if (v - v !== 0) {
      const frame = Math.floor(i / classes);
      let at = classes === 1 ? `frame ${frame}` : `frame ${frame}, class ${i % classes}`;
      if (framesPerSegment > 0) {
        at = `segment ${Math.floor(frame / framesPerSegment)}, frame ${frame % framesPerSegment}, class ${i % classes}`;
      }
      throw new NonFiniteError(
        `${where}: ${name} contains ${v} at ${at}; activations must be finite (check the model output or the audio for NaN)`,
        { field: name },
      );
    }
  }
}

/** Throws a ShapeError for a flat array whose length does not match its declared shape. */
export function checkFlatLength(length: number, expected: number, shape: string, name: string, where: string): void {
  if (length !== expected) {
    throw new ShapeError(`${where}: ${name}.data has ${length} values but shape ${shape} needs ${expected}`, { field: name });
  }
}

export { roundHalfEven } from '../numeric.js';
