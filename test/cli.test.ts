/**
 * CLI without TensorFlow.js work: help, error lines and exit statuses, `eval` on text files
 * (numbers worked out by hand), `spectrogram` (a valid PNG of the right size). Child processes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32 } from '../src/cli/png.js';
import { ProgressBar } from '../src/cli/progress.js';
import { createAudioData, encodeWav } from '../src/io/index.js';
import { adtkit, lines } from './helpers/cli.js';
import { clicks, SR } from './helpers/transcribeModels.js';

const dir = mkdtempSync(join(tmpdir(), 'adtkit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('help and errors', () => {
  it('prints help for the program and each command', () => {
    const main = adtkit(['--help']);
    expect(main.status).toBe(0);
    expect(main.stdout).toMatch(/^Usage: adtkit <command>/);
    for (const command of ['transcribe', 'eval', 'train', 'spectrogram']) expect(main.stdout).toContain(`  ${command} `);
    const help = adtkit(['help', 'eval']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: adtkit eval <estimates> <references>/);
    for (const command of ['transcribe', 'train', 'spectrogram']) {
      const r = adtkit([command, '--help']);
      expect(r.status, command).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: adtkit ${command} `));
    }
    const version = adtkit(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('ends with a non-zero status and one line on stderr', () => {
    const cases: Array<[string[], number, RegExp]> = [
      [[], 2, /^Usage: adtkit/],
      [['frobnicate'], 2, /^adtkit: unknown command "frobnicate"; commands: transcribe, eval, train, spectrogram \(see "adtkit --help"\)$/],
      [['transcribe', '--bogus', 'x.wav'], 2, /^adtkit transcribe: unknown option --bogus \(see "adtkit transcribe --help"\)$/],
      [['transcribe'], 2, /^adtkit transcribe: no audio file given/],
      [['transcribe', join(dir, 'missing.wav')], 1, /^adtkit transcribe: audio file ".*missing\.wav" does not exist$/],
      [['eval', join(dir, 'a.txt')], 2, /^adtkit eval: expected <estimates> <references>, got 1 argument/],
      [['eval', join(dir, 'nope.txt'), join(dir, 'nope2.txt')], 1, /^adtkit eval: cannot read ".*nope\.txt": no such file$/],
      [['eval', 'x.txt', 'y.txt', '--window=-1'], 2, /^adtkit eval: --window must be a positive number of seconds, got "-1"/],
      [['eval', 'x.txt', 'y.txt', '--mapping', 'gm'], 2, /^adtkit eval: --mapping "gm" is not a built-in mapping; choose one of default, thesis-gm/],
      [['spectrogram', 'x.wav', '-o', 'x.jpg'], 2, /^adtkit spectrogram: the output must be a \.png file/],
      [['train', join(dir, 'nothing.json')], 1, /^adtkit train: .*nothing\.json: no such file$/],
      [['transcribe', join(import.meta.dirname, '..', 'examples', 'audio', 'demo.wav'), '--threads', '0'], 2, /^adtkit transcribe: --threads must be an integer from 1 to 8, got "0"/],
    ];
    for (const [args, status, pattern] of cases) {
      const r = adtkit(args);
      expect(r.status, args.join(' ')).toBe(status);
      if (args.length === 0) {
        expect(r.stdout).toMatch(pattern);
        continue;
      }
      expect(lines(r.stderr), args.join(' ')).toHaveLength(1);
      expect(r.stderr.trim(), args.join(' ')).toMatch(pattern);
      expect(r.stdout).toBe('');
    }
  });

  it('prints the stack with --verbose', () => {
    const r = adtkit(['eval', join(dir, 'nope.txt'), join(dir, 'nope2.txt'), '--verbose']);
    expect(r.status).toBe(1);
    expect(lines(r.stderr).length).toBeGreaterThan(2);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});

describe('adtkit eval', () => {
  // Worked out by hand (mir_eval rule |est - ref| <= 0.05, one-to-one):
  // KD: refs 1.0, 2.0; ests 1.02 (hit), 3.0 (miss)  -> TP 1, FP 1, FN 1 -> P = R = F = 0.5
  // SD: ref 1.5; est 1.56 (0.06 away)               -> TP 0, FP 1, FN 1 -> 0
  // HH: refs 0.5, 0.6; ests 0.53, 0.6 (both hit)   -> TP 2, FP 0, FN 0 -> 1
  // TT, CY: empty                                    -> 0 (mir_eval convention)
  // micro: TP 3, FP 2, FN 2 -> P = R = F = 0.6; macro F = (0.5 + 0 + 0 + 1 + 0) / 5 = 0.3
  const est = '1.02\tKD\n3.0\tKD\n1.56\tSD\n0.53\tHH\n0.6\tHH\n';
  const ref = '0.5 \t CHH \n0.6\tOHH\n1.0\tKD\n1.5\tSD\n2.0\tKD\n';

  it('scores two files: per class, micro and macro', () => {
    writeFileSync(join(dir, 'song.est.txt'), est);
    writeFileSync(join(dir, 'song.ref.txt'), ref);
    const r = adtkit(['eval', join(dir, 'song.est.txt'), join(dir, 'song.ref.txt'), '--mapping', 'mdb', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const scores = JSON.parse(r.stdout);
    expect(scores.files).toBe(1);
    const kd = scores.perClass[0];
    expect([kd.className, kd.truePositives, kd.falsePositives, kd.falseNegatives, kd.precision, kd.recall, kd.f1]).toEqual(['KD', 1, 1, 1, 0.5, 0.5, 0.5]);
    expect(scores.perClass[1]).toMatchObject({ className: 'SD', truePositives: 0, falsePositives: 1, falseNegatives: 1, f1: 0 });
    expect(scores.perClass[3]).toMatchObject({ className: 'HH', truePositives: 2, falsePositives: 0, falseNegatives: 0, f1: 1 });
    expect(scores.micro).toMatchObject({ truePositives: 3, falsePositives: 2, falseNegatives: 2 });
    expect(scores.micro.f1).toBeCloseTo(0.6, 12);
    expect(scores.macro.f1).toBeCloseTo(0.3, 12);
    // The table says the same.
    const table = adtkit(['eval', join(dir, 'song.est.txt'), join(dir, 'song.ref.txt'), '--mapping', 'mdb']);
    expect(table.stdout).toMatch(/^KD\s+1\s+1\s+1\s+0\.500\s+0\.500\s+0\.500$/m);
    expect(table.stdout).toMatch(/^micro\s+3\s+2\s+2\s+0\.600\s+0\.600\s+0\.600$/m);
    expect(table.stdout).toMatch(/^macro\s+0\.\d{3}\s+0\.\d{3}\s+0\.300$/m);
    // A wider window turns the SD miss into a hit: micro TP 4, FP 1, FN 1.
    const wide = JSON.parse(adtkit(['eval', join(dir, 'song.est.txt'), join(dir, 'song.ref.txt'), '--mapping', 'mdb', '--window', '0.07', '--json']).stdout);
    expect(wide.micro).toMatchObject({ truePositives: 4, falsePositives: 1, falseNegatives: 1 });
  });

  it('pairs the files of two directories by name and sums the counts', () => {
    const estDir = join(dir, 'est');
    const refDir = join(dir, 'ref');
    mkdirSync(estDir, { recursive: true });
    mkdirSync(refDir, { recursive: true });
    writeFileSync(join(estDir, 'a.mix.txt'), est);
    writeFileSync(join(estDir, 'b.mix.txt'), '0.5\tHH\n');
    writeFileSync(join(refDir, 'a.subclass.txt'), ref);
    writeFileSync(join(refDir, 'b.subclass.txt'), '0.5\tCHH\n0.7\tSST\n');
    writeFileSync(join(refDir, 'b.class.txt'), '0.5\tHH\n');
    const ambiguous = adtkit(['eval', estDir, refDir, '--mapping', 'mdb']);
    expect(ambiguous.status).toBe(2);
    expect(ambiguous.stderr.trim()).toMatch(/"b\.class\.txt" and "b\.subclass\.txt" in .* both pair as "b"; pick one kind with --reference-suffix/);
    const r = adtkit(['eval', estDir, refDir, '--mapping', 'mdb', '--reference-suffix', '.subclass.txt', '--json']);
    expect(r.status).toBe(0);
    const scores = JSON.parse(r.stdout);
    expect(scores.files).toBe(2);
    // File b adds HH TP 1 and an SD FN (SST is a snare in the mdb mapping).
    expect(scores.micro).toMatchObject({ truePositives: 4, falsePositives: 2, falseNegatives: 3 });
    expect(scores.perFile.map((f: { file: string }) => f.file)).toEqual(['a', 'b']);
  });
});

describe('adtkit spectrogram', () => {
  it('writes a PNG of frames × (lanes + bands) pixels with valid chunks', () => {
    const wav = join(dir, 'clicks.wav');
    writeFileSync(wav, encodeWav(createAudioData([clicks([20, 70, 120], 1.5)], SR)));
    writeFileSync(join(dir, 'onsets.txt'), '0.2\tKD\n0.7\tSD\n1.2\tHH\n');
    const png = join(dir, 'spec.png');
    const r = adtkit(['spectrogram', wav, '-o', png, '--annotations', join(dir, 'onsets.txt')]);
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr)).toHaveLength(1);
    const bytes = new Uint8Array(readFileSync(png));
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const chunks: { type: string; data: Uint8Array }[] = [];
    for (let at = 8; at < bytes.length;) {
      const length = view.getUint32(at);
      const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
      const data = bytes.subarray(at + 8, at + 8 + length);
      expect(view.getUint32(at + 8 + length), `CRC of ${type}`).toBe(crc32(bytes.subarray(at + 4, at + 8 + length)));
      chunks.push({ type, data });
      at += 12 + length;
    }
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = new DataView(chunks[0].data.buffer, chunks[0].data.byteOffset);
    const frames = 1 + Math.floor((1.5 * SR) / 441);
    const height = 5 * 8 + 2 + 84 * 3;
    expect([ihdr.getUint32(0), ihdr.getUint32(4), chunks[0].data[8], chunks[0].data[9]]).toEqual([frames, height, 8, 2]);
    expect(inflateSync(chunks[1].data).length).toBe(height * (frames * 3 + 1));
    // The known CRC-32 check value.
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('ProgressBar', () => {
  it('draws on a terminal only, within its width, and erases itself', () => {
    const written: string[] = [];
    const tty = { isTTY: true, columns: 60, write: (t: string) => written.push(t) };
    const bar = new ProgressBar(tty);
    bar.update(0.5, 'song.wav', '3/6 windows');
    expect(written).toHaveLength(1);
    expect(written[0]).toBe('\r\x1b[2Ksong.wav [############------------]  50%  3/6 windows');
    bar.update(0.6, 'song.wav'); // within 100 ms of the last draw: skipped
    expect(written).toHaveLength(1);
    bar.update(1, 'a very long label that does not fit in sixty columns at all', 'and more');
    expect(written[1].length).toBeLessThanOrEqual('\r\x1b[2K'.length + 59);
    bar.clear();
    expect(written[2]).toBe('\r\x1b[2K');
    const piped: string[] = [];
    const quiet = new ProgressBar({ isTTY: false, write: (t: string) => piped.push(t) });
    quiet.update(1, 'x');
    quiet.clear();
    new ProgressBar(tty, false).update(1, 'x');
    expect(piped).toEqual([]);
    expect(written).toHaveLength(3);
  });
});
