import { describe, expect, it, vi } from 'vitest';
import {
  AdtError,
  AudioError,
  CorruptFileError,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
  UnsupportedFormatError,
} from '../src/errors.js';
import {
  createAudioData,
  decodeAudio,
  detectAudioFormat,
  downmixToMono,
  encodeWav,
  type AudioData,
} from '../src/io/audio/index.js';
import { ascii, chunk, concat, fmtBody, fmtExtensibleBody, int16Bytes, prng, riffWave, u32 } from './audioHelpers.js';

/** Awaits a rejection and checks its class and code; returns the error for more checks. */
async function rejection<T extends AdtError>(promise: Promise<unknown>, cls: new (...args: any[]) => T): Promise<T> {
  const error = await promise.then(
    () => new Error('expected the promise to reject, it resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(cls);
  expect((error as AdtError).code).toBe(new cls('x').code);
  return error as T;
}

function syncError<T extends AdtError>(fn: () => unknown, cls: new (...args: any[]) => T): T {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(cls);
  return caught as T;
}

/** Random signal in [-1, 0.99) so that PCM encoding never clips. */
function randomChannels(count: number, length: number, seed: number): Float32Array[] {
  const rand = prng(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length }, () => rand() * 1.99 - 1));
}

const pcm16 = (values: number[], channels = 1, sampleRate = 8000) =>
  riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels, sampleRate, bitsPerSample: 16 })), chunk('data', int16Bytes(values))]);

describe('encodeWav → decodeAudio round trips', () => {
  const channelCounts = [1, 2, 3, 6];
  const cases: Array<{ bitDepth: 8 | 16 | 24 | 32 | 64; float: boolean }> = [
    { bitDepth: 8, float: false },
    { bitDepth: 16, float: false },
    { bitDepth: 24, float: false },
    { bitDepth: 32, float: false },
    { bitDepth: 32, float: true },
    { bitDepth: 64, float: true },
  ];
  for (const { bitDepth, float } of cases) {
    for (const extensible of [false, true]) {
      for (const n of channelCounts) {
        it(`${float ? 'float' : 'PCM'} ${bitDepth}-bit, ${n} channel(s)${extensible ? ', EXTENSIBLE' : ''}`, async () => {
          const channels = randomChannels(n, 257, bitDepth * 10 + n);
          const bytes = encodeWav({ channels, sampleRate: 22050 }, { bitDepth, float, extensible });
          const audio = await decodeAudio(bytes, { fileName: 'rt.wav' });
          expect(audio.format).toBe('wav');
          expect(audio.numberOfChannels).toBe(n);
          expect(audio.channels).toHaveLength(n);
          expect(audio.length).toBe(257);
          expect(audio.sampleRate).toBe(22050);
          expect(audio.durationSeconds).toBeCloseTo(257 / 22050, 12);
          expect(audio.bitsPerSample).toBe(bitDepth);
          for (let c = 0; c < n; c++) {
            if (float) {
              // float32 exactly; float64 holds float32 values exactly too.
              expect(Array.from(audio.channels[c])).toEqual(Array.from(channels[c]));
            } else {
              const step = 1 / 2 ** (bitDepth - 1);
              let max = 0;
              for (let i = 0; i < 257; i++) max = Math.max(max, Math.abs(audio.channels[c][i] - channels[c][i]));
              // Rounding to the nearest level, plus float32 rounding of the decoded value.
              expect(max).toBeLessThanOrEqual(step / 2 + 6e-8);
            }
          }
        });
      }
    }
  }

  for (const bitDepth of [8, 16, 24, 32] as const) {
    it(`decode → encode at ${bitDepth} bits reproduces the file byte for byte`, async () => {
      const bytes = encodeWav({ channels: randomChannels(2, 100, bitDepth), sampleRate: 44100 }, { bitDepth });
      const again = encodeWav(await decodeAudio(bytes), { bitDepth });
      expect(again).toEqual(bytes);
    });
  }

  it('accepts an ArrayBuffer and a Uint8Array view into a larger buffer', async () => {
    const bytes = encodeWav(createAudioData([new Float32Array([0.25, -0.5])], 8000));
    const big = new Uint8Array(bytes.length + 20);
    big.set(bytes, 7);
    const fromView = await decodeAudio(big.subarray(7, 7 + bytes.length));
    const fromBuffer = await decodeAudio(bytes.slice().buffer);
    expect(Array.from(fromView.channels[0])).toEqual([0.25, -0.5]);
    expect(Array.from(fromBuffer.channels[0])).toEqual([0.25, -0.5]);
  });

  it('writes the documented headers', () => {
    const audio = createAudioData([new Float32Array(3), new Float32Array(3)], 48000);
    const plain = new DataView(encodeWav(audio, { bitDepth: 24 }).buffer);
    expect(plain.getUint32(16, true)).toBe(16); // fmt size
    expect(plain.getUint16(20, true)).toBe(1); // PCM
    expect(plain.getUint16(32, true)).toBe(6); // block align
    expect(plain.getUint32(28, true)).toBe(48000 * 6); // byte rate
    const ext = encodeWav(audio, { bitDepth: 24, extensible: true });
    const v = new DataView(ext.buffer);
    expect(v.getUint32(16, true)).toBe(40);
    expect(v.getUint16(20, true)).toBe(0xfffe);
    expect(v.getUint16(38, true)).toBe(24); // valid bits
    expect(v.getUint32(40, true)).toBe(3); // channel mask FL|FR
    expect(Array.from(ext.subarray(44, 60))).toEqual([1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]);
    const float = encodeWav(audio, { float: true });
    expect(String.fromCharCode(...float.subarray(38, 42))).toBe('fact');
    // Odd data size gets a pad byte; the RIFF size counts it.
    const odd = encodeWav(createAudioData([new Float32Array(3)], 8000), { bitDepth: 8 });
    expect(odd.length % 2).toBe(0);
    expect(new DataView(odd.buffer).getUint32(4, true)).toBe(odd.length - 8);
    expect(new DataView(odd.buffer).getUint32(40, true)).toBe(3);
  });

  it('clips out-of-range PCM samples to the integer range', async () => {
    const bytes = encodeWav(createAudioData([new Float32Array([1, 2, -1, -3])], 8000), { bitDepth: 16 });
    expect(Array.from(new Int16Array(bytes.slice(44).buffer))).toEqual([32767, 32767, -32768, -32768]);
  });

  it('writes a valid empty WAV for zero-length audio, which decodeAudio rejects as zero-length', async () => {
    const bytes = encodeWav({ channels: [new Float32Array(0)], sampleRate: 8000 });
    expect(bytes.length).toBe(44);
    const e = await rejection(decodeAudio(bytes, { fileName: 'empty.wav' }), AudioError);
    expect(e.message).toContain('empty.wav');
    expect(e.message).toContain('zero-length');
    expect(e.offset).toBe(36);
  });
});

