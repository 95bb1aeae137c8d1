/**
 * Class mappings and text annotations: user vocabularies, ENST/MDB styles, the MDB Drums dev
 * files, and every error path (typed errors naming file and line).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnnotationError, InvalidArgumentError, UnknownLabelError } from '../src/errors.js';
import {
  ADTOF_MAPPING,
  BUILTIN_MAPPINGS,
  DEFAULT_MAPPING,
  ENST_MAPPING,
  MDB_CLASS_MAPPING,
  MDB_MAPPING,
  THESIS_GM_MAPPING,
  classIndexOfLabel,
  classIndexOfPitch,
  defineMapping,
  mappingToSpec,
  parseTextAnnotations,
  type ClassMappingSpec,
} from '../src/io/index.js';
import { DEFAULT_CLASS_NAMES } from '../src/types.js';
import { devDataDir, devDataSkipReason } from './helpers/fixtures.js';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, none was thrown');
}

/** General MIDI percussion (35..81) grouped into the 18 classes of Vogl et al. (DAFx 2018). */
const GM_18_CLASS: ClassMappingSpec = {
  name: 'gm-18',
  classNames: ['BD', 'SD', 'SS', 'CLP', 'LT', 'MT', 'HT', 'CHH', 'PHH', 'OHH', 'TB', 'RD', 'RB', 'CRC', 'SPC', 'CHC', 'CB', 'CL'],
  pitches: {
    35: 'BD', 36: 'BD', 38: 'SD', 40: 'SD', 37: 'SS', 39: 'CLP', 41: 'LT', 43: 'LT', 45: 'MT', 47: 'MT', 48: 'HT', 50: 'HT',
    42: 'CHH', 44: 'PHH', 46: 'OHH', 54: 'TB', 51: 'RD', 59: 'RD', 53: 'RB', 49: 'CRC', 57: 'CRC', 55: 'SPC', 52: 'CHC',
    56: 'CB', 75: 'CL',
  },
};

/** An 8-class reduction (ADTOF's MIDI_REDUCED_8 layout). */
const GM_8_CLASS: ClassMappingSpec = {
  name: 'gm-8',
  classNames: ['KD', 'SD', 'LT', 'HT', 'CHH', 'OHH', 'CY', 'RD'],
  pitches: {
    35: 'KD', 36: 'KD', 37: 'SD', 38: 'SD', 40: 'SD', 41: 'LT', 43: 'LT', 45: 'HT', 47: 'HT', 48: 'HT', 50: 'HT',
    42: 'CHH', 44: 'CHH', 46: 'OHH', 49: 'CY', 52: 'CY', 55: 'CY', 57: 'CY', 59: 'CY', 51: 'RD', 53: 'RD',
  },
};

/** The 3-class kick/snare/hi-hat task, for text labels of the default vocabulary and GM pitches. */
const GM_3_CLASS: ClassMappingSpec = {
  name: 'gm-3',
  classNames: ['KD', 'SD', 'HH'],
  labels: { KD: 'KD', SD: 'SD', HH: 'HH', TT: null, CY: null },
  pitches: { 35: 'KD', 36: 'KD', 37: 'SD', 38: 'SD', 40: 'SD', 42: 'HH', 44: 'HH', 46: 'HH', 47: null, 49: null },
};

