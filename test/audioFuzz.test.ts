/**
 * Property-based tests: random and mutated files fed to decodeAudio. The only allowed
 * outcomes are a valid AudioData or an AdtError (typed, with a code), never another
 * exception, a hang, or output printed by the WASM decoders.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { AdtError } from '../src/errors.js';
import { createAudioData, decodeAudio, encodeWav, type AudioData } from '../src/io/audio/index.js';
import { ascii, chunk, concat, fmtBody, int16Bytes, prng, riffWave } from './audioHelpers.js';

const audioDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'audio');
const read = (name: string) => new Uint8Array(readFileSync(join(audioDir, name)));

const FORMATS = new Set(['wav', 'flac', 'mp3']);

function checkAudio(a: AudioData): void {
  expect(FORMATS.has(a.format)).toBe(true);
  expect(a.numberOfChannels).toBeGreaterThanOrEqual(1);
  expect(a.channels).toHaveLength(a.numberOfChannels);
  expect(a.length).toBeGreaterThanOrEqual(1);
  expect(Number.isInteger(a.sampleRate) && a.sampleRate > 0).toBe(true);
  expect(a.durationSeconds).toBe(a.length / a.sampleRate);
  for (const ch of a.channels) {
    expect(ch).toBeInstanceOf(Float32Array);
    expect(ch.length).toBe(a.length);
    for (let i = 0; i < ch.length; i++) if (!Number.isFinite(ch[i])) throw new Error(`non-finite sample ${ch[i]} at ${i}`);
  }
}

/** Decodes and classifies: 'ok' or the AdtError code; anything else fails the property. */
async function outcome(bytes: Uint8Array, allowTruncated: boolean): Promise<string> {
  try {
    checkAudio(await decodeAudio(bytes, { fileName: 'fuzz.bin', allowTruncated, onWarning: () => {} }));
    return 'ok';
  } catch (e) {
    if (e instanceof AdtError) {
      expect(e.message.startsWith('fuzz.bin: ')).toBe(true);
      return e.code;
    }
    throw e;
  }
}

type Mutation =
  | { kind: 'flips'; flips: Array<[number, number]> }
  | { kind: 'truncate'; at: number }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'u32'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number };

const interestingU32 = fc.oneof(fc.constantFrom(0, 1, 2, 3, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff), fc.nat(), fc.nat({ max: 4096 }));

/** Mutations aimed anywhere, or at `hotSpots` (chunk sizes, header fields) when given. */
function mutation(hotSpots: number[]): fc.Arbitrary<Mutation> {
  const position = hotSpots.length > 0 ? fc.oneof(fc.nat(), fc.constantFrom(...hotSpots)) : fc.nat();
  return fc.oneof(
    fc.record({ kind: fc.constant('flips' as const), flips: fc.array(fc.tuple(position, fc.nat({ max: 7 })), { minLength: 1, maxLength: 8 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('overwrite' as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('u32' as const), at: position, value: interestingU32 }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  );
}

function apply(base: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b: Uint8Array = base.slice();
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = (m as { at?: number }).at !== undefined ? (m as { at: number }).at % b.length : 0;
    switch (m.kind) {
      case 'flips':
        for (const [pos, bit] of m.flips) b[pos % b.length] ^= 1 << bit;
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
      case 'overwrite':
        b.set(m.bytes.subarray(0, b.length - at), at);
        break;
      case 'u32':
        if (at + 4 <= b.length) new DataView(b.buffer).setUint32(at, m.value, true);
        break;
      case 'insert':
        b = concat(b.subarray(0, at), m.bytes, b.subarray(at));
        break;
      case 'delete':
        b = concat(b.subarray(0, at), b.subarray(at + m.count));
        break;
    }
  }
  return b;
}

/** Offsets of WAV chunk size fields and fmt fields in a valid file. */
function wavHotSpots(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const spots = [4];
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = String.fromCharCode(...bytes.subarray(pos, pos + 4));
    const size = view.getUint32(pos + 4, true);
    spots.push(pos + 4);
    if (id === 'fmt ') spots.push(pos + 8, pos + 10, pos + 12, pos + 20, pos + 22, pos + 24);
    pos += 8 + size + (size & 1);
  }
  return spots;
}

const rand = prng(7);
const sig = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
const wavSeeds: Array<[string, Uint8Array]> = [
  ['pcm16 stereo', encodeWav(createAudioData([sig(40), sig(40)], 8000), { bitDepth: 16 })],
  ['pcm24 extensible 3ch', encodeWav(createAudioData([sig(20), sig(20), sig(20)], 48000), { bitDepth: 24, extensible: true })],
  ['pcm8 mono', encodeWav(createAudioData([sig(33)], 11025), { bitDepth: 8 })],
  ['float32', encodeWav(createAudioData([sig(30)], 44100), { float: true })],
  ['float64 extensible', encodeWav(createAudioData([sig(10), sig(10)], 22050), { float: true, bitDepth: 64, extensible: true })],
  ['pcm16 with LIST and odd JUNK', riffWave([
    chunk('JUNK', new Uint8Array(5)),
    chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 16000, bitsPerSample: 16 })),
    chunk('LIST', ascii('INFOIART\x03\x00\x00\x00ab\x00')),
    chunk('data', int16Bytes([1, -1, 300, -300, 32767, -32768])),
  ])],
];