describe('WAV sample formats, hand-built', () => {
  it('8-bit PCM is unsigned with 128 as zero', async () => {
    const bytes = riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 8 })), chunk('data', Uint8Array.of(0, 128, 255))]);
    const audio = await decodeAudio(bytes);
    expect(Array.from(audio.channels[0])).toEqual([-1, 0, 127 / 128]);
    expect(audio.bitsPerSample).toBe(8);
  });

  it('16-bit PCM: extremes and interleaving', async () => {
    const audio = await decodeAudio(pcm16([-32768, 1, 0, 32767, 16384, -16384], 2));
    expect(Array.from(audio.channels[0])).toEqual([-1, 0, 0.5]);
    expect(Array.from(audio.channels[1])).toEqual([1 / 32768, 32767 / 32768, -0.5]);
  });

  it('24-bit and 32-bit PCM extremes', async () => {
    const b24 = Uint8Array.of(0x00, 0x00, 0x80, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x40);
    const a24 = await decodeAudio(riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 24 })), chunk('data', b24)]));
    expect(Array.from(a24.channels[0])).toEqual([-1, Math.fround(8388607 / 8388608), -1 / 8388608, 0.5]);
    const b32 = concat(u32(0x80000000), u32(0x7fffffff), u32(0xffffffff), u32(0x40000000));
    const a32 = await decodeAudio(riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 32 })), chunk('data', b32)]));
    expect(Array.from(a32.channels[0])).toEqual([-1, Math.fround(2147483647 / 2147483648), Math.fround(-1 / 2147483648), 0.5]);
  });

  it('float samples outside [-1, 1] are kept', async () => {
    const body = new Uint8Array(8);
    new DataView(body.buffer).setFloat32(0, 3.5, true);
    new DataView(body.buffer).setFloat32(4, -2, true);
    const audio = await decodeAudio(riffWave([chunk('fmt ', fmtBody({ formatTag: 3, channels: 1, sampleRate: 8000, bitsPerSample: 32 })), chunk('data', body)]));
    expect(Array.from(audio.channels[0])).toEqual([3.5, -2]);
  });

  it('12-bit PCM in a 16-bit container, and EXTENSIBLE 20 valid bits in a 24-bit container', async () => {
    const a12 = await decodeAudio(riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 12, blockAlign: 2 })), chunk('data', int16Bytes([0x7ff0, -0x8000]))]));
    expect(Array.from(a12.channels[0])).toEqual([0x7ff0 / 32768, -1]);
    expect(a12.bitsPerSample).toBe(12);
    const fmt = fmtExtensibleBody({ formatTag: 0xfffe, channels: 2, sampleRate: 96000, bitsPerSample: 24, validBits: 20, subFormat: 1 });
    const a20 = await decodeAudio(riffWave([chunk('fmt ', fmt), chunk('data', Uint8Array.of(0x00, 0x00, 0x40, 0x00, 0x00, 0xc0))]));
    expect(a20.numberOfChannels).toBe(2);
    expect(a20.sampleRate).toBe(96000);
    expect(a20.bitsPerSample).toBe(20);
    expect(Array.from(a20.channels[0])).toEqual([0.5]);
    expect(Array.from(a20.channels[1])).toEqual([-0.5]);
  });

  it('EXTENSIBLE float 64-bit sub-format', async () => {
    const fmt = fmtExtensibleBody({ formatTag: 0xfffe, channels: 1, sampleRate: 8000, bitsPerSample: 64, validBits: 64, subFormat: 3 });
    const body = new Uint8Array(16);
    new DataView(body.buffer).setFloat64(0, 0.1, true);
    new DataView(body.buffer).setFloat64(8, -0.75, true);
    const audio = await decodeAudio(riffWave([chunk('fmt ', fmt), chunk('data', body)]));
    expect(Array.from(audio.channels[0])).toEqual([Math.fround(0.1), -0.75]);
  });

  it('skips unknown chunks, odd-sized chunks with their pad byte, and chunks after data', async () => {
    const bytes = riffWave([
      chunk('JUNK', new Uint8Array(3)), // odd: 3 bytes + pad
      chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 })),
      chunk('LIST', ascii('INFOISFT\x05\x00\x00\x00abcd\x00')), // odd again
      chunk('data', int16Bytes([100, -100])),
      chunk('id3 ', new Uint8Array(11)),
    ]);
    const audio = await decodeAudio(bytes);
    expect(Array.from(audio.channels[0])).toEqual([100 / 32768, -100 / 32768]);
  });

  it("reads 'fmt ' placed after 'data'", async () => {
    const bytes = riffWave([chunk('data', int16Bytes([1, 2, 3])), chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 }))]);
    expect((await decodeAudio(bytes)).length).toBe(3);
  });

  it('odd-sized 8-bit data chunk without a trailing pad byte', async () => {
    const bytes = riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 8 })), chunk('data', Uint8Array.of(128, 129, 130), 3, false)]);
    expect((await decodeAudio(bytes)).length).toBe(3);
  });

  it('ignores a wrong RIFF size and trailing bytes after the data chunk', async () => {
    const bytes = concat(pcm16([5, 6]), ascii('TAG garbage after the RIFF'));
    new DataView(bytes.buffer).setUint32(4, 0xffffffff, true);
    expect(Array.from((await decodeAudio(bytes)).channels[0])).toEqual([5 / 32768, 6 / 32768]);
    new DataView(bytes.buffer).setUint32(4, 0, true);
    expect((await decodeAudio(bytes)).length).toBe(2);
  });

  it('RF64 and BW64 with a ds64 chunk', async () => {
    const data = int16Bytes([1000, -1000, 2000, -2000]);
    const ds64 = concat(u32(0), u32(0), u32(data.length), u32(0), u32(4), u32(0), u32(0));
    for (const container of ['RF64', 'BW64']) {
      const bytes = riffWave([chunk('ds64', ds64), chunk('fmt ', fmtBody({ formatTag: 1, channels: 2, sampleRate: 44100, bitsPerSample: 16 })), chunk('data', data, 0xffffffff)], container);
      const audio = await decodeAudio(bytes);
      expect(audio.format).toBe('wav');
      expect(Array.from(audio.channels[1])).toEqual([-1000 / 32768, -2000 / 32768]);
    }
  });

  it('detectAudioFormat recognises WAV, RF64 and rejects other bytes', () => {
    expect(detectAudioFormat(pcm16([1]))).toBe('wav');
    expect(detectAudioFormat(riffWave([], 'RF64'))).toBe('wav');
    expect(detectAudioFormat(ascii('hello world'))).toBeUndefined();
    expect(detectAudioFormat(new Uint8Array(0))).toBeUndefined();
    syncError(() => detectAudioFormat('file.wav' as any), InvalidArgumentError);
  });
});

