/**
 * Activation inputs accepted by the eval functions, and their normalisation
 * (internal helpers; the types are public).
 */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { checkFiniteMatrix, checkFlatLength, isNumericArray, show } from './validation.js';

/** One activation curve: one value per frame. */
export type ActivationCurve = Float32Array | Float64Array | readonly number[];

/**
 * A frames × classes activation matrix, stored frame-major (row-major with the
 * class axis fastest): the activation of class `c` at frame `n` is
 * `data[n * classes + c]`. This is the layout of a `[T, C]` model output.
 */
export interface ActivationMatrix {
  /** Values, frame-major, `frames * classes` of them. */
  data: Float32Array | Float64Array | readonly number[];
  /** Number of frames T. */
  frames: number;
  /** Number of classes C. */
  classes: number;
}

/**
 * Activations for peak picking: one curve (1 class), a frame-major
 * {@link ActivationMatrix}, or an array of rows (`rows[frame][class]`).
 */
export type ActivationsInput = ActivationCurve | ActivationMatrix | readonly (readonly number[])[];

/**
 * A `[segments, frames, classes]` array, row-major (class axis fastest), as the
 * thesis evaluates batches of 400-frame segments: element `(s, n, c)` is
 * `data[(s * frames + n) * classes + c]`.
 */
export interface SegmentedActivations {
  /** Values, row-major, `segments * frames * classes` of them. */
  data: Float32Array | Float64Array | readonly number[];
  /** Number of segments S (the batch axis). */
  segments: number;
  /** Frames per segment T. */
  frames: number;
  /** Number of classes C. */
  classes: number;
}

/** Normalised activations (internal). */
export interface NormalizedActivations {
  data: ArrayLike<number>;
  frames: number;
  classes: number;
  /** True when the values are float32 (a Float32Array input). */
  float32: boolean;
}

function checkDimension(value: unknown, name: string, where: string, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ShapeError(`${where}: ${field}.${name} must be an integer >= 0, got ${show(value)}`, { field });
  }
  return value;
}

/**
 * Turns any {@link ActivationsInput} into a frame-major view, checking shape and
 * finiteness. Typed arrays and flat number arrays are used without copying.
 */
export function normalizeActivations(input: unknown, where: string, field = 'activations'): NormalizedActivations {
  let result: NormalizedActivations;
  if (isNumericArray(input)) {
    result = { data: input, frames: input.length, classes: 1, float32: input instanceof Float32Array };
  } else if (Array.isArray(input)) {
    const rows = input as unknown[];
    const classes = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : -1;
    if (classes < 1) {
      throw new ShapeError(`${where}: ${field} rows must be non-empty number arrays; row 0 is ${show(rows[0])}`, { field });
    }
    const data = new Float64Array(rows.length * classes);
    for (let n = 0; n < rows.length; n++) {
      const row = rows[n];
      if (!Array.isArray(row) && !(row instanceof Float32Array) && !(row instanceof Float64Array)) {
        throw new ShapeError(`${where}: ${field}[${n}] must be an array of ${classes} numbers, got ${show(row)}`, { field });
      }
      if (row.length !== classes) {
        throw new ShapeError(
          `${where}: ${field}[${n}] has ${row.length} values but ${field}[0] has ${classes}; every frame needs one value per class`,
          { field },
        );
      }
      for (let c = 0; c < classes; c++) {
        const v = row[c];
        if (typeof v !== 'number') {
          throw new InvalidArgumentError(`${where}: ${field}[${n}][${c}] must be a number, got ${show(v)}`, { field });
        }
        data[n * classes + c] = v;
      }
    }
    result = { data, frames: rows.length, classes, float32: false };
  } else if (typeof input === 'object' && input !== null && 'data' in input) {
    const matrix = input as { data: unknown; frames: unknown; classes: unknown; segments?: unknown };
    if ('segments' in matrix && matrix.segments !== undefined) {
      throw new ShapeError(
        `${where}: ${field} has a segments axis; pass one segment at a time or use the frame-level thesis API (thesisComputePeaks)`,
        { field },
      );
    }
    const frames = checkDimension(matrix.frames, 'frames', where, field);
    const classes = checkDimension(matrix.classes, 'classes', where, field);
    if (classes === 0) throw new ShapeError(`${where}: ${field}.classes must be >= 1, got 0`, { field });
    if (!isNumericArray(matrix.data)) {
      throw new InvalidArgumentError(`${where}: ${field}.data must be a Float32Array, Float64Array or number[], got ${show(matrix.data)}`, { field });
    }
    checkFlatLength(matrix.data.length, frames * classes, `[${frames}, ${classes}] (frames × classes)`, field, where);
    result = { data: matrix.data, frames, classes, float32: matrix.data instanceof Float32Array };
  } else {
    throw new InvalidArgumentError(
      `${where}: ${field} must be a curve (Float32Array, Float64Array or number[]), a {data, frames, classes} matrix or number[][] rows, got ${show(input)}`,
      { field },
    );
  }
  checkFiniteMatrix(result.data, result.classes, field, where);
  return result;
}

/** Checks a {@link SegmentedActivations} value (shape and finiteness). */
export function normalizeSegmented(input: unknown, where: string, field: string): SegmentedActivations {
  if (typeof input !== 'object' || input === null || !('data' in input)) {
    throw new InvalidArgumentError(`${where}: ${field} must be a {data, segments, frames, classes} object, got ${show(input)}`, { field });
  }
  const value = input as { data: unknown; segments: unknown; frames: unknown; classes: unknown };
  const segments = checkDimension(value.segments, 'segments', where, field);
  const frames = checkDimension(value.frames, 'frames', where, field);
  const classes = checkDimension(value.classes, 'classes', where, field);
  if (!isNumericArray(value.data)) {
    throw new InvalidArgumentError(`${where}: ${field}.data must be a Float32Array, Float64Array or number[], got ${show(value.data)}`, { field });
  }
  checkFlatLength(value.data.length, segments * frames * classes, `[${segments}, ${frames}, ${classes}] (segments × frames × classes)`, field, where);
  if (classes > 0) checkFiniteMatrix(value.data, classes, field, where, frames);
  return { data: value.data, segments, frames, classes };
}
