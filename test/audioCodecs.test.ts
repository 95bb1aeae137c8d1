import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { AdtError, AudioError, CorruptFileError, InvalidArgumentError, UnsupportedFormatError } from '../src/errors.js';
import { decodeAudio, detectAudioFormat, downmixToMono, readAudioFile, type AudioData } from '../src/io/audio/index.js';
import { devDataDir, devDataSkipReason } from './helpers/fixtures.js';
import { ascii, concat } from './audioHelpers.js';

/**
 * Reference audio made by test/fixtures/audio/generate.sh: each `X.ref.wav` is the
 * reference decoder's output (`flac -d`, `lame --decode`) for the compressed file `X`.
 * These are adtkit's own fixtures, so they are read from beside this file, not from
 * ADTKIT_FIXTURES.
 */
const audioDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'audio');
const read = (name: string) => new Uint8Array(readFileSync(join(audioDir, name)));
const refCases = readdirSync(audioDir).filter((f) => f.endsWith('.ref.wav')).map((f) => f.slice(0, -'.ref.wav'.length)).sort();

async function rejection<T extends AdtError>(promise: Promise<unknown>, cls: new (...args: any[]) => T): Promise<T> {
  const error = await promise.then(
    () => new Error('expected the promise to reject, it resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(cls);
  return error as T;
}

function maxDiff(a: AudioData, b: AudioData): number {
  let max = 0;
  for (let c = 0; c < a.numberOfChannels; c++) {
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a.channels[c][i] - b.channels[c][i]));
  }
  return max;
}

function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

describe('reference files (every *.ref.wav in test/fixtures/audio)', () => {
  it('finds the FLAC and MP3 cases', () => {
    expect(refCases.filter((c) => c.endsWith('.flac')).length).toBeGreaterThanOrEqual(3);
    expect(refCases.filter((c) => c.endsWith('.mp3')).length).toBeGreaterThanOrEqual(2);
  });

  for (const name of refCases) {
    it(`${name} decodes like the reference decoder`, async () => {
      const ref = await decodeAudio(read(`${name}.ref.wav`), { fileName: `${name}.ref.wav` });
      const audio = await decodeAudio(read(name), { fileName: name });
      expect(audio.numberOfChannels).toBe(ref.numberOfChannels);
      expect(audio.sampleRate).toBe(ref.sampleRate);
      expect(audio.length).toBe(ref.length);
      expect(audio.durationSeconds).toBe(ref.length / ref.sampleRate);
      if (name.endsWith('.flac')) {
        // Lossless, and both scale integers by 2^(bits-1): identical samples.
        expect(audio.format).toBe('flac');
        expect(audio.bitsPerSample).toBe(ref.bitsPerSample);
        expect(maxDiff(audio, ref)).toBe(0);
      } else {
        // mpg123 and lame's decoder differ in rounding; the 16-bit reference adds 2^-16.
        expect(audio.format).toBe('mp3');
        expect(audio.bitsPerSample).toBeUndefined();
        expect(maxDiff(audio, ref)).toBeLessThan(2e-4);
        for (const ch of audio.channels) expect(rms(ch)).toBeGreaterThan(0.1);
      }
    });
  }

  it('MP3 is gapless: 0.1 s at 22.05 kHz comes out as exactly 2205 samples, mono stays mono', async () => {
    const mono = await decodeAudio(read('sine_22k_mono.mp3'));
    expect(mono.numberOfChannels).toBe(1);
    expect(mono.length).toBe(2205);
    const stereo = await decodeAudio(read('sine_22k_stereo.mp3'));
    expect(stereo.numberOfChannels).toBe(2);
    expect(stereo.length).toBe(2205);
  });

  it('Ogg FLAC decodes to the same samples as native FLAC', async () => {
    const ogg = await decodeAudio(read('sine_8k_mono16.oga'));
    const native = await decodeAudio(read('sine_8k_mono16.flac'));
    expect(ogg.format).toBe('flac');
    expect(ogg.length).toBe(2000);
    expect(maxDiff(ogg, native)).toBe(0);
  });

  it('detectAudioFormat', () => {
    expect(detectAudioFormat(read('sine_8k_mono16.flac'))).toBe('flac');
    expect(detectAudioFormat(read('sine_8k_mono16.oga'))).toBe('flac');
    expect(detectAudioFormat(read('sine_22k_mono.mp3'))).toBe('mp3');
    expect(detectAudioFormat(read('sine_22k_stereo.mp3').buffer)).toBe('mp3');
    expect(detectAudioFormat(read('sine_8k_mono.ogg'))).toBeUndefined();
  });

  it('Ogg Vorbis is rejected as unsupported, by name', async () => {
    const e = await rejection(decodeAudio(read('sine_8k_mono.ogg'), { fileName: 'a.ogg' }), UnsupportedFormatError);
    expect(e.message).toMatch(/^a\.ogg: this is an Ogg Vorbis file/);
  });
});