describe('WAV errors', () => {
  const fmt16 = chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 }));

  it('truncated data chunk: CorruptFileError naming the file and the byte offset', async () => {
    const full = pcm16([1, 2, 3, 4, 5, 6]);
    const cut = full.subarray(0, full.length - 5);
    const e = await rejection(decodeAudio(cut, { fileName: 'cut.wav' }), CorruptFileError);
    expect(e.file).toBe('cut.wav');
    expect(e.offset).toBe(36);
    expect(e.message).toMatch(/^cut\.wav: 'data' chunk at byte 36 declares 12 bytes of samples but the file ends at byte 51/);
    expect(e.message).toContain('allowTruncated');
  });

  it('allowTruncated decodes the complete samples present and warns', async () => {
    const full = pcm16([1, 2, 3, 4, 5, 6]);
    const warnings: string[] = [];
    const audio = await decodeAudio(full.subarray(0, full.length - 5), { fileName: 'cut.wav', allowTruncated: true, onWarning: (m) => warnings.push(m) });
    expect(Array.from(audio.channels[0])).toEqual([1, 2, 3].map((v) => v / 32768));
    // Two problems: the data ends early, and it ends inside a sample.
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('cut.wav');
  });

  it('allowTruncated warns through console.warn by default', async () => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const full = pcm16([1, 2, 3, 4]);
      await decodeAudio(full.subarray(0, full.length - 2), { allowTruncated: true });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('data size of 0xFFFFFFFF (streaming writer): error by default, decodable with allowTruncated', async () => {
    const bytes = riffWave([fmt16, chunk('data', int16Bytes([7, 8]), 0xffffffff)]);
    const e = await rejection(decodeAudio(bytes), CorruptFileError);
    expect(e.message).toContain('0xFFFFFFFF');
    const audio = await decodeAudio(bytes, { allowTruncated: true, onWarning: () => {} });
    expect(audio.length).toBe(2);
  });

  it('data size not a multiple of the block align', async () => {
    const bytes = riffWave([fmt16, chunk('data', Uint8Array.of(1, 0, 2, 0, 3))]);
    const e = await rejection(decodeAudio(bytes, { fileName: 'odd.wav' }), CorruptFileError);
    expect(e.message).toContain('not a whole number of 2-byte sample frames');
    expect(e.offset).toBe(48);
  });

  it('missing chunks and short headers', async () => {
    let e = await rejection(decodeAudio(riffWave([chunk('data', int16Bytes([1]))]), { fileName: 'nofmt.wav' }), CorruptFileError);
    expect(e.message).toMatch(/^nofmt\.wav: no 'fmt ' chunk/);
    e = await rejection(decodeAudio(riffWave([fmt16])), CorruptFileError);
    expect(e.message).toContain("no 'data' chunk");
    e = await rejection(decodeAudio(riffWave([])), CorruptFileError);
    expect(e.message).toContain("no 'fmt ' chunk");
    e = await rejection(decodeAudio(riffWave([chunk('fmt ', new Uint8Array(14)), chunk('data', int16Bytes([1]))])), CorruptFileError);
    expect(e.message).toContain('14 bytes long, needs at least 16');
    expect(e.offset).toBe(12);
    // fmt chunk cut by the end of the file
    e = await rejection(decodeAudio(pcm16([1]).subarray(0, 30)), CorruptFileError);
    expect(e.message).toContain("'fmt ' chunk at byte 12 declares 16 bytes but the file ends at byte 30");
    // an unknown chunk whose size runs past the end, before any data
    e = await rejection(decodeAudio(riffWave([fmt16, chunk('LIST', new Uint8Array(4), 1000), chunk('data', int16Bytes([1]))])), CorruptFileError);
    expect(e.message).toContain("chunk 'LIST' at byte 36 declares 1000 bytes");
    expect(e.offset).toBe(36);
    // EXTENSIBLE tag with a 16-byte chunk
    e = await rejection(decodeAudio(riffWave([chunk('fmt ', fmtBody({ formatTag: 0xfffe, channels: 1, sampleRate: 8000, bitsPerSample: 16 })), chunk('data', int16Bytes([1]))])), CorruptFileError);
    expect(e.message).toContain('WAVE_FORMAT_EXTENSIBLE needs a 40-byte chunk');
  });

  it('RF64 without ds64', async () => {
    const bytes = riffWave([fmt16, chunk('data', int16Bytes([1]), 0xffffffff)], 'RF64');
    const e = await rejection(decodeAudio(bytes), CorruptFileError);
    expect(e.message).toContain("defers its size to a 'ds64' chunk, but there is none");
  });

  it('sample rate 0: AudioError naming the field and offset', async () => {
    const bytes = riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 0, bitsPerSample: 16, byteRate: 0 })), chunk('data', int16Bytes([1]))]);
    const e = await rejection(decodeAudio(bytes, { fileName: 'sr0.wav' }), AudioError);
    expect(e.code).toBe('INVALID_AUDIO');
    expect(e.field).toBe('sampleRate');
    expect(e.offset).toBe(24);
    expect(e.message).toContain('sr0.wav');
    expect(e.message).toContain('sample rate of 0 Hz');
  });

  it('zero channels, zero bits and an inconsistent block align', async () => {
    let e = await rejection(decodeAudio(riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 0, sampleRate: 8000, bitsPerSample: 16, blockAlign: 2 })), chunk('data', int16Bytes([1]))])), CorruptFileError);
    expect(e.message).toContain('0 channels');
    expect(e.offset).toBe(22);
    e = await rejection(decodeAudio(riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 0, blockAlign: 2 })), chunk('data', int16Bytes([1]))])), CorruptFileError);
    expect(e.message).toContain('0 bits per sample');
    e = await rejection(decodeAudio(riffWave([chunk('fmt ', fmtBody({ formatTag: 1, channels: 2, sampleRate: 8000, bitsPerSample: 16, blockAlign: 0 })), chunk('data', int16Bytes([1, 2]))])), CorruptFileError);
    expect(e.message).toContain('block align is 0 bytes but 2 channel(s) of 16-bit samples need 4');
    expect(e.offset).toBe(32);
  });

  it('unsupported sample formats: UnsupportedFormatError naming the format', async () => {
    const cases: Array<[ReturnType<typeof fmtBody>, string]> = [
      [fmtBody({ formatTag: 7, channels: 1, sampleRate: 8000, bitsPerSample: 8 }), 'mu-law'],
      [fmtBody({ formatTag: 2, channels: 1, sampleRate: 8000, bitsPerSample: 4, blockAlign: 256 }), 'Microsoft ADPCM'],
      [fmtBody({ formatTag: 0x1234, channels: 1, sampleRate: 8000, bitsPerSample: 16 }), '0x1234 (unknown)'],
      [fmtBody({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 40 }), '40-bit PCM'],
      [fmtBody({ formatTag: 3, channels: 1, sampleRate: 8000, bitsPerSample: 16 }), '16-bit IEEE float'],
      [fmtExtensibleBody({ formatTag: 0xfffe, channels: 1, sampleRate: 8000, bitsPerSample: 16, validBits: 16, subFormat: 1, guidTail: new Array(12).fill(7) }), 'sub-format GUID'],
    ];
    for (const [fmt, text] of cases) {
      const e = await rejection(decodeAudio(riffWave([chunk('fmt ', fmt), chunk('data', new Uint8Array(16))]), { fileName: 'x.wav' }), UnsupportedFormatError);
      expect(e.message).toContain(text);
      expect(e.message).toMatch(/^x\.wav: /);
    }
  });

  it('NaN and infinite float samples: NonFiniteError with channel, index and byte offset', async () => {
    const audio = createAudioData([new Float32Array([0.5, 0.25]), new Float32Array([0.1, 0.2])], 8000);
    const f32 = encodeWav(audio, { float: true });
    // data starts at 58 (fmt 18 + fact 12); sample 1 of channel 1 is the 4th float.
    new DataView(f32.buffer).setFloat32(58 + 12, NaN, true);
    let e = await rejection(decodeAudio(f32, { fileName: 'nan.wav' }), NonFiniteError);
    expect(e.code).toBe('NON_FINITE');
    expect(e.offset).toBe(70);
    expect(e.message).toBe('nan.wav: sample 1 of channel 1 (byte 70) is NaN; float WAV samples must be finite');
    const f64 = encodeWav(audio, { float: true, bitDepth: 64 });
    new DataView(f64.buffer).setFloat64(58, -Infinity, true);
    e = await rejection(decodeAudio(f64), NonFiniteError);
    expect(e.message).toContain('-Infinity');
    new DataView(f64.buffer).setFloat64(58, 1e300, true);
    e = await rejection(decodeAudio(f64), NonFiniteError);
    expect(e.message).toContain('is 1e+300, beyond the float32 range');
  });

  it('RIFX (big-endian) WAV is unsupported', async () => {
    const bytes = pcm16([1]);
    bytes.set(ascii('RIFX'), 0);
    const e = await rejection(decodeAudio(bytes), UnsupportedFormatError);
    expect(e.message).toContain('big-endian');
  });
});

