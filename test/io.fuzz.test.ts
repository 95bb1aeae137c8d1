/**
 * Property-based tests (fast-check): the text and MIDI annotation parsers, fed random and
 * mutated valid inputs, either return a valid result or throw an AdtError — never another
 * exception, never a hang.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AdtError } from '../src/errors.js';
import {
  ENST_MAPPING,
  MDB_MAPPING,
  THESIS_GM_MAPPING,
  eventsToMidi,
  parseMidiAnnotations,
  parseTextAnnotations,
  type ClassMapping,
} from '../src/io/index.js';
import type { DrumEvent } from '../src/types.js';

const NUM_RUNS = 400;
/** Per-call limit; a parser that loops on some input fails here instead of hanging. */
const MAX_CALL_MS = 500;

function checkEvents(events: DrumEvent[], classNames: readonly string[]): void {
  let last = -Infinity;
  for (const e of events) {
    expect(Number.isFinite(e.timeSeconds) && e.timeSeconds >= 0).toBe(true);
    expect(e.timeSeconds).toBeGreaterThanOrEqual(last);
    last = e.timeSeconds;
    expect(Number.isInteger(e.classIndex) && e.classIndex >= 0 && e.classIndex < classNames.length).toBe(true);
    expect(e.className).toBe(classNames[e.classIndex]);
  }
}

/** Runs `parse`, accepting a result that passes `check` or an AdtError, within MAX_CALL_MS. */
function validOrAdtError<T>(parse: () => T, check: (r: T) => void): void {
  const start = performance.now();
  let result: T | undefined;
  try {
    result = parse();
  } catch (e) {
    if (!(e instanceof AdtError)) throw new Error(`not an AdtError: ${String(e)}`, { cause: e });
    expect(typeof e.code).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
  }
  expect(performance.now() - start).toBeLessThan(MAX_CALL_MS);
  if (result !== undefined) check(result);
}

// ---------------------------------------------------------------- text

const MAPPINGS: ClassMapping[] = [MDB_MAPPING, ENST_MAPPING];
const labelArb = fc.oneof(
  fc.constantFrom(...Object.keys(MDB_MAPPING.labels), ...Object.keys(ENST_MAPPING.labels), 'cr1', 'sd-', 'OT', '__proto__', 'constructor'),
  fc.string({ maxLength: 6 }),
);
const timeArb = fc.oneof(
  fc.double({ min: 0, max: 1000, noNaN: true }).map((t) => t.toFixed(6)),
  fc.double().map(String),
  fc.constantFrom('', '-0', '-1.5', 'nan', 'inf', '1e999', '.', '1.2.3', '0x1F', '+.5', '5.', '1e-3'),
  fc.string({ maxLength: 8 }),
);
const spaceArb = fc.constantFrom(' ', '\t', ' \t ', '', '  ', '\u00a0', '\v');
const lineArb = fc.tuple(spaceArb, timeArb, spaceArb, labelArb, spaceArb).map((parts) => parts.join(''));
const eolArb = fc.constantFrom('\n', '\r\n', '\r');
const structuredTextArb = fc.tuple(fc.array(lineArb, { maxLength: 30 }), eolArb).map(([lines, eol]) => lines.join(eol));

/** A valid MDB subclass file. */
const validMdbTextArb = fc
  .array(fc.tuple(fc.double({ min: 0, max: 300, noNaN: true }), fc.constantFrom(...Object.keys(MDB_MAPPING.labels))), { minLength: 1, maxLength: 40 })
  .map((rows) => rows.map(([t, l]) => `${t.toFixed(6)} \t ${l} `).join('\n') + '\n');

/** Mutations of a string: replace a range, insert, delete, duplicate. */
const mutatedTextArb = fc
  .tuple(validMdbTextArb, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 8 }), fc.string({ maxLength: 6, unit: 'binary' })), { minLength: 1, maxLength: 5 }))
  .map(([text, edits]) => {
    let s = text;
    for (const [pos, len, insert] of edits) {
      const at = pos % (s.length + 1);
      s = s.slice(0, at) + insert + s.slice(at + len);
    }
    return s;
  });