describe('defineMapping', () => {
  it('accepts 3-, 8- and 18-class vocabularies', () => {
    for (const spec of [GM_3_CLASS, GM_8_CLASS, GM_18_CLASS]) {
      const m = defineMapping(spec);
      expect(m.classNames).toEqual(spec.classNames);
      expect(Object.isFrozen(m)).toBe(true);
      expect(Object.isFrozen(m.pitches)).toBe(true);
      for (const [pitch, cls] of Object.entries(spec.pitches ?? {})) {
        expect(classIndexOfPitch(m, Number(pitch))).toBe(cls === null ? null : spec.classNames.indexOf(cls));
      }
    }
    const three = defineMapping(GM_3_CLASS);
    expect(classIndexOfLabel(three, 'HH')).toBe(2);
    expect(classIndexOfLabel(three, 'TT')).toBe(null);
    expect(classIndexOfLabel(three, 'XX')).toBe(undefined);
    expect(classIndexOfPitch(three, 47)).toBe(null);
    expect(classIndexOfPitch(three, 60)).toBe(undefined);
  });

  it('round-trips through JSON with mappingToSpec', () => {
    const m = defineMapping(GM_18_CLASS);
    const again = defineMapping(JSON.parse(JSON.stringify(mappingToSpec(m))));
    expect(mappingToSpec(again)).toEqual(mappingToSpec(m));
  });

  it('does not confuse labels with Object.prototype members', () => {
    for (const label of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      expect(classIndexOfLabel(MDB_MAPPING, label)).toBe(undefined);
    }
    const m = defineMapping({ classNames: ['A'], labels: JSON.parse('{"__proto__": "A", "constructor": null}') });
    expect(classIndexOfLabel(m, '__proto__')).toBe(0);
    expect(classIndexOfLabel(m, 'constructor')).toBe(null);
  });

  it.each([
    ['empty classNames', { classNames: [] }, 'classNames'],
    ['duplicate class', { classNames: ['KD', 'SD', 'KD'] }, 'classNames[2]'],
    ['class with whitespace', { classNames: ['K D'] }, 'classNames[0]'],
    ['label to unknown class', { classNames: ['KD'], labels: { bd: 'BD' } }, 'labels["bd"]'],
    ['class index instead of name', { classNames: ['KD'], labels: { bd: 0 } }, 'labels["bd"]'],
    ['label with whitespace', { classNames: ['KD'], labels: { 'b d': 'KD' } }, 'labels'],
    ['pitch 128', { classNames: ['KD'], pitches: { 128: 'KD' } }, 'pitches'],
    ['pitch 1.5', { classNames: ['KD'], pitches: { '1.5': 'KD' } }, 'pitches'],
    ['pitch to unknown class', { classNames: ['KD'], pitches: { 36: 'BD' } }, 'pitches[36]'],
    ['bad unknownLabels', { classNames: ['KD'], unknownLabels: 'ignore' }, 'unknownLabels'],
  ])('rejects %s', (_, spec, field) => {
    const e = thrown(() => defineMapping(spec as unknown as ClassMappingSpec)) as InvalidArgumentError;
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.field).toBe(field);
    expect(e.message).toContain('mapping "custom"');
  });

  it('rejects a non-object', () => {
    expect(() => defineMapping(null as unknown as ClassMappingSpec)).toThrow(InvalidArgumentError);
  });

  it('validates hand-built objects passed where a mapping is expected', () => {
    const fake = { name: 'fake', classNames: ['KD'], labels: { bd: 'XX' }, pitches: {}, unknownLabels: 'error' };
    expect(() => parseTextAnnotations('0.1 bd\n', { mapping: fake as never })).toThrow(InvalidArgumentError);
    const ok = { name: 'ok', classNames: ['KD'], labels: { bd: 'KD' }, pitches: {}, unknownLabels: 'error' };
    expect(parseTextAnnotations('0.1 bd\n', { mapping: ok as never }).events[0].classIndex).toBe(0);
  });
});