describe('non-audio input', () => {
  const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52);
  const cases: Array<[string, Uint8Array, string]> = [
    ['a text file', ascii('0.528254 \t SD \n1.0 KD\n'), 'text file (starts with "0.528254 SD 1.0 KD")'],
    ['a PNG image', png, 'PNG image'],
    ['an empty file', new Uint8Array(0), 'empty file'],
    ['a MIDI file', concat(ascii('MThd'), u32(0x06000000), new Uint8Array(6)), 'MIDI file'],
    ['JSON', ascii('{"events": []}'), 'text file'],
    ['binary noise', Uint8Array.of(0, 1, 2, 3, 250, 251, 252, 253), 'first bytes 00 01 02 03 fa fb fc fd'],
    ['an ID3 tag only', concat(ascii('ID3'), Uint8Array.of(4, 0, 0, 0, 0, 0, 2), new Uint8Array(2)), 'ID3 tag with no audio'],
    ['a ZIP archive', concat(ascii('PK\x03\x04'), new Uint8Array(20)), 'ZIP'],
    ['an AIFF file', concat(ascii('FORM'), u32(4), ascii('AIFF')), 'AIFF'],
  ];
  for (const [name, bytes, text] of cases) {
    it(`${name}: UnsupportedFormatError saying what it looks like`, async () => {
      const e = await rejection(decodeAudio(bytes, { fileName: 'input.bin' }), UnsupportedFormatError);
      expect(e.code).toBe('UNSUPPORTED_FORMAT');
      expect(e.file).toBe('input.bin');
      expect(e.message).toMatch(/^input\.bin: /);
      expect(e.message).toContain(text);
    });
  }

  it('without a file name the message says <audio bytes>', async () => {
    const e = await rejection(decodeAudio(ascii('hello')), UnsupportedFormatError);
    expect(e.message).toMatch(/^<audio bytes>: /);
    expect(e.file).toBeUndefined();
  });

  it('wrong argument types: InvalidArgumentError, never a TypeError', async () => {
    const e = await rejection(decodeAudio('song.wav' as any), InvalidArgumentError);
    expect(e.message).toContain('readAudioFile');
    await rejection(decodeAudio(null as any), InvalidArgumentError);
    await rejection(decodeAudio(42 as any), InvalidArgumentError);
    await rejection(decodeAudio([1, 2, 3] as any), InvalidArgumentError);
    await rejection(decodeAudio(pcm16([1]), { fileName: 3 as any }), InvalidArgumentError);
    await rejection(decodeAudio(pcm16([1]), { onWarning: 'x' as any }), InvalidArgumentError);
    // Other typed-array views are read as bytes.
    const bytes = pcm16([1, 2]);
    expect((await decodeAudio(new DataView(bytes.buffer) as any)).length).toBe(2);
  });
});

