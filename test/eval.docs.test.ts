/**
 * The TSDoc @example blocks of src/eval run against the sources, so they cannot rot.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tsdocExamples } from './helpers/docExamples.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const evalDir = join(root, 'src', 'eval');


describe('adtkit/eval doc examples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'adtkit-eval-examples-'));
  const files = readdirSync(evalDir).filter((f) => f.endsWith('.ts'));
  let count = 0;
  for (const file of files) {
    tsdocExamples(readFileSync(join(evalDir, file), 'utf8')).forEach((code, i) => {
      count++;
      it(`${file} example ${i + 1} runs`, async () => {
        const entry = pathToFileURL(join(evalDir, 'index.ts')).href;
        const path = join(dir, `${file.replace(/\.ts$/, '')}-${i}.ts`);
        writeFileSync(path, code.replaceAll("'adtkit/eval'", JSON.stringify(entry)) + '\nexport {};\n');
        await expect(import(pathToFileURL(path).href)).resolves.toBeDefined();
      });
    });
  }
  it('there are examples to run', () => {
    expect(count).toBeGreaterThanOrEqual(6);
  });
});