describe('built-in mappings', () => {
  it('use the default vocabulary and are listed by name', () => {
    for (const [name, m] of Object.entries(BUILTIN_MAPPINGS)) {
      expect(m.name).toBe(name);
      expect(m.classNames).toEqual(DEFAULT_CLASS_NAMES);
    }
  });

  it('ADTOF drops 54 and 56 from the thesis GM table (SPEC §3), otherwise agrees', () => {
    for (let p = 0; p < 128; p++) {
      const gm = classIndexOfPitch(THESIS_GM_MAPPING, p);
      const adtof = classIndexOfPitch(ADTOF_MAPPING, p);
      if (p === 54 || p === 56) {
        expect(gm).not.toBe(null);
        expect(adtof).toBe(null);
      } else {
        expect(adtof).toBe(gm);
      }
    }
  });

  it('DEFAULT_MAPPING reads the class names as labels and GM pitches like the thesis', () => {
    DEFAULT_CLASS_NAMES.forEach((name, i) => expect(classIndexOfLabel(DEFAULT_MAPPING, name)).toBe(i));
    expect(mappingToSpec(DEFAULT_MAPPING).pitches).toEqual(mappingToSpec(THESIS_GM_MAPPING).pitches);
  });
});

describe('parseTextAnnotations', () => {
  it('reads MDB style with stray spaces and tabs', () => {
    const r = parseTextAnnotations('0.528254 \t SD \n  1.000000\t \tCHH   \n2.5 KD\n3\tRDC\n', { mapping: MDB_MAPPING });
    expect(r.events).toEqual([
      { timeSeconds: 0.528254, classIndex: 1, className: 'SD' },
      { timeSeconds: 1, classIndex: 3, className: 'HH' },
      { timeSeconds: 2.5, classIndex: 0, className: 'KD' },
      { timeSeconds: 3, classIndex: 4, className: 'CY' },
    ]);
    expect(r.classNames).toEqual(DEFAULT_CLASS_NAMES);
    expect(r.skipped).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('strips one trailing "-" or digit from ENST labels, as the reference does', () => {
    const r = parseTextAnnotations('0.010 bd\n0.020 sd-\n0.4450 cr1\n0.6 rc3\n1.0 c4\n', { mapping: ENST_MAPPING });
    expect(r.events.map((e) => e.className)).toEqual(['KD', 'SD', 'CY', 'CY', 'CY']);
    // only one character: "c44" is looked up as "c4", which ENST does not know
    const e = thrown(() => parseTextAnnotations('0.1 bd\n1.0 c44\n', { mapping: ENST_MAPPING, file: 'take.txt' })) as UnknownLabelError;
    expect(e).toBeInstanceOf(UnknownLabelError);
    expect(e.label).toBe('c44');
    expect(e.message).toContain('"c4"');
    expect(e.line).toBe(2);
  });

  it("keeps suffixes with labelSuffix: 'keep'", () => {
    const m = defineMapping({ classNames: ['T1', 'T2'], labels: { tom1: 'T1', tom2: 'T2' } });
    expect(parseTextAnnotations('0.5 tom2\n', { mapping: m, labelSuffix: 'keep' }).events[0].classIndex).toBe(1);
    expect(() => parseTextAnnotations('0.5 tom2\n', { mapping: m })).toThrow(UnknownLabelError);
  });

  it('handles CRLF, CR, a BOM, blank lines, comments, no final newline and bytes', () => {
    const text = '\uFEFF# onsets\r\n0.1\tKD\r\n\r\n   \r\n0.2\tSD\r0.3\tHH';
    const r = parseTextAnnotations(text);
    expect(r.events.map((e) => [e.timeSeconds, e.className])).toEqual([[0.1, 'KD'], [0.2, 'SD'], [0.3, 'HH']]);
    expect(parseTextAnnotations(new TextEncoder().encode(text)).events).toEqual(r.events);
  });

  it('sorts by time, keeping file order for equal times', () => {
    const r = parseTextAnnotations('2.0 SD\n1.0 HH\n1.0 KD\n0.5 CY\n');
    expect(r.events.map((e) => e.className)).toEqual(['CY', 'HH', 'KD', 'SD']);
  });

  it('parses times exactly like float() (1e-3, .5, 5., +1)', () => {
    const r = parseTextAnnotations('1e-3 KD\n.5 KD\n5. KD\n+1 KD\n0.035 KD\n');
    expect(r.events.map((e) => e.timeSeconds)).toEqual([0.001, 0.035, 0.5, 1, 5]);
  });

  it('reports labels mapped to null as skipped (ignored)', () => {
    const r = parseTextAnnotations('0.1 KD\n0.2 OT\n0.3 SD\n', { mapping: MDB_CLASS_MAPPING, file: 'x.class.txt' });
    expect(r.events.length).toBe(2);
    expect(r.skipped).toEqual([{ line: 2, label: 'OT', timeSeconds: 0.2, reason: 'ignored' }]);
    expect(r.warnings).toEqual([]);
  });

  describe('unknown labels', () => {
    it('throw UnknownLabelError naming file, line and label', () => {
      const e = thrown(() => parseTextAnnotations('0.1 KD\n0.2 XYZ\n', { mapping: MDB_MAPPING, file: 'song.txt' })) as UnknownLabelError;
      expect(e).toBeInstanceOf(UnknownLabelError);
      expect(e.code).toBe('UNKNOWN_LABEL');
      expect(e.file).toBe('song.txt');
      expect(e.line).toBe(2);
      expect(e.label).toBe('XYZ');
      expect(e.message).toContain('song.txt:2');
      expect(e.message).toContain('"XYZ"');
    });

    it('guess the mistake: case, or a label of another built-in mapping', () => {
      const e1 = thrown(() => parseTextAnnotations('0.1 kd\n', { mapping: MDB_MAPPING })) as UnknownLabelError;
      expect(e1.message).toContain('Did you mean "KD"?');
      const e2 = thrown(() => parseTextAnnotations('0.1 chh\n', { mapping: MDB_MAPPING })) as UnknownLabelError;
      expect(e2.message).toMatch(/Did you mean "CHH"|"enst" knows it/);
      const e3 = thrown(() => parseTextAnnotations('0.1 sweep\n', { mapping: MDB_MAPPING })) as UnknownLabelError;
      expect(e3.message).toContain('"enst" knows it');
    });

    it("are skipped and reported with unknownLabels: 'skip' (option or mapping)", () => {
      const text = '0.1 KD\n0.2 XYZ\n0.3 XYZ\n0.4 SD\n';
      const r = parseTextAnnotations(text, { mapping: MDB_MAPPING, unknownLabels: 'skip', file: 'a.txt' });
      expect(r.events.map((e) => e.className)).toEqual(['KD', 'SD']);
      expect(r.skipped.map((s) => [s.line, s.label, s.reason])).toEqual([[2, 'XYZ', 'unknown'], [3, 'XYZ', 'unknown']]);
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toContain('XYZ');
      const lenient = defineMapping({ ...mappingToSpec(MDB_MAPPING), unknownLabels: 'skip' });
      expect(parseTextAnnotations(text, { mapping: lenient }).events).toEqual(r.events);
      expect(() => parseTextAnnotations(text, { mapping: lenient, unknownLabels: 'error' })).toThrow(UnknownLabelError);
    });
  });

  describe('malformed lines', () => {
    it.each([
      ['abc KD', 'malformed time'],
      ['1.2.3 KD', 'malformed time'],
      ['nan KD', 'malformed time'],
      ['inf KD', 'malformed time'],
      ['0x10 KD', 'malformed time'],
      ['1_0 KD', 'malformed time'],
      ['1e999 KD', 'not finite'],
      ['-0.5 KD', 'negative time'],
      ['0.5', 'found 1 field'],
      ['0.5 KD SD', 'found 3 field'],
      ['KD 0.5', 'columns swapped'],
    ])('%j → AnnotationError naming file and line', (line, text) => {
      const e = thrown(() => parseTextAnnotations(`0.1 KD\n\n${line}\n`, { file: 'bad.txt' })) as AnnotationError;
      expect(e).toBeInstanceOf(AnnotationError);
      expect(e.code).toBe('INVALID_ANNOTATION');
      expect(e.file).toBe('bad.txt');
      expect(e.line).toBe(3);
      expect(e.message).toContain('bad.txt:3');
      expect(e.message).toContain(text);
    });
  });

  it('rejects invalid arguments with InvalidArgumentError', () => {
    expect(() => parseTextAnnotations(42 as never)).toThrow(InvalidArgumentError);
    expect(() => parseTextAnnotations('', null as never)).toThrow(InvalidArgumentError);
    expect(() => parseTextAnnotations('', { unknownLabels: 'maybe' as never })).toThrow(InvalidArgumentError);
    expect(() => parseTextAnnotations('', { labelSuffix: 'drop' as never })).toThrow(InvalidArgumentError);
    expect(() => parseTextAnnotations('', { mapping: 'MDB' as never })).toThrow(InvalidArgumentError);
  });

  it('returns no events for an empty file', () => {
    expect(parseTextAnnotations('').events).toEqual([]);
  });
});

describe.skipIf(devDataDir === null)('MDB Drums dev annotations', () => {
  const dir = devDataDir ?? '';
  const tracks = devDataDir === null ? [] : readdirSync(dir).filter((f) => f.endsWith('.subclass.txt')).map((f) => f.replace('.subclass.txt', ''));

  it('has tracks', () => {
    expect(tracks.length).toBeGreaterThan(0);
  });

  for (const track of tracks) {
    it(`${track}: subclass (MDB_MAPPING) and class (MDB_CLASS_MAPPING) files parse and agree`, () => {
      const subText = readFileSync(join(dir, `${track}.subclass.txt`), 'utf8');
      const clsText = readFileSync(join(dir, `${track}.class.txt`), 'utf8');
      const sub = parseTextAnnotations(subText, { mapping: MDB_MAPPING, file: `${track}.subclass.txt` });
      const cls = parseTextAnnotations(clsText, { mapping: MDB_CLASS_MAPPING, file: `${track}.class.txt` });
      const lines = subText.split('\n').filter((l) => l.trim() !== '').length;
      expect(sub.events.length).toBe(lines);
      expect(sub.skipped).toEqual([]);
      expect(cls.events.length + cls.skipped.length).toBe(lines);
      expect(cls.skipped.every((s) => s.label === 'OT' && s.reason === 'ignored')).toBe(true);
      for (let i = 1; i < sub.events.length; i++) expect(sub.events[i].timeSeconds).toBeGreaterThanOrEqual(sub.events[i - 1].timeSeconds);
      // line by line: the class file's class equals the subclass mapped by the thesis table,
      // and the OT lines are side stick or tambourine
      const subLines = subText.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/));
      const clsLines = clsText.split('\n').filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/));
      subLines.forEach(([t, label], i) => {
        expect(Math.abs(Number(clsLines[i][0]) - Number(t))).toBeLessThan(1e-5); // Rockabilly: 6 vs 9 decimals
        const c = clsLines[i][1];
        if (c === 'OT') expect(['SST', 'TMB']).toContain(label);
        else expect(DEFAULT_CLASS_NAMES[classIndexOfLabel(MDB_MAPPING, label) as number]).toBe(c);
      });
    });
  }

  it('a class file with DEFAULT_MAPPING fails on OT with file and line', () => {
    const track = tracks.find((t) => readFileSync(join(dir, `${t}.class.txt`), 'utf8').includes('OT'))!;
    const text = readFileSync(join(dir, `${track}.class.txt`), 'utf8');
    const line = text.split('\n').findIndex((l) => l.trim().endsWith('OT')) + 1;
    const e = thrown(() => parseTextAnnotations(text, { file: `${track}.class.txt` })) as UnknownLabelError;
    expect(e).toBeInstanceOf(UnknownLabelError);
    expect(e.line).toBe(line);
    expect(e.file).toBe(`${track}.class.txt`);
  });
});

if (devDataDir === null) {
  describe('MDB Drums dev annotations (absent)', () => {
    it.skip(devDataSkipReason, () => {});
  });
}
