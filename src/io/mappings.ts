/**
 * Class mappings as data: an ordered vocabulary of class names, plus tables from
 * text-annotation labels and from MIDI pitches to those classes.
 *
 * Conventions (SPEC §3):
 * - class index = position in `classNames`;
 * - a label or pitch mapped to `null` is known but ignored (skipped without an error);
 * - a label missing from the table is unknown: an error, unless `unknownLabels` is `'skip'`;
 * - a MIDI pitch missing from the table is skipped and reported (the thesis reference prints it).
 */
import { InvalidArgumentError } from '../errors.js';

/** What to do with a text label that the mapping does not list. */
export type UnknownLabelPolicy = 'error' | 'skip';

/** Plain-data description of a mapping, as accepted by {@link defineMapping}. */
export interface ClassMappingSpec {
  /** Short name used in messages (e.g. `"mdb"`). @defaultValue `"custom"` */
  name?: string;
  /** Ordered class names; the class index of a name is its position. Unique, non-empty, no whitespace. */
  classNames: readonly string[];
  /** Text label → class name, or `null` for a known label to skip. @defaultValue `{}` */
  labels?: Readonly<Record<string, string | null>>;
  /** MIDI pitch (0..127, as number or decimal string key) → class name, or `null` to skip. @defaultValue `{}` */
  pitches?: Readonly<Record<number | string, string | null>>;
  /** Unknown text labels: throw {@link UnknownLabelError} or skip them. @defaultValue `"error"` */
  unknownLabels?: UnknownLabelPolicy;
}

/** A validated, frozen class mapping (create one with {@link defineMapping}). */
export interface ClassMapping {
  /** Short name used in messages. */
  readonly name: string;
  /** Ordered class names (the vocabulary); index = class index. */
  readonly classNames: readonly string[];
  /** Text label → class name or `null` (known, skipped). Null-prototype object. */
  readonly labels: Readonly<Record<string, string | null>>;
  /** MIDI pitch → class name or `null` (known, skipped). Null-prototype object. */
  readonly pitches: Readonly<Record<number, string | null>>;
  /** What text parsers do with labels absent from `labels`. */
  readonly unknownLabels: UnknownLabelPolicy;
}

/** Compiled lookups, cached per mapping object. */
interface CompiledMapping {
  labels: Map<string, number | null>;
  pitches: Map<number, number | null>;
}

const compiled = new WeakMap<ClassMapping, CompiledMapping>();
/** Mappings produced by defineMapping (already validated). */
const defined = new WeakSet<ClassMapping>();

function compile(mapping: ClassMapping): CompiledMapping {
  let c = compiled.get(mapping);
  if (c === undefined) {
    const index = new Map(mapping.classNames.map((name, i) => [name, i] as const));
    const resolve = (cls: string | null): number | null => (cls === null ? null : (index.get(cls) as number));
    c = {
      labels: new Map(Object.keys(mapping.labels).map((k) => [k, resolve(mapping.labels[k])] as const)),
      pitches: new Map(Object.keys(mapping.pitches).map((k) => [Number(k), resolve(mapping.pitches[Number(k)])] as const)),
    };
    compiled.set(mapping, c);
  }
  return c;
}

/**
 * Class index of a text label.
 *
 * @param mapping - the class mapping
 * @param label - the label exactly as it should be looked up (no suffix stripping here)
 * @returns the class index, `null` if the label is known but ignored, `undefined` if unknown
 */
export function classIndexOfLabel(mapping: ClassMapping, label: string): number | null | undefined {
  const map = compile(resolveMapping(mapping, 'mapping')).labels;
  return map.has(label) ? map.get(label)! : undefined;
}

/**
 * Class index of a MIDI pitch.
 *
 * @param mapping - the class mapping
 * @param pitch - MIDI note number 0..127
 * @returns the class index, `null` if the pitch is known but ignored, `undefined` if unknown
 */
export function classIndexOfPitch(mapping: ClassMapping, pitch: number): number | null | undefined {
  const map = compile(resolveMapping(mapping, 'mapping')).pitches;
  return map.has(pitch) ? map.get(pitch)! : undefined;
}

const WHITESPACE = /\s/;

/**
 * Validates a mapping description and returns a frozen {@link ClassMapping}.
 *
 * Checks: `classNames` is a non-empty array of unique, non-empty strings without whitespace;
 * every label is a non-empty string without whitespace (text lines are split on whitespace,
 * so such a label could never match); every pitch key is an integer 0..127; every target is
 * one of `classNames` or `null`.
 *
 * @param spec - the mapping as plain data
 * @returns the validated mapping (a new frozen object; `spec` is not modified)
 * @throws {@link InvalidArgumentError} naming the offending field and value
 * @example
 * ```ts
 * // 3-class vocabulary (kick, snare, hi-hat) from General MIDI pitches; toms and cymbals ignored
 * const threeClass = defineMapping({
 *   name: 'gm-3',
 *   classNames: ['KD', 'SD', 'HH'],
 *   pitches: { 35: 'KD', 36: 'KD', 37: 'SD', 38: 'SD', 40: 'SD', 42: 'HH', 44: 'HH', 46: 'HH',
 *              41: null, 43: null, 45: null, 47: null, 48: null, 50: null,
 *              49: null, 51: null, 52: null, 53: null, 55: null, 57: null, 59: null },
 *   labels: { KD: 'KD', SD: 'SD', HH: 'HH', TT: null, CY: null },
 * });
 * ```
 */
