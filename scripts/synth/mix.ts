/**
 * Mixing and "mastering" of the rendered stems: biquad EQ (RBJ cookbook), convolution reverb
 * with a seeded synthetic impulse response (fft.js), a feed-forward compressor, clipping,
 * noise floor, level balance and peak normalization. All in float64 on mono signals.
 *
 * Parameters are drawn by {@link drawMixParams} (pure, seeded); {@link mixExample} applies
 * them. None of these stages moves the onsets: the reverb keeps the dry path and delays only
 * the wet one, the filters are causal IIR with no pre-ringing.
 */
import FFT from 'fft.js';
import type { Rng } from './rng.js';

/** One biquad filter stage. */
export interface EqBand {
  type: 'lowShelf' | 'highShelf' | 'peak' | 'lowPass' | 'highPass';
  /** Corner / centre frequency [Hz]. */
  frequencyHz: number;
  /** Gain [dB] (shelves and peak). */
  gainDb: number;
  /** Quality factor. */
  q: number;
}

/** Synthetic-room reverb settings. */
export interface ReverbParams {
  /** Decay time to -60 dB [s]. */
  rt60Seconds: number;
  /** Wet-path delay [s]. */
  preDelaySeconds: number;
  /** Energy of the wet path relative to the dry signal [dB] (minus the direct-to-reverberant ratio). */
  wetDb: number;
  /** Low-pass corner of the tail [Hz] (air absorption). */
  dampingHz: number;
  /** Seed text of the impulse-response noise. */
  seed: string;
}

/** Compressor settings. */
export interface CompressorParams {
  thresholdDb: number;
  ratio: number;
  attackSeconds: number;
  releaseSeconds: number;
}

/** All mixing parameters of one example (stored in its metadata). */
export interface MixParams {
  /** Drum-bus RMS minus accompaniment RMS [dB] (ignored without accompaniment). */
  drumToAccompanimentDb: number;
  drumEq: EqBand[];
  accompanimentEq: EqBand[];
  drumCompressor: CompressorParams | null;
  /** Extra convolution reverb on the drum bus and on the accompaniment (null: fluidsynth's only). */
  drumReverb: ReverbParams | null;
  accompanimentReverb: ReverbParams | null;
  masterEq: EqBand[];
  masterCompressor: CompressorParams | null;
  /** Soft-clip drive (tanh), or null. */
  softClipDrive: number | null;
  /** Noise floor relative to the mix RMS [dB], or null. */
  noise: { levelDb: number; color: 'white' | 'pink'; humHz: number | null } | null;
  /** Final peak level [dBFS]. */
  peakDbfs: number;
}

function drawEq(rng: Rng, maxBands: number): EqBand[] {
  const bands: EqBand[] = [];
  if (rng.chance(0.6)) bands.push({ type: 'lowShelf', frequencyHz: rng.logUniform(60, 250), gainDb: rng.uniform(-6, 6), q: 0.707 });
  if (rng.chance(0.6)) bands.push({ type: 'highShelf', frequencyHz: rng.logUniform(2500, 10000), gainDb: rng.uniform(-8, 6), q: 0.707 });
  if (rng.chance(0.4)) bands.push({ type: 'peak', frequencyHz: rng.logUniform(200, 5000), gainDb: rng.uniform(-6, 6), q: rng.uniform(0.5, 2) });
  return bands.slice(0, maxBands);
}

function drawReverb(rng: Rng, label: string): ReverbParams {
  return {
    rt60Seconds: rng.logUniform(0.2, 2.2), preDelaySeconds: rng.uniform(0, 0.03), wetDb: rng.uniform(-20, -4),
    dampingHz: rng.logUniform(2000, 12000), seed: `${rng.seedText}/${label}`,
  };
}

function drawCompressor(rng: Rng): CompressorParams {
  return { thresholdDb: rng.uniform(-30, -10), ratio: rng.uniform(2, 8), attackSeconds: rng.logUniform(0.001, 0.03), releaseSeconds: rng.logUniform(0.04, 0.4) };
}