describe('FLAC errors', () => {
  const flac = read('sine_8k_mono16.flac');
  const copy = () => flac.slice();

  it('a truncated stream: CorruptFileError naming the cut frame, or the complete frames with allowTruncated', async () => {
    const cut = flac.subarray(0, 1200);
    const e = await rejection(decodeAudio(cut, { fileName: 'cut.flac' }), CorruptFileError);
    expect(e.code).toBe('CORRUPT_FILE');
    expect(e.message).toMatch(/^cut\.flac: the last FLAC frame \(frame \d, at byte \d+\) is incomplete or damaged/);
    expect(e.offset).toBeGreaterThan(0);
    const warnings: string[] = [];
    const audio = await decodeAudio(cut, { fileName: 'cut.flac', allowTruncated: true, onWarning: (m) => warnings.push(m) });
    expect(audio.length % 512).toBe(0);
    expect(audio.length).toBeGreaterThan(0);
    expect(audio.length).toBeLessThan(2000);
    expect(warnings).toHaveLength(1);
    // The frames kept are sample-exact.
    const full = await decodeAudio(flac);
    expect(Array.from(audio.channels[0])).toEqual(Array.from(full.channels[0].subarray(0, audio.length)));
  });

  it('cut before the first frame is complete: CorruptFileError, AudioError (no samples) when allowed', async () => {
    const e = await rejection(decodeAudio(flac.subarray(0, 150)), CorruptFileError);
    expect(e.message).toContain('frame 0');
    await rejection(decodeAudio(flac.subarray(0, 150), { allowTruncated: true, onWarning: () => {} }), AudioError);
  });

  it('truncated inside the metadata blocks', async () => {
    let e = await rejection(decodeAudio(flac.subarray(0, 30)), CorruptFileError);
    expect(e.message).toContain('ends inside its STREAMINFO block');
    e = await rejection(decodeAudio(flac.subarray(0, 50)), CorruptFileError);
    expect(e.message).toMatch(/FLAC metadata block at byte 42 declares \d+ bytes but the file ends at byte 50/);
    expect(e.offset).toBe(42);
  });

  it('a damaged frame in the middle: CorruptFileError with its byte offset even with allowTruncated, nothing printed', async () => {
    const full = await decodeAudio(flac);
    expect(full.length).toBe(2000);
    for (const at of [400, 1000, 1500]) {
      const bad = copy();
      bad[at] ^= 0x10;
      const spy = vi.spyOn(console, 'error');
      try {
        const e = await rejection(decodeAudio(bad, { fileName: 'bad.flac', allowTruncated: true, onWarning: () => {} }), CorruptFileError);
        expect(e.message).toMatch(/^bad\.flac: FLAC frame \d at byte \d+ fails its CRC-16 check/);
        expect(e.offset).toBeLessThanOrEqual(at);
        expect(e.offset).toBeGreaterThan(at - 1000);
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    }
  });

  it('STREAMINFO with sample rate 0: AudioError', async () => {
    const bad = copy();
    bad[18] = 0;
    bad[19] = 0;
    bad[20] &= 0x0f;
    const e = await rejection(decodeAudio(bad, { fileName: 'sr0.flac' }), AudioError);
    expect(e.message).toBe('sr0.flac: FLAC STREAMINFO declares a sample rate of 0 Hz');
  });

  it('STREAMINFO disagreeing with the frames', async () => {
    const fewer = copy();
    fewer[25] = 1999 & 0xff; // total samples 2000 -> 1999 (2000 = 0x7d0)
    let e = await rejection(decodeAudio(fewer), CorruptFileError);
    expect(e.message).toContain('holds 2000 samples per channel but STREAMINFO declares 1999');
    const stereo = copy();
    stereo[20] |= 0x02; // channels-1 field: 1 -> 2 channels
    e = await rejection(decodeAudio(stereo), CorruptFileError);
    expect(e.message).toContain('no valid FLAC frame header at byte 108, where the first audio frame should start (expected one matching STREAMINFO: 2 channel(s), 16-bit, 8000 Hz)');
    expect(e.offset).toBe(108);
  });

  it('first metadata block not STREAMINFO, invalid block type', async () => {
    const bad = copy();
    bad[4] = (bad[4] & 0x80) | 4;
    let e = await rejection(decodeAudio(bad), CorruptFileError);
    expect(e.message).toContain('must be STREAMINFO');
    const bad127 = copy();
    bad127[42] = (bad127[42] & 0x80) | 127;
    e = await rejection(decodeAudio(bad127), CorruptFileError);
    expect(e.message).toContain('invalid type 127');
  });

  it('an ID3v2 tag before fLaC is skipped', async () => {
    const id3 = concat(ascii('ID3'), Uint8Array.of(3, 0, 0, 0, 0, 0, 20), new Uint8Array(20));
    const tagged = await decodeAudio(concat(id3, flac));
    expect(tagged.format).toBe('flac');
    expect(tagged.length).toBe(2000);
  });

  it('an ID3v1 tag appended after the last frame is ignored', async () => {
    const tag = concat(ascii('TAG'), new Uint8Array(125));
    const tagged = await decodeAudio(concat(flac, tag));
    expect(tagged.length).toBe(2000);
  });

  it('frees the WASM decoder after success and after failure', async () => {
    const spy = vi.spyOn(FLACDecoder.prototype, 'free');
    try {
      await decodeAudio(flac);
      const oga = read('sine_8k_mono16.oga');
      await rejection(decodeAudio(oga.subarray(0, oga.length - 300)), CorruptFileError);
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('Ogg FLAC cut short: CorruptFileError', async () => {
    const oga = read('sine_8k_mono16.oga');
    const e = await rejection(decodeAudio(oga.subarray(0, oga.length - 300)), CorruptFileError);
    expect(e.message).toMatch(/FLAC stream is corrupt|STREAMINFO declares 2000/);
    await rejection(decodeAudio(oga.subarray(0, 40)), CorruptFileError);
  });
});

describe('MP3 errors', () => {
  const mp3 = read('sine_22k_stereo.mp3');

  it('a cut-off last frame: CorruptFileError naming frame and byte, or decode with allowTruncated', async () => {
    const cut = mp3.subarray(0, mp3.length - 50);
    const e = await rejection(decodeAudio(cut, { fileName: 'cut.mp3' }), CorruptFileError);
    expect(e.message).toMatch(/^cut\.mp3: MPEG audio frame \d+ at byte \d+ needs \d+ bytes but the file ends after \d+ of them/);
    expect(e.offset).toBeGreaterThan(0);
    const warnings: string[] = [];
    const audio = await decodeAudio(cut, { allowTruncated: true, onWarning: (m) => warnings.push(m) });
    expect(audio.numberOfChannels).toBe(2);
    expect(warnings).toHaveLength(1);
  });

  it('a cut inside the trailing ID3v1 tag leaves the audio intact', async () => {
    const mono = read('sine_22k_mono.mp3'); // ends with a 128-byte ID3v1 tag
    expect(String.fromCharCode(...mono.subarray(mono.length - 128, mono.length - 125))).toBe('TAG');
    const audio = await decodeAudio(mono.subarray(0, mono.length - 40));
    expect(audio.length).toBe(2205);
  });

  it('a frame header with nothing after it', async () => {
    const e = await rejection(decodeAudio(Uint8Array.of(0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0), { fileName: 'h.mp3' }), CorruptFileError);
    expect(e.message).toContain('h.mp3');
  });

  it('ADTS AAC is recognised and rejected', async () => {
    const e = await rejection(decodeAudio(Uint8Array.of(0xff, 0xf1, 0x50, 0x80, 0, 0x1f, 0xfc)), UnsupportedFormatError);
    expect(e.message).toContain('AAC');
  });
});

describe('readAudioFile', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'adtkit-audio-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads and decodes, naming the path in errors', async () => {
    const audio = await readAudioFile(join(audioDir, 'sine_8k_mono16.flac'));
    expect(audio.length).toBe(2000);
    const cutPath = join(tmp, 'cut.wav');
    const wav = read('sine_8k_mono16.flac.ref.wav');
    writeFileSync(cutPath, wav.subarray(0, wav.length - 101));
    const e = await rejection(readAudioFile(cutPath), CorruptFileError);
    expect(e.file).toBe(cutPath);
    expect(e.message.startsWith(`${cutPath}: `)).toBe(true);
    const ok = await readAudioFile(cutPath, { allowTruncated: true, onWarning: () => {} });
    expect(ok.length).toBe(1949);
  });

  it('missing files, directories and bad paths: typed errors', async () => {
    const missing = join(tmp, 'nope.wav');
    let e = await rejection(readAudioFile(missing), AdtError);
    expect(e.code).toBe('IO_ERROR');
    expect(e.file).toBe(missing);
    expect(e.message).toBe(`${missing}: cannot read the audio file: no such file`);
    e = await rejection(readAudioFile(tmp), AdtError);
    expect(e.code).toBe('IO_ERROR');
    expect(e.message).toContain('directory');
    await rejection(readAudioFile(''), InvalidArgumentError);
    await rejection(readAudioFile(undefined as any), InvalidArgumentError);
  });
});

describe.skipIf(devDataDir === null)('MDB Drums dev recordings', () => {
  const dir = devDataDir ?? '';
  const files = devDataDir === null ? [] : readdirSync(dir).filter((f) => f.endsWith('.flac')).sort();
  const lengths = new Map<string, number>();

  it('has the 7 tracks × (mix, drums)', () => {
    expect(files).toHaveLength(14);
  });

  for (const file of files) {
    it(`${file}: 44.1 kHz mono 16-bit, peak at -1 dBFS, annotations within the duration`, async () => {
      const audio = await readAudioFile(join(dir, file));
      expect(audio.format).toBe('flac');
      expect(audio.sampleRate).toBe(44100);
      expect(audio.numberOfChannels).toBe(1);
      expect(audio.bitsPerSample).toBe(16);
      expect(audio.durationSeconds).toBe(audio.length / 44100);
      expect(audio.durationSeconds).toBeGreaterThan(20);
      expect(audio.durationSeconds).toBeLessThan(60);
      let peak = 0;
      const samples = audio.channels[0];
      for (let i = 0; i < samples.length; i++) peak = Math.max(peak, Math.abs(samples[i]));
      // -1 dBFS = 0.8913; 16-bit quantization moves it by < 0.001 dB.
      expect(20 * Math.log10(peak)).toBeCloseTo(-1, 2);
      const mono = downmixToMono(audio);
      expect(mono.length).toBe(audio.length);
      expect(mono[audio.length >> 1]).toBe(audio.channels[0][audio.length >> 1]);
      const track = file.split('.')[0];
      const onsets = readFileSync(join(dir, `${track}.class.txt`), 'utf8').trim().split('\n').map((l) => Number.parseFloat(l));
      expect(Math.max(...onsets)).toBeLessThan(audio.durationSeconds);
      const other = lengths.get(track);
      if (other !== undefined) expect(audio.length).toBe(other); // mix and drums align
      lengths.set(track, audio.length);
    });
  }
});

it.skipIf(devDataDir !== null)(`MDB Drums dev recordings: ${devDataSkipReason}`, () => {});
