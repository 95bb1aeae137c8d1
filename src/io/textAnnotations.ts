/**
 * Text onset annotations (SPEC §3): one onset per line, `time label`, separated by spaces
 * and/or tabs, with stray whitespace around (MDB writes `0.528254 \t SD `, ENST `0.010 bd`).
 */
import { AnnotationError, InvalidArgumentError, UnknownLabelError } from '../errors.js';
import type { DrumEvent } from '../types.js';
import { BUILTIN_MAPPINGS, DEFAULT_MAPPING } from './builtinMappings.js';
import { classIndexOfLabel, resolveMapping, type ClassMapping, type UnknownLabelPolicy } from './mappings.js';

/**
 * Label suffix handling: `'strip'` removes **one** trailing `-` or digit before the lookup,
 * as the thesis reference does for every label (`sd-` → `sd`, `cr1` → `cr`, `c44` → `c4`);
 * `'keep'` looks labels up as written (for vocabularies whose labels end in digits).
 */
export type LabelSuffixPolicy = 'strip' | 'keep';

/** Options of {@link parseTextAnnotations}. */
export interface ParseTextAnnotationsOptions {
  /** Label → class mapping. @defaultValue `DEFAULT_MAPPING` (labels KD, SD, TT, HH, CY) */
  mapping?: ClassMapping;
  /** File name used in error messages and `AdtError.file`. @defaultValue `"<text>"` */
  file?: string;
  /** Unknown labels: throw {@link UnknownLabelError} or skip (and report) them. @defaultValue `mapping.unknownLabels` */
  unknownLabels?: UnknownLabelPolicy;
  /** See {@link LabelSuffixPolicy}. @defaultValue `'strip'` */
  labelSuffix?: LabelSuffixPolicy;
}

/** A line whose label produced no event. */
export interface SkippedAnnotation {
  /** 1-based line number. */
  line: number;
  /** The label as written in the file. */
  label: string;
  /** Onset time [s]. */
  timeSeconds: number;
  /** `'ignored'`: the mapping maps the label to null; `'unknown'`: the mapping does not list it. */
  reason: 'ignored' | 'unknown';
}

/** Result of {@link parseTextAnnotations}. */
export interface TextAnnotationsResult {
  /** Onsets sorted by time (ties keep file order), with `className` set. */
  events: DrumEvent[];
  /** The mapping's class names (index = `classIndex`). */
  classNames: readonly string[];
  /** Lines that produced no event, in file order. */
  skipped: SkippedAnnotation[];
  /** Human-readable summary of skipped unknown labels (empty when there are none). */
  warnings: string[];
}

/** A decimal number as Python's `float()` would read it (no inf/nan/underscores/hex). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SUFFIX = /[-0-9]$/;

function describeLabel(raw: string, looked: string): string {
  return raw === looked ? `"${raw}"` : `"${raw}" (looked up as "${looked}" after stripping its trailing "${raw.slice(-1)}")`;
}

/** A guess at the mistake behind an unknown label, for the error message. */
function guessMistake(mapping: ClassMapping, looked: string): string {
  const known = Object.keys(mapping.labels);
  const sameCase = known.find((k) => k.toLowerCase() === looked.toLowerCase());
  if (sameCase !== undefined) return ` Did you mean "${sameCase}"? Labels are case-sensitive.`;
  for (const other of Object.values(BUILTIN_MAPPINGS)) {
    if (other !== mapping && Object.prototype.hasOwnProperty.call(other.labels, looked)) {
      return ` The built-in mapping "${other.name}" knows it: wrong mapping for this file?`;
    }
  }
  if (known.length === 0) return ` Mapping "${mapping.name}" has no text labels (a MIDI-only mapping?).`;
  return '';
}

/**
 * Parses a text annotation file into onset events.
 *
 * Each non-blank line is `time label`: the time in seconds (a decimal number) and a label,
 * separated by spaces and/or tabs; leading/trailing whitespace is ignored. Blank lines and
 * lines starting with `#` are skipped. Line endings `\n`, `\r\n` or `\r`; a UTF-8 BOM is
 * ignored. With `labelSuffix: 'strip'` one trailing `-` or digit is removed from the label
 * before the lookup, as the thesis reference does.
 *
 * @param text - file contents (a string, or UTF-8 bytes)
 * @param options - see {@link ParseTextAnnotationsOptions}
 * @returns events sorted by time, the vocabulary, and the skipped lines
 * @throws {@link AnnotationError} (code `INVALID_ANNOTATION`) for a line that is not
 *   `time label`, a malformed time, or a negative or non-finite time; names file and line
 * @throws {@link UnknownLabelError} (code `UNKNOWN_LABEL`) for a label the mapping does not
 *   list, unless unknown labels are skipped; names file, line and label
 * @throws {@link InvalidArgumentError} for invalid options
 * @example
 * ```ts
 * const { events } = parseTextAnnotations('0.528254 \t SD \n1.000 \t CHH \n', { mapping: MDB_MAPPING });
 * // [{ timeSeconds: 0.528254, classIndex: 1, className: 'SD' }, { timeSeconds: 1, classIndex: 3, className: 'HH' }]
 * ```
 */