/**
 * Draws the mixing parameters of one example.
 *
 * @param rng - random stream
 * @returns the parameters
 */
export function drawMixParams(rng: Rng): MixParams {
  const masterEq = drawEq(rng, 3);
  if (rng.chance(0.08)) masterEq.push({ type: 'lowPass', frequencyHz: rng.logUniform(3500, 9000), gainDb: 0, q: 0.707 });
  if (rng.chance(0.06)) masterEq.push({ type: 'highPass', frequencyHz: rng.logUniform(120, 400), gainDb: 0, q: 0.707 });
  return {
    drumToAccompanimentDb: rng.uniform(-12, 6),
    drumEq: drawEq(rng, 3),
    accompanimentEq: drawEq(rng, 3),
    drumCompressor: rng.chance(0.4) ? drawCompressor(rng) : null,
    drumReverb: rng.chance(0.35) ? drawReverb(rng, 'drumReverb') : null,
    accompanimentReverb: rng.chance(0.35) ? drawReverb(rng, 'accompanimentReverb') : null,
    masterEq,
    masterCompressor: rng.chance(0.3) ? drawCompressor(rng) : null,
    softClipDrive: rng.chance(0.1) ? rng.uniform(1.5, 4) : null,
    noise: rng.chance(0.7) ? { levelDb: rng.uniform(-70, -30), color: rng.chance(0.5) ? 'white' : 'pink', humHz: rng.chance(0.05) ? rng.pick([50, 60]) : null } : null,
    peakDbfs: rng.uniform(-8, -0.3),
  };
}

/** Applies one RBJ-cookbook biquad in place (transposed direct form II). */
export function applyBiquad(signal: Float64Array, band: EqBand, sampleRate: number): void {
  const w0 = (2 * Math.PI * Math.min(band.frequencyHz, sampleRate * 0.45)) / sampleRate;
  const cos = Math.cos(w0);
  const sin = Math.sin(w0);
  const A = Math.pow(10, band.gainDb / 40);
  const alpha = sin / (2 * band.q);
  let b0: number, b1: number, b2: number, a0: number, a1: number, a2: number;
  switch (band.type) {
    case 'lowShelf': {
      const s = 2 * Math.sqrt(A) * alpha;
      b0 = A * (A + 1 - (A - 1) * cos + s); b1 = 2 * A * (A - 1 - (A + 1) * cos); b2 = A * (A + 1 - (A - 1) * cos - s);
      a0 = A + 1 + (A - 1) * cos + s; a1 = -2 * (A - 1 + (A + 1) * cos); a2 = A + 1 + (A - 1) * cos - s;
      break;
    }
    case 'highShelf': {
      const s = 2 * Math.sqrt(A) * alpha;
      b0 = A * (A + 1 + (A - 1) * cos + s); b1 = -2 * A * (A - 1 + (A + 1) * cos); b2 = A * (A + 1 + (A - 1) * cos - s);
      a0 = A + 1 - (A - 1) * cos + s; a1 = 2 * (A - 1 - (A + 1) * cos); a2 = A + 1 - (A - 1) * cos - s;
      break;
    }
    case 'peak':
      b0 = 1 + alpha * A; b1 = -2 * cos; b2 = 1 - alpha * A; a0 = 1 + alpha / A; a1 = -2 * cos; a2 = 1 - alpha / A;
      break;
    case 'lowPass':
      b0 = (1 - cos) / 2; b1 = 1 - cos; b2 = (1 - cos) / 2; a0 = 1 + alpha; a1 = -2 * cos; a2 = 1 - alpha;
      break;
    case 'highPass':
      b0 = (1 + cos) / 2; b1 = -(1 + cos); b2 = (1 + cos) / 2; a0 = 1 + alpha; a1 = -2 * cos; a2 = 1 - alpha;
      break;
  }
  b0 /= a0; b1 /= a0; b2 /= a0; a1 /= a0; a2 /= a0;
  let z1 = 0;
  let z2 = 0;
  for (let i = 0; i < signal.length; i++) {
    const x = signal[i];
    const y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    signal[i] = y;
  }
}

