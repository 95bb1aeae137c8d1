/**
 * The soundfonts the generator may use (all MIT-licensed; see LICENSES.md for the audit) and
 * the drum kits it picks from (kits.json, written by survey.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
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
}

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