export function parseTextAnnotations(text: string | Uint8Array, options: ParseTextAnnotationsOptions = {}): TextAnnotationsResult {
  const fn = 'parseTextAnnotations';
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(`${fn}: options must be an object, got ${options === null ? 'null' : typeof options}`, { field: 'options' });
  }
  const mapping = resolveMapping(options.mapping ?? DEFAULT_MAPPING, 'mapping');
  const file = options.file ?? '<text>';
  const unknownLabels = options.unknownLabels ?? mapping.unknownLabels;
  if (unknownLabels !== 'error' && unknownLabels !== 'skip') {
    throw new InvalidArgumentError(`${fn}: unknownLabels must be 'error' or 'skip', got ${JSON.stringify(unknownLabels)}`, { field: 'unknownLabels' });
  }
  const labelSuffix = options.labelSuffix ?? 'strip';
  if (labelSuffix !== 'strip' && labelSuffix !== 'keep') {
    throw new InvalidArgumentError(`${fn}: labelSuffix must be 'strip' or 'keep', got ${JSON.stringify(labelSuffix)}`, { field: 'labelSuffix' });
  }
  let content: string;
  if (typeof text === 'string') content = text;
  else if (text instanceof Uint8Array) content = new TextDecoder('utf-8').decode(text);
  else {
    throw new InvalidArgumentError(`${fn}: text must be a string or a Uint8Array, got ${text === null ? 'null' : typeof text}`, { field: 'text', file });
  }
  if (content.charCodeAt(0) === 0xfeff) content = content.slice(1);

  const events: DrumEvent[] = [];
  const skipped: SkippedAnnotation[] = [];
  const lines = content.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    if (fields.length !== 2) {
      throw new AnnotationError(
        `${file}:${lineNo}: expected "time label" (2 fields separated by spaces or tabs), found ${fields.length} field(s): ${JSON.stringify(lines[i].slice(0, 80))}`,
        { file, line: lineNo },
      );
    }
    const [timeText, label] = fields;
    if (!DECIMAL.test(timeText)) {
      throw new AnnotationError(
        `${file}:${lineNo}: malformed time ${JSON.stringify(timeText.slice(0, 40))}, expected a decimal number of seconds such as 0.528254` +
          (DECIMAL.test(label) ? ' (are the columns swapped? the time comes first)' : ''),
        { file, line: lineNo },
      );
    }
    const timeSeconds = Number(timeText);
    if (!Number.isFinite(timeSeconds)) {
      throw new AnnotationError(`${file}:${lineNo}: time ${timeText} is not finite`, { file, line: lineNo });
    }
    if (timeSeconds < 0) {
      throw new AnnotationError(`${file}:${lineNo}: negative time ${timeText} s; onset times must be >= 0`, { file, line: lineNo });
    }
    const looked = labelSuffix === 'strip' && SUFFIX.test(label) ? label.slice(0, -1) : label;
    const classIndex = classIndexOfLabel(mapping, looked);
    if (classIndex === undefined) {
      if (unknownLabels === 'skip') {
        skipped.push({ line: lineNo, label, timeSeconds, reason: 'unknown' });
        continue;
      }
      throw new UnknownLabelError(
        label,
        `${file}:${lineNo}: unknown label ${describeLabel(label, looked)} for mapping "${mapping.name}" ` +
          `(known labels: ${Object.keys(mapping.labels).join(', ') || 'none'}).${guessMistake(mapping, looked)} ` +
          `Pass unknownLabels: 'skip' to skip unknown labels.`,
        { file, line: lineNo },
      );
    }
    if (classIndex === null) {
      skipped.push({ line: lineNo, label, timeSeconds, reason: 'ignored' });
      continue;
    }
    events.push({ timeSeconds, classIndex, className: mapping.classNames[classIndex] });
  }
  // Array.prototype.sort is stable (ES2019), so equal times keep file order.
  events.sort((a, b) => a.timeSeconds - b.timeSeconds);

  const warnings: string[] = [];
  const unknown = skipped.filter((s) => s.reason === 'unknown');
  if (unknown.length > 0) {
    const labels = [...new Set(unknown.map((s) => s.label))];
    warnings.push(`${file}: skipped ${unknown.length} onset(s) with label(s) unknown to mapping "${mapping.name}": ${labels.join(', ')}`);
  }
  return { events, classNames: mapping.classNames, skipped, warnings };
}