export function defineMapping(spec: ClassMappingSpec): ClassMapping {
  if (typeof spec !== 'object' || spec === null) {
    throw new InvalidArgumentError(`defineMapping: expected a mapping object, got ${spec === null ? 'null' : typeof spec}`, { field: 'spec' });
  }
  const name = spec.name ?? 'custom';
  if (typeof name !== 'string') {
    throw new InvalidArgumentError(`defineMapping: name must be a string, got ${typeof name}`, { field: 'name' });
  }
  const where = `mapping "${name}"`;
  const { classNames } = spec;
  if (!Array.isArray(classNames) || classNames.length === 0) {
    throw new InvalidArgumentError(`${where}: classNames must be a non-empty array of class names, got ${JSON.stringify(classNames)}`, { field: 'classNames' });
  }
  const seen = new Set<string>();
  for (let i = 0; i < classNames.length; i++) {
    const c = classNames[i];
    if (typeof c !== 'string' || c.length === 0 || WHITESPACE.test(c)) {
      throw new InvalidArgumentError(`${where}: classNames[${i}] must be a non-empty string without whitespace, got ${JSON.stringify(c)}`, { field: `classNames[${i}]` });
    }
    if (seen.has(c)) {
      throw new InvalidArgumentError(`${where}: class name "${c}" appears twice in classNames (index ${classNames.indexOf(c)} and ${i})`, { field: `classNames[${i}]` });
    }
    seen.add(c);
  }
  const checkTarget = (target: unknown, field: string): string | null => {
    if (target === null) return null;
    if (typeof target === 'string' && seen.has(target)) return target;
    throw new InvalidArgumentError(
      `${where}: ${field} maps to ${JSON.stringify(target)}, which is not one of classNames ${JSON.stringify(classNames)} (or null to skip)` +
        (typeof target === 'number' ? '; give the class name, not its index' : ''),
      { field },
    );
  };

  const labels: Record<string, string | null> = Object.create(null);
  const labelSpec = spec.labels ?? {};
  if (typeof labelSpec !== 'object' || labelSpec === null || Array.isArray(labelSpec)) {
    throw new InvalidArgumentError(`${where}: labels must be an object { label: className | null }`, { field: 'labels' });
  }
  for (const label of Object.keys(labelSpec)) {
    if (label.length === 0 || WHITESPACE.test(label)) {
      throw new InvalidArgumentError(`${where}: label ${JSON.stringify(label)} is empty or contains whitespace; text lines are split on whitespace so it could never match`, { field: 'labels' });
    }
    labels[label] = checkTarget(labelSpec[label], `labels[${JSON.stringify(label)}]`);
  }

  const pitches: Record<number, string | null> = Object.create(null);
  const pitchSpec = spec.pitches ?? {};
  if (typeof pitchSpec !== 'object' || pitchSpec === null || Array.isArray(pitchSpec)) {
    throw new InvalidArgumentError(`${where}: pitches must be an object { pitch: className | null }`, { field: 'pitches' });
  }
  for (const key of Object.keys(pitchSpec)) {
    const pitch = Number(key);
    if (!/^\d{1,3}$/.test(key) || !Number.isInteger(pitch) || pitch < 0 || pitch > 127) {
      throw new InvalidArgumentError(`${where}: pitch key ${JSON.stringify(key)} is not a MIDI note number (integer 0..127)`, { field: 'pitches' });
    }
    pitches[pitch] = checkTarget((pitchSpec as Record<string, string | null>)[key], `pitches[${pitch}]`);
  }

  const unknownLabels = spec.unknownLabels ?? 'error';
  if (unknownLabels !== 'error' && unknownLabels !== 'skip') {
    throw new InvalidArgumentError(`${where}: unknownLabels must be "error" or "skip", got ${JSON.stringify(unknownLabels)}`, { field: 'unknownLabels' });
  }

  const mapping: ClassMapping = Object.freeze({
    name,
    classNames: Object.freeze([...classNames]),
    labels: Object.freeze(labels),
    pitches: Object.freeze(pitches),
    unknownLabels,
  });
  defined.add(mapping);
  return mapping;
}

/**
 * The mapping as plain JSON-serialisable data (inverse of {@link defineMapping}).
 *
 * @param mapping - a mapping
 * @returns a new spec object with ordinary prototypes; pitch keys become decimal strings in JSON
 */
export function mappingToSpec(mapping: ClassMapping): Required<ClassMappingSpec> {
  return {
    name: mapping.name,
    classNames: [...mapping.classNames],
    labels: { ...mapping.labels },
    pitches: { ...mapping.pitches },
    unknownLabels: mapping.unknownLabels,
  };
}

/**
 * Returns `value` if {@link defineMapping} made it, otherwise validates it as a
 * {@link ClassMappingSpec} (so a hand-built object cannot reach the lookups unchecked).
 * @internal
 */
export function resolveMapping(value: unknown, field: string): ClassMapping {
  if (typeof value === 'object' && value !== null && defined.has(value as ClassMapping)) return value as ClassMapping;
  if (typeof value !== 'object' || value === null) {
    throw new InvalidArgumentError(
      `${field} must be a ClassMapping (from defineMapping or a built-in such as MDB_MAPPING), got ${value === null ? 'null' : typeof value}`,
      { field },
    );
  }
  return defineMapping(value as ClassMappingSpec);
}