/** Synthetic impulse response: seeded noise with an exponential decay, low-passed. */
export function makeImpulseResponse(params: ReverbParams, sampleRate: number, rng: Rng): Float64Array {
  const length = Math.round((params.preDelaySeconds + Math.min(params.rt60Seconds, 3)) * sampleRate);
  const ir = new Float64Array(length);
  const start = Math.round(params.preDelaySeconds * sampleRate);
  const decayPerSample = Math.log(1000) / (params.rt60Seconds * sampleRate);
  for (let i = start; i < length; i++) ir[i] = rng.normal() * Math.exp(-(i - start) * decayPerSample);
  applyBiquad(ir, { type: 'lowPass', frequencyHz: params.dampingHz, gainDb: 0, q: 0.707 }, sampleRate);
  // Total IR energy = wet/dry energy ratio (for broadband input the wet path then carries
  // wetDb relative to the dry signal).
  let energy = 0;
  for (let i = 0; i < length; i++) energy += ir[i] * ir[i];
  const scale = Math.pow(10, params.wetDb / 20) / Math.sqrt(energy + 1e-30);
  for (let i = 0; i < length; i++) ir[i] *= scale;
  return ir;
}

/** Adds `signal ⊛ ir` to `signal` (dry + wet), by FFT overlap-add. */
export function addConvolution(signal: Float64Array, ir: Float64Array): void {
  let size = 1;
  while (size < 2 * ir.length) size *= 2;
  size = Math.max(size, 1 << 14);
  const fft = new FFT(size);
  const block = size - ir.length + 1;
  const irPadded = new Array<number>(size).fill(0);
  for (let i = 0; i < ir.length; i++) irPadded[i] = ir[i];
  const irSpectrum = fft.createComplexArray() as number[];
  fft.realTransform(irSpectrum, irPadded);
  fft.completeSpectrum(irSpectrum);
  const wet = new Float64Array(signal.length + ir.length);
  const input = new Array<number>(size);
  const spectrum = fft.createComplexArray() as number[];
  const output = fft.createComplexArray() as number[];
  for (let offset = 0; offset < signal.length; offset += block) {
    for (let i = 0; i < size; i++) input[i] = i < block && offset + i < signal.length ? signal[offset + i] : 0;
    fft.realTransform(spectrum, input);
    fft.completeSpectrum(spectrum);
    for (let k = 0; k < size; k++) {
      const re = spectrum[2 * k] * irSpectrum[2 * k] - spectrum[2 * k + 1] * irSpectrum[2 * k + 1];
      const im = spectrum[2 * k] * irSpectrum[2 * k + 1] + spectrum[2 * k + 1] * irSpectrum[2 * k];
      spectrum[2 * k] = re;
      spectrum[2 * k + 1] = im;
    }
    fft.inverseTransform(output, spectrum);
    for (let i = 0; i < size && offset + i < wet.length; i++) wet[offset + i] += output[2 * i];
  }
  for (let i = 0; i < signal.length; i++) signal[i] += wet[i];
}

/** Feed-forward peak compressor with make-up gain to the input's peak, in place. */
export function compress(signal: Float64Array, params: CompressorParams, sampleRate: number): void {
  const attack = Math.exp(-1 / (params.attackSeconds * sampleRate));
  const release = Math.exp(-1 / (params.releaseSeconds * sampleRate));
  const peakIn = peakOf(signal);
  if (peakIn === 0) return;
  // Threshold relative to the signal's peak, so the setting means the same at any level.
  const threshold = peakIn * Math.pow(10, params.thresholdDb / 20);
  let envelope = 0;
  for (let i = 0; i < signal.length; i++) {
    const a = Math.abs(signal[i]);
    envelope = a > envelope ? attack * envelope + (1 - attack) * a : release * envelope + (1 - release) * a;
    if (envelope > threshold) signal[i] *= Math.pow(envelope / threshold, 1 / params.ratio - 1);
  }
  const peakOut = peakOf(signal);
  if (peakOut > 0) scale(signal, peakIn / peakOut);
}