describe('fuzz: parseTextAnnotations', () => {
  const property = (text: string, mapping: ClassMapping, skip: boolean) =>
    validOrAdtError(
      () => parseTextAnnotations(text, { mapping, file: 'fuzz.txt', unknownLabels: skip ? 'skip' : 'error' }),
      (r) => {
        checkEvents(r.events, r.classNames);
        for (const s of r.skipped) expect(Number.isInteger(s.line) && s.line >= 1).toBe(true);
      },
    );

  it('random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: 'binary' }), fc.constantFrom(...MAPPINGS), fc.boolean(), property),
      { numRuns: NUM_RUNS },
    );
  });

  it('random lines of times and labels', () => {
    fc.assert(fc.property(structuredTextArb, fc.constantFrom(...MAPPINGS), fc.boolean(), property), { numRuns: NUM_RUNS });
  });

  it('mutated valid MDB files', () => {
    fc.assert(fc.property(mutatedTextArb, fc.boolean(), (text, skip) => property(text, MDB_MAPPING, skip)), { numRuns: NUM_RUNS });
  });

  it('valid MDB files always parse, one event per line', () => {
    fc.assert(
      fc.property(validMdbTextArb, (text) => {
        const r = parseTextAnnotations(text, { mapping: MDB_MAPPING });
        expect(r.events.length).toBe(text.trim().split('\n').length);
        checkEvents(r.events, r.classNames);
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------- MIDI

const eventArb = fc.record({
  timeSeconds: fc.double({ min: 0, max: 120, noNaN: true }),
  classIndex: fc.integer({ min: 0, max: 4 }),
  velocity: fc.integer({ min: 1, max: 127 }).map((v) => v / 127),
});
const validMidiArb = fc
  .tuple(fc.array(eventArb, { maxLength: 30 }), fc.constantFrom(96, 480, 960), fc.integer({ min: 40, max: 240 }))
  .map(([events, ticksPerBeat, tempoBpm]) => eventsToMidi(events, { ticksPerBeat, tempoBpm }));

/** Byte-level mutations: overwrite, insert, delete, truncate. */
const mutatedMidiArb = fc
  .tuple(
    validMidiArb,
    fc.array(
      fc.oneof(
        fc.record({ kind: fc.constant('set' as const), pos: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.uint8Array({ maxLength: 6 }) }),
        fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 6 }) }),
        fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([bytes, edits]) => {
    let b = Array.from(bytes);
    for (const e of edits) {
      const at = e.pos % (b.length + 1);
      if (e.kind === 'set') {
        if (at < b.length) b[at] = e.value;
      } else if (e.kind === 'insert') b = [...b.slice(0, at), ...e.bytes, ...b.slice(at)];
      else if (e.kind === 'delete') b.splice(at, e.len);
      else b = b.slice(0, at);
    }
    return Uint8Array.from(b);
  });

const HEADER = [0x4d, 0x54, 0x68, 0x64, 0, 0, 0, 6];
const TRACK = [0x4d, 0x54, 0x72, 0x6b];

describe('fuzz: parseMidiAnnotations', () => {
  const property = (bytes: Uint8Array) =>
    validOrAdtError(
      () => parseMidiAnnotations(bytes, { mapping: THESIS_GM_MAPPING, file: 'fuzz.mid' }),
      (r) => {
        checkEvents(r.events, r.classNames);
        for (const e of r.events) {
          expect(e.velocity > 0 && e.velocity <= 1).toBe(true);
          expect(Number.isInteger(e.pitch) && e.pitch >= 0 && e.pitch <= 127).toBe(true);
          expect(Number.isInteger(e.channel) && e.channel >= 1 && e.channel <= 16).toBe(true);
        }
        expect(Number.isFinite(r.durationSeconds)).toBe(true);
      },
    );

  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), property), { numRuns: NUM_RUNS });
  });

  it('a valid header followed by random track data', () => {
    const arb = fc
      .tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 120 }), fc.integer({ min: 0, max: 140 }))
      .map(([format, tracks, division, data, declared]) =>
        Uint8Array.from([...HEADER, 0, format, 0, tracks, division >> 8, division & 0xff, ...TRACK, 0, 0, 0, declared, ...data]),
      );
    fc.assert(fc.property(arb, property), { numRuns: NUM_RUNS });
  });

  it('mutated valid files', () => {
    fc.assert(fc.property(mutatedMidiArb, property), { numRuns: NUM_RUNS });
  });

  it('valid files always parse', () => {
    fc.assert(
      fc.property(validMidiArb, (bytes) => {
        const r = parseMidiAnnotations(bytes);
        checkEvents(r.events, r.classNames);
      }),
      { numRuns: 100 },
    );
  });
});