const flacSeeds: Array<[string, Uint8Array]> = [
  ['sine_8k_mono16.flac', read('sine_8k_mono16.flac')],
  ['chirp_48k_stereo24.flac', read('chirp_48k_stereo24.flac')],
  ['sine_8k_mono16.oga', read('sine_8k_mono16.oga')],
];
const mp3Seeds: Array<[string, Uint8Array]> = [
  ['sine_22k_mono.mp3', read('sine_22k_mono.mp3')],
  ['sine_22k_stereo.mp3', read('sine_22k_stereo.mp3')],
];

let errorSpy: MockInstance;
let warnSpy: MockInstance;
beforeEach(() => {
  errorSpy = vi.spyOn(console, 'error');
  warnSpy = vi.spyOn(console, 'warn');
});
afterEach(() => {
  // The WASM decoders print their errors; decodeAudio must capture them.
  expect(errorSpy).not.toHaveBeenCalled();
  expect(warnSpy).not.toHaveBeenCalled();
  errorSpy.mockRestore();
  warnSpy.mockRestore();
});

// Fixed seed so failures reproduce; ADTKIT_FUZZ_SEED and ADTKIT_FUZZ_SCALE explore further.
const seed = Number(process.env.ADTKIT_FUZZ_SEED ?? 20250601);
const scale = Number(process.env.ADTKIT_FUZZ_SCALE ?? 1);
const params = (numRuns: number) => ({ numRuns: Math.round(numRuns * scale), seed, timeout: 5000 });

describe('decodeAudio on random bytes', () => {
  it('arbitrary bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.boolean(), async (bytes, lenient) => {
      await outcome(bytes, lenient);
    }), params(300));
  });

  it('random bytes behind each recognised magic number', async () => {
    const prefixes = ['RIFF\x24\x00\x00\x00WAVE', 'RF64\xff\xff\xff\xffWAVE', 'RIFF\x00\x00\x00\x00WAVEfmt ', 'fLaC', 'fLaC\x00\x00\x00\x22', 'OggS\x00\x02', 'ID3\x04\x00\x00\x00\x00\x00\x00', '\xff\xfb\x90\x64', '\xff\xf3\x60\xc4'];
    await fc.assert(fc.asyncProperty(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 400 }), fc.boolean(), async (prefix, tail, lenient) => {
      await outcome(concat(ascii(prefix), tail), lenient);
    }), params(300));
  });
});

describe('decodeAudio on mutated valid files', () => {
  for (const [name, base] of wavSeeds) {
    it(`WAV: ${name}`, async () => {
      expect(await outcome(base, false)).toBe('ok');
      await fc.assert(fc.asyncProperty(fc.array(mutation(wavHotSpots(base)), { minLength: 1, maxLength: 3 }), fc.boolean(), async (ms, lenient) => {
        await outcome(apply(base, ms), lenient);
      }), params(150));
    });
  }

  for (const [name, base] of flacSeeds) {
    it(`FLAC: ${name}`, async () => {
      expect(await outcome(base, false)).toBe('ok');
      const hot = [0, 4, 5, 8, 12, 16, 18, 20, 22, 24, 26, 38, 42];
      await fc.assert(fc.asyncProperty(fc.array(mutation(hot), { minLength: 1, maxLength: 3 }), fc.boolean(), async (ms, lenient) => {
        await outcome(apply(base, ms), lenient);
      }), params(100));
    });
  }

  for (const [name, base] of mp3Seeds) {
    it(`MP3: ${name}`, async () => {
      expect(await outcome(base, false)).toBe('ok');
      await fc.assert(fc.asyncProperty(fc.array(mutation([0, 1, 2, 3, 6, 9, 10, 11, 12]), { minLength: 1, maxLength: 3 }), fc.boolean(), async (ms, lenient) => {
        await outcome(apply(base, ms), lenient);
      }), params(100));
    });
  }

  it('single bit flips in a FLAC frame are always caught (CRC), never silently decoded', async () => {
    const base = read('sine_8k_mono16.flac');
    const audioStart = 108;
    await fc.assert(fc.asyncProperty(fc.integer({ min: audioStart, max: base.length - 1 }), fc.nat({ max: 7 }), async (pos, bit) => {
      const bad = base.slice();
      bad[pos] ^= 1 << bit;
      expect(await outcome(bad, false)).toBe('CORRUPT_FILE');
    }), params(100));
  });
});