/** Largest absolute sample. */
export function peakOf(signal: ArrayLike<number>): number {
  let peak = 0;
  for (let i = 0; i < signal.length; i++) {
    const a = Math.abs(signal[i]);
    if (a > peak) peak = a;
  }
  return peak;
}

/** Root mean square. */
export function rmsOf(signal: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < signal.length; i++) sum += signal[i] * signal[i];
  return Math.sqrt(sum / Math.max(1, signal.length));
}

function scale(signal: Float64Array, factor: number): void {
  for (let i = 0; i < signal.length; i++) signal[i] *= factor;
}

/** Inputs of {@link mixExample}. */
export interface MixInput {
  /** Drum stem (mono). */
  drums: Float32Array;
  /** Accompaniment stem (mono), or null for a drums-only example. */
  accompaniment: Float32Array | null;
  /** Sung voice (generator version 2), added to the accompaniment bus after its drive. */
  vocals?: Float64Array | null;
  /** Voice RMS relative to the accompaniment RMS [dB]. */
  vocalToAccompanimentDb?: number;
  /** Overdrive of the accompaniment (generator version 2), or null. */
  drive?: { preGain: number; cabinetHz: number } | null;
  /** Output length [samples]. */
  length: number;
  sampleRate: number;
  params: MixParams;
  /** Random stream for noise and dither. */
  rng: Rng;
}

/** Output of {@link mixExample}. */
export interface MixResult {
  /** Final mix in [-1, 1]. */
  mix: Float32Array;
  /** Processed drum bus at the scale it has in the mix (before the master stages). */
  drums: Float32Array;
  /** Measured drum-bus RMS minus accompaniment RMS after processing [dB] (null: drums only). */
  drumToAccompanimentDb: number | null;
  /** Final peak [dBFS] and RMS [dBFS]. */
  peakDbfs: number;
  rmsDbfs: number;
}

/**
 * Guitar-amp style overdrive of a bus, in place: high-pass, tanh waveshaper driven relative
 * to the bus peak, cabinet low-pass, level restored to the input RMS.
 */
export function overdrive(signal: Float64Array, drive: { preGain: number; cabinetHz: number }, sampleRate: number): void {
  const peak = peakOf(signal);
  if (peak === 0) return;
  const rmsIn = rmsOf(signal);
  applyBiquad(signal, { type: 'highPass', frequencyHz: 90, gainDb: 0, q: 0.707 }, sampleRate);
  for (let i = 0; i < signal.length; i++) signal[i] = Math.tanh((drive.preGain * signal[i]) / peak);
  applyBiquad(signal, { type: 'lowPass', frequencyHz: drive.cabinetHz, gainDb: 0, q: 0.9 }, sampleRate);
  applyBiquad(signal, { type: 'lowPass', frequencyHz: drive.cabinetHz * 1.3, gainDb: 0, q: 0.6 }, sampleRate);
  const rmsOut = rmsOf(signal);
  if (rmsOut > 0) scale(signal, rmsIn / rmsOut);
}

function toLength(source: Float32Array, length: number): Float64Array {
  const out = new Float64Array(length);
  out.set(source.subarray(0, Math.min(length, source.length)));
  // 20 ms fade-out so a cut-off note does not end in a click.
  const fade = Math.min(length, 882);
  for (let i = 0; i < fade; i++) out[length - 1 - i] *= i / fade;
  return out;
}

/**
 * Mixes the stems with the given parameters.
 *
 * @param input - stems, length, parameters and a random stream
 * @returns the mix and the drum bus at mix scale
 */
