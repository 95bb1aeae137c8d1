/**
 * Built-in class mappings (SPEC §3). The thesis tables are copied from the reference code
 * (`io/mapping.py` of RunarFosse/automatic-drum-transcription, exported in
 * `test/fixtures/mappings.json`); a test checks that they are equal entry by entry.
 * All use the default five-class vocabulary KD, SD, TT, HH, CY.
 */
import { DEFAULT_CLASS_NAMES } from '../types.js';
import { defineMapping, type ClassMapping } from './mappings.js';

type ClassName = 'KD' | 'SD' | 'TT' | 'HH' | 'CY';

/** Builds a pitch table from pitch lists per class plus a list of known-but-ignored pitches. */
function pitchTable(byClass: Partial<Record<ClassName, number[]>>, ignored: number[]): Record<number, string | null> {
  const table: Record<number, string | null> = {};
  for (const [cls, list] of Object.entries(byClass)) for (const p of list!) table[p] = cls;
  for (const p of ignored) table[p] = null;
  return table;
}

/** Builds a label table from label lists per class. */
function labelTable(byClass: Partial<Record<ClassName, string[]>>, ignored: string[] = []): Record<string, string | null> {
  const table: Record<string, string | null> = {};
  for (const [cls, list] of Object.entries(byClass)) for (const l of list!) table[l] = cls;
  for (const l of ignored) table[l] = null;
  return table;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Thesis General MIDI mapping (`MIDI_MAPPING`): 35,36 → KD; 37–40 → SD;
 * 41,43,45,47,48,50 → TT; 42,44,46,54 → HH; 49,51,52,53,55,56,57,59 → CY;
 * 27–34, 58 and 60–87 known and ignored. Used for E-GMD and Slakh in the thesis.
 */
export const THESIS_GM_MAPPING: ClassMapping = defineMapping({
  name: 'thesis-gm',
  classNames: DEFAULT_CLASS_NAMES,
  pitches: pitchTable(
    {
      KD: [35, 36],
      SD: [37, 38, 39, 40],
      TT: [41, 43, 45, 47, 48, 50],
      HH: [42, 44, 46, 54],
      CY: [49, 51, 52, 53, 55, 56, 57, 59],
    },
    [...range(27, 34), 58, ...range(60, 87)],
  ),
});

/**
 * Thesis Roland mapping (`ROLAND_MIDI_MAPPING`): the GM mapping plus the Roland TD
 * hi-hat edge/bow notes 22, 26 → HH and the tom-rim note 58 → TT.
 */
export const THESIS_ROLAND_MAPPING: ClassMapping = defineMapping({
  name: 'thesis-roland',
  classNames: DEFAULT_CLASS_NAMES,
  pitches: pitchTable(
    {
      KD: [35, 36],
      SD: [37, 38, 39, 40],
      TT: [41, 43, 45, 47, 48, 50, 58],
      HH: [22, 26, 42, 44, 46, 54],
      CY: [49, 51, 52, 53, 55, 56, 57, 59],
    },
    [...range(27, 34), ...range(60, 87)],
  ),
});

/**
 * ADTOF's five-class reduction as SPEC §3 defines it: {@link THESIS_GM_MAPPING} without
 * 54 (tambourine) and 56 (cowbell): 35,36 → KD; 37–40 → SD; 41,43,45,47,48,50 → TT;
 * 42,44,46 → HH; 49,51,52,53,55,57,59 → CY. (ADTOF's own `MIDI_REDUCED_5` table also
 * leaves out 39, hand clap; build that variant with {@link defineMapping} if you need it.)
 * Those and the other GM percussion notes (27–34, 58, 60–87) are known and ignored.
 */
export const ADTOF_MAPPING: ClassMapping = defineMapping({
  name: 'adtof',
  classNames: DEFAULT_CLASS_NAMES,
  pitches: pitchTable(
    {
      KD: [35, 36],
      SD: [37, 38, 39, 40],
      TT: [41, 43, 45, 47, 48, 50],
      HH: [42, 44, 46],
      CY: [49, 51, 52, 53, 55, 57, 59],
    },
    [...range(27, 34), 54, 56, 58, ...range(60, 87)],
  ),
});

/**
 * Thesis ENST-Drums label mapping (`ENST_MAPPING`). ENST labels may carry a trailing
 * `-` or digit (`sd-`, `cr1`), which the text parser strips before the lookup.
 */
export const ENST_MAPPING: ClassMapping = defineMapping({
  name: 'enst',
  classNames: DEFAULT_CLASS_NAMES,
  labels: labelTable({
    KD: ['bd'],
    SD: ['sd', 'sd-', 'sweep', 'rs', 'sticks', 'cs'],
    TT: ['mt', 'mtr', 'lmt', 'lt', 'ltr', 'lft'],
    HH: ['chh', 'ohh'],
    CY: ['cr', 'spl', 'ch', 'rc', 'c', 'cb'],
  }),
});

/**
 * Thesis MDB Drums mapping (`MDB_MAPPING`) for the 21 **subclass** labels
 * (`<track>.subclass.txt`): side stick SST → SD, tambourine TMB → HH.
 */
export const MDB_MAPPING: ClassMapping = defineMapping({
  name: 'mdb',
  classNames: DEFAULT_CLASS_NAMES,
  labels: labelTable({
    KD: ['KD'],
    SD: ['SD', 'SDB', 'SDD', 'SDF', 'SDG', 'SDNS', 'SST'],
    TT: ['HIT', 'MHT', 'HFT', 'LFT'],
    HH: ['CHH', 'OHH', 'PHH', 'TMB'],
    CY: ['RDC', 'RDB', 'CRC', 'CHC', 'SPC'],
  }),
});

/**
 * MDB Drums **class**-level labels (`<track>.class.txt`: KD, SD, TT, HH, CY, OT).
 * Not in the thesis, which reads the subclass files. `OT` (other) lumps side stick (SST)
 * and tambourine (TMB), which the thesis maps to SD and HH respectively, so it cannot be
 * mapped to one class: it is known and skipped. Use {@link MDB_MAPPING} on the subclass
 * files to reproduce the thesis.
 */
export const MDB_CLASS_MAPPING: ClassMapping = defineMapping({
  name: 'mdb-class',
  classNames: DEFAULT_CLASS_NAMES,
  labels: labelTable({ KD: ['KD'], SD: ['SD'], TT: ['TT'], HH: ['HH'], CY: ['CY'] }, ['OT']),
});

/**
 * adtkit's own default: the class names themselves as text labels (what
 * {@link eventsToText} writes) and the thesis GM pitch table for MIDI (which contains
 * the notes {@link eventsToMidi} writes by default: KD 36, SD 38, TT 47, HH 42, CY 49).
 */
export const DEFAULT_MAPPING: ClassMapping = defineMapping({
  name: 'default',
  classNames: DEFAULT_CLASS_NAMES,
  labels: labelTable({ KD: ['KD'], SD: ['SD'], TT: ['TT'], HH: ['HH'], CY: ['CY'] }),
  pitches: { ...THESIS_GM_MAPPING.pitches },
});

/** Every built-in mapping by its `name`. */
export const BUILTIN_MAPPINGS: Readonly<Record<string, ClassMapping>> = Object.freeze({
  default: DEFAULT_MAPPING,
  'thesis-gm': THESIS_GM_MAPPING,
  'thesis-roland': THESIS_ROLAND_MAPPING,
  adtof: ADTOF_MAPPING,
  enst: ENST_MAPPING,
  mdb: MDB_MAPPING,
  'mdb-class': MDB_CLASS_MAPPING,
});
