// Public API of the audio part of adtkit/io: decoding (WAV, FLAC, MP3), WAV writing,
// in-memory audio and the mono downmix. Browser-safe except readAudioFile (Node.js).
export type { AudioData, AudioFormat, DecodeAudioOptions } from './types.js';
export { decodeAudio } from './decodeAudio.js';
export { detectAudioFormat } from './detectAudioFormat.js';
export { encodeWav, type EncodeWavOptions } from './encodeWav.js';
export { createAudioData } from './createAudioData.js';
export { downmixToMono } from './downmixToMono.js';
export { readAudioFile, type ReadAudioFileOptions } from './readAudioFile.js';
