/**
 * The soundfonts the generator may use (all MIT-licensed; see LICENSES.md for the audit) and
 * the drum kits it picks from (kits.json, written by survey.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One usable soundfont. */
export interface FontSpec {
  /** Short id used in metadata and kits.json. */
  id: string;
  /** Candidate files, best first (the first that exists is used). */
  paths: readonly string[];
  /** Debian package(s) that install it. */
  debianPackages: readonly string[];
  /** SPDX licence of the samples. */
  license: string;
  /** False for fonts a shipped model must not be trained on. @defaultValue true */
  redistributable?: boolean;
  /** Bank of the drum-kit preset when it is not 128 (patched to 128 for rendering). */
  drumPresetBank?: number;
  /** General MIDI key -> this kit's key (null: the kit has no such sound, the note is dropped). */
  keyMap?: Readonly<Record<number, number | null>>;
}

/**
 * General MIDI keys -> the AVL Drumkits' layout (sample names of the fonts: 48 is a hi-hat
 * "swish", 50 / 52 / 58 are cymbal chokes, 60 a cymbal): the hi-mid and high toms go to the
 * 12" tom (centre, edge), the Chinese cymbal to the second crash, key 35 to the kick;
 * auxiliary percussion the kits lack is dropped, cabasa / maracas go to the maraca (64).
 */
const AVL_KEY_MAP: Readonly<Record<number, number | null>> = {
  35: 36, 48: 45, 50: 47, 52: 57,
  60: null, 61: null, 62: null, 63: null, 64: null, 69: 64, 70: 64, 75: null, 76: null, 77: null,
};

/** Fonts whose licence allows redistributing models trained on their sound (LICENSES.md). */
export const FONTS: readonly FontSpec[] = [
  {
    id: 'fluidr3',
    paths: ['/usr/share/sounds/sf2/FluidR3_GM.sf2'],
    debianPackages: ['fluid-soundfont-gm'],
    license: 'MIT',
  },
  {
    id: 'musescore',
    // The lossless .sf2 loads ~4x faster than the Vorbis-compressed .sf3 (and sounds the same
    // up to coding noise); the two give different audio, so metadata records the file used.
    paths: ['/usr/share/sounds/sf2/MuseScore_General_Full.sf2', '/usr/share/sounds/sf3/MuseScore_General_Full.sf3'],
    debianPackages: ['musescore-general-soundfont-lossless', 'musescore-general-soundfont'],
    license: 'MIT',
  },
  {
    id: 'fluidr3mono',
    paths: ['/usr/share/sounds/sf3/FluidR3Mono_GM.sf3'],
    debianPackages: ['fluidr3mono-gm-soundfont'],
    license: 'MIT',
  },
];

/**
 * Research-only drum fonts: real multi-velocity recordings of acoustic kits whose licence does
 * NOT let us ship a model trained on them (CC-BY-SA-3.0: share-alike; LICENSES.md). Used only
 * with `generate.ts --research-kits` to measure what realistic kits would buy (session 5:
 * +0.02-0.03 micro-F1 on MDB mixes); bundle.ts refuses to write the built-in model from such
 * data. Their single preset sits in bank 0 under their own key layout, so they carry the bank
 * to patch (the generator plays drums on MIDI channel 10, bank 128) and a key map from the
 * General MIDI keys the generator writes.
 */
export const RESEARCH_FONTS: readonly FontSpec[] = [
  {
    id: 'avl-bp',
    paths: ['/usr/share/sounds/sf2/Black_Pearl_4_LV2.sf2'],
    debianPackages: ['avldrums.lv2-soundfont'],
    license: 'CC-BY-SA-3.0',
    redistributable: false,
    drumPresetBank: 0,
    keyMap: AVL_KEY_MAP,
  },
  {
    id: 'avl-rz',
    paths: ['/usr/share/sounds/sf2/Red_Zeppelin_4_LV2.sf2'],
    debianPackages: ['avldrums.lv2-soundfont'],
    license: 'CC-BY-SA-3.0',
    redistributable: false,
    drumPresetBank: 0,
    keyMap: AVL_KEY_MAP,
  },
];

/** The kits of {@link RESEARCH_FONTS} (one preset each). */
export const RESEARCH_KITS: readonly KitSpec[] = [
  { font: 'avl-bp', program: 0, name: 'Black_Pearl_4pc', family: 'standard', missingNotes: [], newKeys: 0 },
  { font: 'avl-rz', program: 0, name: 'Red_Zeppelin_4pc', family: 'standard', missingNotes: [], newKeys: 0 },
];

