/**
 * The TSDoc @example blocks of src/dsp run against the sources, so they cannot rot
 * (`'adtkit/dsp'` is mapped to src/dsp/index.ts). Their output is silenced.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tsdocExamples } from './helpers/docExamples.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dspDir = join(root, 'src', 'dsp');


describe('adtkit/dsp doc examples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'adtkit-dsp-examples-'));
  const entry = pathToFileURL(join(dspDir, 'index.ts')).href;
  beforeAll(() => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterAll(() => {
    vi.restoreAllMocks();
  });
  let count = 0;
  for (const file of readdirSync(dspDir).filter((f) => f.endsWith('.ts')).sort()) {
    tsdocExamples(readFileSync(join(dspDir, file), 'utf8')).forEach((code, i) => {
      count++;
      it(`${file} example ${i + 1} runs`, async () => {
        expect(code).toContain("from 'adtkit/dsp'");
        const path = join(dir, `${file.replace(/\.ts$/, '')}-${i}.ts`);
        writeFileSync(path, code.replaceAll("'adtkit/dsp'", JSON.stringify(entry)) + '\nexport {};\n');
        await expect(import(pathToFileURL(path).href)).resolves.toBeDefined();
      });
    });
  }
  it('there are examples to run', () => {
    expect(count).toBeGreaterThanOrEqual(13);
  });
});