describe('encodeWav errors', () => {
  const mono = createAudioData([new Float32Array([0, 0.5])], 8000);
  it('rejects unsupported bit depths', () => {
    let e = syncError(() => encodeWav(mono, { bitDepth: 12 as any }), InvalidArgumentError);
    expect(e.message).toContain('bitDepth is 12; expected one of 8, 16, 24, 32 for PCM');
    e = syncError(() => encodeWav(mono, { bitDepth: 64 }), InvalidArgumentError);
    expect(e.message).toContain('64-bit needs float: true');
    syncError(() => encodeWav(mono, { bitDepth: 16, float: true }), InvalidArgumentError);
  });
  it('rejects bad audio', () => {
    syncError(() => encodeWav({ channels: [new Float32Array([NaN])], sampleRate: 8000 }), NonFiniteError);
    syncError(() => encodeWav({ channels: [new Float32Array(2), new Float32Array(3)], sampleRate: 8000 }), ShapeError);
    syncError(() => encodeWav({ channels: [], sampleRate: 8000 }), ShapeError);
    const e = syncError(() => encodeWav({ channels: [new Float32Array(2)], sampleRate: 0 }), AudioError);
    expect(e.message).toContain('sampleRate is 0');
    syncError(() => encodeWav({ channels: [new Float32Array(2)], sampleRate: 44100.5 }), AudioError);
    syncError(() => encodeWav({ channels: [[0, 1] as any], sampleRate: 8000 }), InvalidArgumentError);
    syncError(() => encodeWav(null as any), InvalidArgumentError);
  });
});

