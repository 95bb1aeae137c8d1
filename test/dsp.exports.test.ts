/** The public export list of adtkit/dsp: a change here is an API change and must be deliberate. */
import { describe, expect, it } from 'vitest';
import * as dsp from '../src/dsp/index.js';
import * as root from '../src/index.js';

const EXPECTED = [
  'BANDS_PER_OCTAVE',
  'FRAME_RATE_HZ',
  'LOG_FILTERBANK_F_MAX_HZ',
  'LOG_FILTERBANK_F_MIN_HZ',
  'LOG_FILTERBANK_F_REF_HZ',
  'LogFilteredSpectrogramProcessor',
  'N_FFT',
  'SEGMENT_FRAMES',
  'SPECTROGRAM_PRESETS',
  'StftPlan',
  'applyFilterbank',
  'applyStandardization',
  'computeSegmentPadding',
  'filterbankToDense',
  'fitStandardization',
  'frameSignal',
  'getStftPlan',
  'hannWindow',
  'hzToMel',
  'logCompress',
  'logFilteredSpectrogram',
  'madmomHopLength',
  'madmomLogFilterbank',
  'magnitudeSpectrogram',
  'melFilterbank',
  'melToHz',
  'padToSegments',
  'parallelSpectrogramRunning',
  'powerSpectrogram',
  'resample',
  'resolveStftOptions',
  'segmentFrames',
  'startParallelSpectrogram',
  'stopParallelSpectrogram',
  'thesisHopLength',
  'thesisLogFilterbank',
  'toMono',
  'useWasmSpectrogram',
  'wasmSpectrogramActive',
];

describe('adtkit/dsp exports', () => {
  it('matches the documented export list', () => {
    expect(Object.keys(dsp).sort()).toEqual(EXPECTED);
  });
  it('are re-exported unchanged from the root entry point', () => {
    for (const name of EXPECTED) expect((root as Record<string, unknown>)[name], name).toBe((dsp as Record<string, unknown>)[name]);
  });
});