/** A font of FONTS or RESEARCH_FONTS by id. */
export function fontById(id: string): FontSpec | undefined {
  return FONTS.find((f) => f.id === id) ?? RESEARCH_FONTS.find((f) => f.id === id);
}

/** Whether a model trained on this font's sound may be shipped (every font of FONTS). */
export function isRedistributable(id: string): boolean {
  return FONTS.some((f) => f.id === id && f.redistributable !== false);
}

/**
 * The file to render drums from: the font itself, or for a font whose kit preset is not in
 * bank 128, a copy (in the system's temporary directory, made once) with the preset moved to
 * bank 128, where MIDI channel 10 looks for drum kits.
 */
export function drumFontPath(font: FontSpec): string | null {
  const path = fontPath(font);
  if (path === null || font.drumPresetBank === undefined || font.drumPresetBank === 128) return path;
  const bytes = readFileSync(path);
  const copy = join(tmpdir(), `adtkit-synth-${font.id}-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}-bank128.sf2`);
  if (!existsSync(copy)) {
    writeFileSync(`${copy}.part`, patchPresetBanks(bytes, font.drumPresetBank, 128));
    renameSync(`${copy}.part`, copy);
  }
  return copy;
}

/** A SoundFont 2 file with every preset of bank `from` moved to bank `to` (phdr records). */
export function patchPresetBanks(sf2: Uint8Array, from: number, to: number): Uint8Array {
  const out = new Uint8Array(sf2);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const tag = (at: number) => String.fromCharCode(out[at], out[at + 1], out[at + 2], out[at + 3]);
  // RIFF 'sfbk' > LIST 'pdta' > 'phdr': 38-byte records (name[20], preset, bank, bag, 3 x u32), last one 'EOP'.
  if (tag(0) !== 'RIFF' || tag(8) !== 'sfbk') throw new Error('not a SoundFont 2 file (no RIFF sfbk header)');
  for (let at = 12; at + 8 <= out.length; ) {
    const size = view.getUint32(at + 4, true);
    if (tag(at) === 'LIST' && tag(at + 8) === 'pdta') {
      for (let sub = at + 12; sub + 8 <= at + 8 + size; ) {
        const subSize = view.getUint32(sub + 4, true);
        if (tag(sub) === 'phdr') {
          for (let rec = sub + 8; rec + 38 <= sub + 8 + subSize - 38; rec += 38) {
            if (view.getUint16(rec + 22, true) === from) view.setUint16(rec + 22, to, true);
          }
          return out;
        }
        sub += 8 + subSize + (subSize & 1);
      }
    }
    at += 8 + size + (size & 1);
  }
  throw new Error('SoundFont 2 file without a phdr chunk');
}

/** Path of the first installed file of a font, or null. */
export function fontPath(font: FontSpec): string | null {
  return font.paths.find((p) => existsSync(p)) ?? null;
}

/** Fonts with an installed file. */
export function installedFonts(): { font: FontSpec; path: string }[] {
  const out: { font: FontSpec; path: string }[] = [];
  for (const font of FONTS) {
    const path = fontPath(font);
    if (path) out.push({ font, path });
  }
  return out;
}

/** Broad kit family, used to match kits to styles. */
export type KitFamily = 'standard' | 'room' | 'power' | 'electronic' | 'tr808' | 'jazz' | 'brush';

/** One drum kit: a bank-128 preset of a font (entries of kits.json). */
export interface KitSpec {
  /** Font id (see {@link FONTS}). */
  font: string;
  /** Bank-128 program number. */
  program: number;
  /** Preset name in the font. */
  name: string;
  /** Family. */
  family: KitFamily;
  /** Labelled keys that are silent in this kit (the generator replaces them). */
  missingNotes: number[];
  /** Number of labelled keys that sound unlike every earlier kit of the same font. */
  newKeys: number;
}

/** Kit family of a GM/GS drum-set program number, or null for sets the generator skips. */
export function kitFamily(program: number): KitFamily | null {
  if (program <= 7) return 'standard';
  if (program <= 15) return 'room';
  if (program <= 23) return 'power';
  if (program === 24) return 'electronic';
  if (program === 25) return 'tr808';
  if (program >= 32 && program <= 39) return 'jazz';
  if (program >= 40 && program <= 47) return 'brush';
  // 48 orchestra (timpani on the tom and hi-hat keys), 56 SFX / marching, 127 CM-64.
  return null;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Path of the kit list written by survey.ts. */
export const KITS_JSON = join(here, 'kits.json');

/** Kits of kits.json (distinct-sounding kits only). */
export function loadKits(): KitSpec[] {
  const parsed = JSON.parse(readFileSync(KITS_JSON, 'utf8')) as { kits: KitSpec[] };
  return parsed.kits;
}
