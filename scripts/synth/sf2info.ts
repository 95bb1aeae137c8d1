/**
 * Reads the preset headers (`phdr`) and INFO strings of a SoundFont 2 / 3 file without
 * loading the sample data (a 150 MB font is read through a handful of small `readSync`s).
 *
 * Hand-written because no maintained npm package reads only the RIFF headers of .sf2/.sf3;
 * the format is RIFF 'sfbk' → LIST 'INFO' | LIST 'sdta' | LIST 'pdta' (SoundFont 2.04 spec §4).
 *
 * CLI: `npx tsx scripts/synth/sf2info.ts FONT.sf2 [...]` prints INFO and the bank-128 presets.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** One preset header record (SoundFont 2.04 §7.2, 38 bytes). */
export interface SoundFontPreset {
  /** Preset name (up to 20 ASCII characters). */
  name: string;
  /** MIDI program number 0–127. */
  program: number;
  /** MIDI bank; 128 is the percussion bank. */
  bank: number;
}

/** Header data of one font file. */
export interface SoundFontInfo {
  /** INFO sub-chunks by id (`INAM`, `ICOP`, `ICMT`, `ifil` excluded). */
  info: Record<string, string>;
  /** Every preset except the terminal `EOP` record, sorted by bank then program. */
  presets: SoundFontPreset[];
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  const got = readSync(fd, buffer, 0, length, position);
  if (got !== length) throw new Error(`short read at byte ${position}: wanted ${length}, got ${got}`);
  return buffer;
}

function cString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.subarray(0, end < 0 ? buffer.length : end).toString('latin1').trim();
}

/**
 * Reads the INFO strings and preset headers of a .sf2 / .sf3 file.
 *
 * @param path - font file path
 * @returns the INFO strings and the preset list
 * @throws Error when the file is not a RIFF 'sfbk' file or lacks a `phdr` chunk
 */
export function readSoundFontInfo(path: string): SoundFontInfo {
  const fd = openSync(path, 'r');
  try {
    const head = readAt(fd, 0, 12);
    if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'sfbk') {
      throw new Error(`${path}: not a SoundFont (expected RIFF/sfbk, found ${head.toString('latin1', 0, 4)}/${head.toString('latin1', 8, 12)})`);
    }
    const riffEnd = 8 + head.readUInt32LE(4);
    const info: Record<string, string> = {};
    let presets: SoundFontPreset[] | undefined;
    let position = 12;
    while (position + 12 <= riffEnd) {
      const listHead = readAt(fd, position, 12);
      const listSize = listHead.readUInt32LE(4);
      const listType = listHead.toString('latin1', 8, 12);
      if (listType === 'INFO' || listType === 'pdta') {
        let sub = position + 12;
        const listEnd = position + 8 + listSize;
        while (sub + 8 <= listEnd) {
          const subHead = readAt(fd, sub, 8);
          const id = subHead.toString('latin1', 0, 4);
          const size = subHead.readUInt32LE(4);
          if (listType === 'INFO' && id !== 'ifil' && id !== 'iver') {
            info[id] = cString(readAt(fd, sub + 8, size));
          } else if (listType === 'pdta' && id === 'phdr') {
            const data = readAt(fd, sub + 8, size);
            presets = [];
            for (let offset = 0; offset + 38 <= data.length; offset += 38) {
              const name = cString(data.subarray(offset, offset + 20));
              if (offset + 38 === data.length && name === 'EOP') break;
              presets.push({ name, program: data.readUInt16LE(offset + 20), bank: data.readUInt16LE(offset + 22) });
            }
          }
          sub += 8 + size + (size & 1);
        }
      }
      position += 8 + listSize;
      // RIFF pads odd chunks to even length, but some .sf3 writers (FluidR3Mono_GM.sf3) omit
      // the pad byte: take the pad only when a chunk id follows it.
      if (listSize & 1 && position + 4 <= riffEnd && readAt(fd, position, 4).toString('latin1') !== 'LIST') position += 1;
    }
    if (!presets) throw new Error(`${path}: no 'phdr' chunk found in LIST 'pdta'`);
    presets.sort((a, b) => a.bank - b.bank || a.program - b.program);
    return { info, presets };
  } finally {
    closeSync(fd);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const path of process.argv.slice(2)) {
    const { info, presets } = readSoundFontInfo(path);
    console.log(`== ${path}`);
    for (const [id, text] of Object.entries(info)) console.log(`  ${id}: ${text.replace(/\s+/g, ' ').slice(0, 300)}`);
    const drums = presets.filter((p) => p.bank === 128);
    console.log(`  ${presets.length} presets, ${drums.length} in bank 128:`);
    for (const p of drums) console.log(`    128:${p.program} ${p.name}`);
  }
}