describe('createAudioData and downmixToMono', () => {
  it('createAudioData wraps Float32Arrays and converts number arrays', () => {
    const left = new Float32Array([0.1, 0.2]);
    const audio = createAudioData([left, [0.3, 0.4]], 16000);
    expect(audio.channels[0]).toBe(left);
    expect(audio.channels[1]).toBeInstanceOf(Float32Array);
    expect(audio).toMatchObject({ sampleRate: 16000, numberOfChannels: 2, length: 2, durationSeconds: 2 / 16000, format: 'raw' });
  });

  it('createAudioData validates', () => {
    syncError(() => createAudioData([], 8000), ShapeError);
    syncError(() => createAudioData([[1], [1, 2]], 8000), ShapeError);
    syncError(() => createAudioData([[]], 8000), AudioError);
    syncError(() => createAudioData([[0]], 0), AudioError);
    syncError(() => createAudioData([[0]], -44100), AudioError);
    syncError(() => createAudioData([[0, Infinity]], 8000), NonFiniteError);
    syncError(() => createAudioData('abc' as any, 8000), InvalidArgumentError);
    syncError(() => createAudioData([null as any], 8000), InvalidArgumentError);
  });

  it('downmixToMono is the mean of the channels', () => {
    const stereo = createAudioData([new Float32Array([1, 0, -1]), new Float32Array([0, 0.5, -1])], 8000);
    expect(Array.from(downmixToMono(stereo))).toEqual([0.5, 0.25, -1]);
    const three = createAudioData([[0.3, 1], [0.6, 1], [0.9, -1]], 8000);
    const mono3 = downmixToMono(three);
    expect(mono3[0]).toBeCloseTo(0.6, 6);
    expect(mono3[1]).toBeCloseTo(1 / 3, 6);
  });

  it('downmixToMono of mono audio is a copy', () => {
    const audio = createAudioData([new Float32Array([0.1, 0.2])], 8000);
    const mono = downmixToMono(audio);
    expect(mono).not.toBe(audio.channels[0]);
    expect(Array.from(mono)).toEqual(Array.from(audio.channels[0]));
  });

  it('downmixToMono validates its input', () => {
    const bad = { channels: [new Float32Array(2), new Float32Array(1)], sampleRate: 8000 } as AudioData;
    const e = syncError(() => downmixToMono(bad), ShapeError);
    expect(e.message).toContain('downmixToMono: audio.channels[1] has 1 samples but channels[0] has 2');
    syncError(() => downmixToMono({ channels: [], sampleRate: 8000 } as unknown as AudioData), ShapeError);
    syncError(() => downmixToMono(undefined as any), InvalidArgumentError);
  });
});
