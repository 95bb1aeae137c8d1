/**
 * Types shared by the audio decoders and writers. TF-free, browser-safe.
 */

/**
 * Format an {@link AudioData} was decoded from: `wav` (RIFF/WAVE, RF64, BW64), `flac`
 * (native or Ogg FLAC), `mp3` (MPEG-1/2/2.5 audio, layers I–III), or `raw` for audio
 * built in memory (see `createAudioData`).
 */
export type AudioFormat = 'wav' | 'flac' | 'mp3' | 'raw';

/** Decoded audio: one Float32Array per channel, samples nominally in [-1, 1]. */
export interface AudioData {
  /** Samples per channel, planar (`channels[c][i]`) [numberOfChannels × length]. */
  channels: Float32Array[];
  /** Sample rate [Hz], a positive integer. */
  sampleRate: number;
  /** Number of channels (= `channels.length`, at least 1). */
  numberOfChannels: number;
  /** Samples per channel (at least 1). */
  length: number;
  /** Duration [s] = `length / sampleRate`. */
  durationSeconds: number;
  /** Format the samples were decoded from. */
  format: AudioFormat;
  /**
   * Bits per sample of the source (e.g. 16 for CD audio, 32 for float WAV); absent for
   * lossy formats (MP3) and in-memory audio.
   */
  bitsPerSample?: number;
}

/** Options of `decodeAudio`. */
export interface DecodeAudioOptions {
  /**
   * Name or path of the file the bytes came from; used only in error messages.
   * @defaultValue `'<audio bytes>'`
   */
  fileName?: string;
  /**
   * Accept a truncated file: decode the complete samples that are present (WAV data chunk
   * shorter than its header says, FLAC stream shorter than STREAMINFO says, MP3 whose last
   * frame is cut) and report the problem through `onWarning` instead of throwing
   * `CorruptFileError`.
   * @defaultValue `false`
   */
  allowTruncated?: boolean;
  /**
   * Receives warnings about problems that were tolerated (only with `allowTruncated`).
   * @defaultValue `console.warn`
   */
  onWarning?: (message: string) => void;
}
