// Bundled for headless Chromium by test/audioBrowser.test.ts: decodes the reference audio
// files in the browser build and reports summaries back to Node.
import { AdtError } from '../src/errors.js';
import { decodeAudio, downmixToMono, encodeWav, createAudioData, readAudioFile } from '../src/io/audio/index.js';

export interface BrowserAudioSummary {
  name: string;
  ok: boolean;
  code?: string;
  format?: string;
  numberOfChannels?: number;
  sampleRate?: number;
  length?: number;
  /** Sum of the mono downmix, a cheap fingerprint of the samples. */
  monoSum?: number;
}

async function summarize(name: string, bytes: Uint8Array): Promise<BrowserAudioSummary> {
  try {
    const audio = await decodeAudio(bytes, { fileName: name });
    const mono = downmixToMono(audio);
    let monoSum = 0;
    for (let i = 0; i < mono.length; i++) monoSum += mono[i];
    return { name, ok: true, format: audio.format, numberOfChannels: audio.numberOfChannels, sampleRate: audio.sampleRate, length: audio.length, monoSum };
  } catch (e) {
    return { name, ok: false, code: e instanceof AdtError ? e.code : `not an AdtError: ${String(e)}` };
  }
}

(globalThis as any).runAudio = async (names: string[]): Promise<BrowserAudioSummary[]> => {
  const out: BrowserAudioSummary[] = [];
  for (const name of names) {
    const bytes = new Uint8Array(await (await fetch(`/audio/${name}`)).arrayBuffer());
    out.push(await summarize(name, bytes));
    out.push(await summarize(`${name} (cut)`, bytes.subarray(0, bytes.length - 300)));
  }
  const wav = encodeWav(createAudioData([new Float32Array([0.5, -0.25])], 8000), { bitDepth: 24 });
  out.push(await summarize('encoded.wav', wav));
  try {
    await readAudioFile('/etc/hosts');
    out.push({ name: 'readAudioFile', ok: true });
  } catch (e) {
    out.push({ name: 'readAudioFile', ok: false, code: e instanceof AdtError ? e.code : `not an AdtError: ${String(e)}` });
  }
  return out;
};
