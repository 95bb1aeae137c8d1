/**
 * Typed errors. Every error adtkit throws on bad input is an {@link AdtError}
 * with a stable `code`, so callers can branch on the kind of problem without
 * parsing messages. Messages name the argument, file, line or shape involved.
 */

export type AdtErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_SHAPE'
  | 'INVALID_AUDIO'
  | 'UNSUPPORTED_FORMAT'
  | 'CORRUPT_FILE'
  | 'INVALID_ANNOTATION'
  | 'UNKNOWN_LABEL'
  | 'INVALID_MIDI'
  | 'INVALID_WEIGHTS'
  | 'INVALID_MODEL_CONFIG'
  | 'NON_FINITE'
  | 'IO_ERROR'
  | 'BACKEND_UNAVAILABLE';

export interface AdtErrorDetails {
  /** File the problem was found in, when there is one. */
  file?: string;
  /** 1-based line number in a text file. */
  line?: number;
  /** Byte offset in a binary file. */
  offset?: number;
  /** Name of the argument or field at fault. */
  field?: string;
  /** Underlying error, kept for debugging. */
  cause?: unknown;
}

/** Base class of all adtkit errors. */
export class AdtError extends Error {
  readonly code: AdtErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly offset?: number;
  readonly field?: string;

  constructor(code: AdtErrorCode, message: string, details: AdtErrorDetails = {}) {
    super(message, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = new.target.name;
    this.code = code;
    this.file = details.file;
    this.line = details.line;
    this.offset = details.offset;
    this.field = details.field;
  }
}

/** An argument has a wrong type or a value outside its allowed range. */
export class InvalidArgumentError extends AdtError {
  constructor(message: string, details: AdtErrorDetails = {}) {
    super('INVALID_ARGUMENT', message, details);
  }
}

/** An array or tensor has the wrong shape or length. */
export class ShapeError extends AdtError {
  constructor(message: string, details: AdtErrorDetails = {}) {
    super('INVALID_SHAPE', message, details);
  }
}

/** Samples or activations contain NaN or infinite values. */
export class NonFiniteError extends AdtError {
  constructor(message: string, details: AdtErrorDetails = {}) {
    super('NON_FINITE', message, details);
  }
}

/** Audio that cannot be used: empty, zero sample rate, or otherwise invalid. */
export class AudioError extends AdtError {
  constructor(message: string, details: AdtErrorDetails = {}) {
    super('INVALID_AUDIO', message, details);
  }
}

/** A file whose format adtkit does not recognise or support. */
export class UnsupportedFormatError extends AdtError {
  constructor(message: string, details: AdtErrorDetails = {}) {
    super('UNSUPPORTED_FORMAT', message, details);
  }
}

/** A file that is truncated or whose structure is broken. */
export class CorruptFileError extends AdtError {
  constructor(message: string, details: AdtErrorDetails = {}) {
    super('CORRUPT_FILE', message, details);
  }
}

/** A malformed line in a text annotation file. */
export class AnnotationError extends AdtError {
  constructor(message: string, details: AdtErrorDetails = {}) {
    super('INVALID_ANNOTATION', message, details);
  }
}

/** A label that the class mapping does not know. */
export class UnknownLabelError extends AdtError {
  readonly label: string;
  constructor(label: string, message: string, details: AdtErrorDetails = {}) {
    super('UNKNOWN_LABEL', message, details);
    this.label = label;
  }
}

/** A MIDI file that cannot be parsed. */
export class MidiError extends AdtError {
  constructor(message: string, details: AdtErrorDetails = {}) {
    super('INVALID_MIDI', message, details);
  }
}

/** Model weights that do not fit the model (names, shapes, dtypes). */
export class WeightsError extends AdtError {
  constructor(message: string, details: AdtErrorDetails = {}) {
    super('INVALID_WEIGHTS', message, details);
  }
}

/** Model options outside the allowed values. */
export class ModelConfigError extends AdtError {
  constructor(message: string, details: AdtErrorDetails = {}) {
    super('INVALID_MODEL_CONFIG', message, details);
  }
}

/** A file or URL that cannot be read or written (missing, unreadable, not Node). */
export class IoError extends AdtError {
  constructor(message: string, details: AdtErrorDetails = {}) {
    super('IO_ERROR', message, details);
  }
}

/** A TensorFlow.js backend (or a kernel of it) that a call needs is not registered or not usable. */
export class BackendError extends AdtError {
  constructor(message: string, details: AdtErrorDetails = {}) {
    super('BACKEND_UNAVAILABLE', message, details);
  }
}