export function mixExample(input: MixInput): MixResult {
  const { params, sampleRate, length, rng } = input;
  const drums = toLength(input.drums, length);
  for (const band of params.drumEq) applyBiquad(drums, band, sampleRate);
  if (params.drumCompressor) compress(drums, params.drumCompressor, sampleRate);
  if (params.drumReverb) addConvolution(drums, makeImpulseResponse(params.drumReverb, sampleRate, rng.fork('drumIr')));
  const mix = drums.slice();
  let drumToAccompanimentDb: number | null = null;
  if (input.accompaniment) {
    const acc = toLength(input.accompaniment, length);
    if (input.drive) overdrive(acc, input.drive, sampleRate);
    if (input.vocals) {
      const accRms = rmsOf(acc);
      const voiceRms = rmsOf(input.vocals);
      if (accRms > 0 && voiceRms > 0) {
        const g = (accRms / voiceRms) * Math.pow(10, (input.vocalToAccompanimentDb ?? 0) / 20);
        for (let i = 0; i < length && i < input.vocals.length; i++) acc[i] += g * input.vocals[i];
      }
    }
    for (const band of params.accompanimentEq) applyBiquad(acc, band, sampleRate);
    if (params.accompanimentReverb) addConvolution(acc, makeImpulseResponse(params.accompanimentReverb, sampleRate, rng.fork('accIr')));
    const drumRms = rmsOf(drums);
    const accRms = rmsOf(acc);
    if (accRms > 0 && drumRms > 0) {
      const gain = drumRms / accRms / Math.pow(10, params.drumToAccompanimentDb / 20);
      for (let i = 0; i < length; i++) mix[i] += gain * acc[i];
      drumToAccompanimentDb = params.drumToAccompanimentDb;
    } else if (accRms > 0) {
      for (let i = 0; i < length; i++) mix[i] += acc[i];
    }
  }
  for (const band of params.masterEq) applyBiquad(mix, band, sampleRate);
  if (params.masterCompressor) compress(mix, params.masterCompressor, sampleRate);
  if (params.noise) {
    const noiseRng = rng.fork('noise');
    const level = rmsOf(mix) * Math.pow(10, params.noise.levelDb / 20);
    let b0 = 0, b1 = 0, b2 = 0;
    for (let i = 0; i < length; i++) {
      let n = noiseRng.normal();
      if (params.noise.color === 'pink') {
        // Paul Kellet's economy pink filter.
        b0 = 0.99765 * b0 + n * 0.099046;
        b1 = 0.963 * b1 + n * 0.2965164;
        b2 = 0.57 * b2 + n * 1.0526913;
        n = (b0 + b1 + b2 + n * 0.1848) * 0.25;
      }
      let v = n * level;
      if (params.noise.humHz) {
        const t = (2 * Math.PI * params.noise.humHz * i) / sampleRate;
        v += level * 2 * (Math.sin(t) + 0.5 * Math.sin(3 * t) + 0.25 * Math.sin(5 * t));
      }
      mix[i] += v;
    }
  }
  if (params.softClipDrive) {
    const peak = peakOf(mix);
    const d = params.softClipDrive;
    if (peak > 0) for (let i = 0; i < length; i++) mix[i] = (Math.tanh((d * mix[i]) / peak) / Math.tanh(d)) * peak;
  }
  const peak = peakOf(mix);
  const target = Math.pow(10, params.peakDbfs / 20);
  const gain = peak > 0 ? target / peak : 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = mix[i] * gain;
  const drumOut = new Float32Array(length);
  // The drum stem gets the final gain but not the master EQ, compression, noise or clipping.
  for (let i = 0; i < length; i++) drumOut[i] = drums[i] * gain;
  const peakOut = peakOf(out);
  return {
    mix: out, drums: drumOut, drumToAccompanimentDb,
    peakDbfs: 20 * Math.log10(peakOut + 1e-12), rmsDbfs: 20 * Math.log10(rmsOf(out) + 1e-12),
  };
}
