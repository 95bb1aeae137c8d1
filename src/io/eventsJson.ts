/**
 * Events ↔ JSON, with a stable, versioned schema:
 *
 * ```json
 * {
 *   "format": "adtkit-events",
 *   "version": 1,
 *   "classNames": ["KD", "SD", "TT", "HH", "CY"],
 *   "events": [
 *     { "timeSeconds": 0.5, "classIndex": 0, "className": "KD", "velocity": 0.787 }
 *   ]
 * }
 * ```
 *
 * - `format` is always `"adtkit-events"`; `version` is 1 (a reader rejects versions it does not know);
 * - `classNames`: the vocabulary, index = `classIndex`;
 * - `events`: sorted by time; `timeSeconds` [s] ≥ 0 (full double precision);
 *   `classIndex` an integer in `[0, classNames.length)`; `className` = `classNames[classIndex]`;
 *   `velocity` in [0, 1], present only when known.
 */
import { AnnotationError, InvalidArgumentError } from '../errors.js';
import { DEFAULT_CLASS_NAMES, type DrumEvent } from '../types.js';
import { validateEvents } from './targets.js';

/** Value of the `format` field. */
export const EVENTS_JSON_FORMAT = 'adtkit-events';
/** Current schema version written by {@link eventsToJson}. */
export const EVENTS_JSON_VERSION = 1;

/** The JSON document (schema version 1). */
export interface EventsJsonDocument {
  format: typeof EVENTS_JSON_FORMAT;
  version: 1;
  classNames: string[];
  events: { timeSeconds: number; classIndex: number; className: string; velocity?: number }[];
}

/** Options of {@link eventsToJson}. */
export interface EventsToJsonOptions {
  /** The vocabulary (index = `classIndex`). @defaultValue `DEFAULT_CLASS_NAMES` */
  classNames?: readonly string[];
  /** Indentation passed to `JSON.stringify` (0 = one line). @defaultValue 2 */
  indent?: number;
}

/**
 * Serialises onset events to the versioned JSON schema described in this module.
 *
 * @param events - onsets; `timeSeconds` [s] ≥ 0; `classIndex` in `[0, classNames.length)`
 * @param options - see {@link EventsToJsonOptions}
 * @returns the JSON text (events sorted by time, ties in input order)
 * @throws {@link InvalidArgumentError} for malformed events, or an event whose `className`
 *   disagrees with `classNames[classIndex]`
 */
export function eventsToJson(events: readonly DrumEvent[], options: EventsToJsonOptions = {}): string {
  const fn = 'eventsToJson';
  const classNames = options.classNames ?? DEFAULT_CLASS_NAMES;
  if (!Array.isArray(classNames) || classNames.length === 0 || !classNames.every((c) => typeof c === 'string')) {
    throw new InvalidArgumentError(`${fn}: classNames must be a non-empty array of strings`, { field: 'classNames' });
  }
  validateEvents(events, classNames.length, fn);
  const doc: EventsJsonDocument = {
    format: EVENTS_JSON_FORMAT,
    version: EVENTS_JSON_VERSION,
    classNames: [...classNames],
    events: [...events]
      .map((e, i) => {
        const name = classNames[e.classIndex];
        if (e.className !== undefined && e.className !== name) {
          throw new InvalidArgumentError(
            `${fn}: events[${i}].className is "${e.className}" but classNames[${e.classIndex}] is "${name}"; pass the vocabulary the events use`,
            { field: `events[${i}].className` },
          );
        }
        const out: EventsJsonDocument['events'][number] = { timeSeconds: e.timeSeconds, classIndex: e.classIndex, className: name };
        if (e.velocity !== undefined) out.velocity = e.velocity;
        return out;
      })
      .sort((a, b) => a.timeSeconds - b.timeSeconds),
  };
  return JSON.stringify(doc, null, options.indent ?? 2);
}

/** Options of {@link parseEventsJson}. */
export interface ParseEventsJsonOptions {
  /** File name used in error messages. @defaultValue `"<json>"` */
  file?: string;
}

/** Result of {@link parseEventsJson}. */
export interface EventsJsonResult {
  /** Onsets in file order, with `className` (and `velocity` when present). */
  events: DrumEvent[];
  /** The vocabulary. */
  classNames: string[];
}

/**
 * Reads a JSON document written by {@link eventsToJson}, validating every field.
 *
 * @param text - the JSON text
 * @param options - see {@link ParseEventsJsonOptions}
 * @returns the events and the vocabulary
 * @throws {@link AnnotationError} (code `INVALID_ANNOTATION`) for invalid JSON, another
 *   format, an unknown version or an invalid field, naming the field
 */
export function parseEventsJson(text: string, options: ParseEventsJsonOptions = {}): EventsJsonResult {
  const file = options.file ?? '<json>';
  const fail = (message: string, field?: string): never => {
    throw new AnnotationError(`${file}: ${message}`, { file, field });
  };
  if (typeof text !== 'string') fail(`expected JSON text, got ${text === null ? 'null' : typeof text}`);
  let doc: any;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new AnnotationError(`${file}: not valid JSON: ${(e as Error).message}`, { file, cause: e });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail('expected a JSON object with format "adtkit-events"');
  if (doc.format !== EVENTS_JSON_FORMAT) fail(`format is ${JSON.stringify(doc.format)}, expected "${EVENTS_JSON_FORMAT}"`, 'format');
  if (doc.version !== EVENTS_JSON_VERSION) {
    fail(`version ${JSON.stringify(doc.version)} is not supported (this adtkit reads version ${EVENTS_JSON_VERSION})`, 'version');
  }
  const classNames = doc.classNames;
  if (!Array.isArray(classNames) || classNames.length === 0 || !classNames.every((c: unknown) => typeof c === 'string')) {
    fail('classNames must be a non-empty array of strings', 'classNames');
  }
  if (!Array.isArray(doc.events)) fail('events must be an array', 'events');
  const events: DrumEvent[] = doc.events.map((e: any, i: number) => {
    const field = `events[${i}]`;
    if (typeof e !== 'object' || e === null) fail(`${field} must be an object`, field);
    const { timeSeconds, classIndex, className, velocity } = e;
    if (typeof timeSeconds !== 'number' || !Number.isFinite(timeSeconds) || timeSeconds < 0) {
      fail(`${field}.timeSeconds must be a finite time >= 0 [s], got ${JSON.stringify(timeSeconds)}`, `${field}.timeSeconds`);
    }
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= classNames.length) {
      fail(`${field}.classIndex must be an integer in [0, ${classNames.length}), got ${JSON.stringify(classIndex)}`, `${field}.classIndex`);
    }
    if (className !== undefined && className !== classNames[classIndex]) {
      fail(`${field}.className ${JSON.stringify(className)} disagrees with classNames[${classIndex}] = ${JSON.stringify(classNames[classIndex])}`, `${field}.className`);
    }
    if (velocity !== undefined && (typeof velocity !== 'number' || !(velocity >= 0 && velocity <= 1))) {
      fail(`${field}.velocity must be in [0, 1], got ${JSON.stringify(velocity)}`, `${field}.velocity`);
    }
    const out: DrumEvent = { timeSeconds, classIndex, className: classNames[classIndex] };
    if (velocity !== undefined) out.velocity = velocity;
    return out;
  });
  return { events, classNames: [...classNames] };
}
