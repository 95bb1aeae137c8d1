/**
 * Builds the package with tsup and imports it the way a user would: by name,
 * through the `exports` map, with both `import` and `require`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A few names each entry point must export (the full list is snapshotted below). */
const expectedNames: Record<string, string[]> = {
  adtkit: ['AdtError', 'DEFAULT_CLASS_NAMES'],
  'adtkit/dsp': [],
  'adtkit/io': [],
  'adtkit/eval': [],
  'adtkit/models': [],
  'adtkit/train': [],
  'adtkit/transcribe': [],
};

function runNode(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('built package', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js')], {
      cwd: root,
      stdio: 'pipe',
    });
  }, 300_000);

  it('has declaration files for every subpath export, for both module systems', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const [subpath, target] of Object.entries<any>(pkg.exports)) {
      if (typeof target === 'string') continue;
      for (const kind of ['import', 'require'] as const) {
        for (const file of [target[kind].types, target[kind].default]) {
          expect(existsSync(join(root, file)), `${subpath} ${kind}: ${file}`).toBe(true);
        }
      }
    }
  });

  for (const [specifier, names] of Object.entries(expectedNames)) {
    it(`${specifier} loads with import and require and exports the same names`, () => {
      const esm = runNode(['--input-type=module', '-e',
        `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()));`]);
      expect(esm.stderr).not.toMatch(/Error/);
      expect(esm.status).toBe(0);
      const cjs = runNode(['-e', `const m = require(${JSON.stringify(specifier)}); console.log(JSON.stringify(Object.keys(m).sort()));`]);
      expect(cjs.stderr).not.toMatch(/Error/);
      expect(cjs.status).toBe(0);
      const esmNames: string[] = JSON.parse(esm.stdout.trim().split('\n').pop()!);
      const cjsNames: string[] = JSON.parse(cjs.stdout.trim().split('\n').pop()!).filter((n: string) => n !== 'default');
      expect(cjsNames).toEqual(esmNames.filter((n) => n !== 'default'));
      for (const name of names) expect(esmNames).toContain(name);
    });
  }

  it('enableWasmThreads runs a model on 2 wasm threads through both builds (import and require)', () => {
    const body = (load: string) =>
      `${load} enableWasmThreads({ threads: 2 }); tf.setBackend('wasm').then(() => {` +
      " const y = createCRNN({ searchSpace: 'any', numLayers: 1, hiddenSize: 8 }).predict(tf.zeros([1, 20, 84, 1]));" +
      " console.log('threads', wasmThreadsCount(), y.shape.join('x')); });";
    const esm = runNode(['--input-type=module', '-e', body(
      "import * as tf from '@tensorflow/tfjs-core'; import '@tensorflow/tfjs-backend-wasm'; import { createCRNN, enableWasmThreads, wasmThreadsCount } from 'adtkit/models';",
    )]);
    expect(esm.stdout, esm.stderr).toContain('threads 2 1x20x5');
    const cjs = runNode(['-e', body(
      "const tf = require('@tensorflow/tfjs-core'); require('@tensorflow/tfjs-backend-wasm'); const { createCRNN, enableWasmThreads, wasmThreadsCount } = require('adtkit/models');",
    )]);
    expect(cjs.stdout, cjs.stderr).toContain('threads 2 1x20x5');
  });

  it('the TF-free entry points load without TensorFlow.js being resolvable', () => {
    // A loader hook makes any @tensorflow/* import fail, as in an app that never installed TF.js.
    const hook = `data:text/javascript,${encodeURIComponent(
      "export async function resolve(s, c, n) { if (s.startsWith('@tensorflow/')) throw new Error('TFJS_IMPORTED ' + s); return n(s, c); }",
    )}`;
    const register = `data:text/javascript,${encodeURIComponent(
      `import { register } from 'node:module'; register(${JSON.stringify(hook)});`,
    )}`;
    for (const specifier of ['adtkit', 'adtkit/dsp', 'adtkit/io', 'adtkit/eval']) {
      const result = runNode(['--import', register, '--input-type=module', '-e', `await import(${JSON.stringify(specifier)});`]);
      expect(result.stderr, specifier).not.toMatch(/TFJS_IMPORTED/);
      expect(result.status, specifier).toBe(0);
    }
  });

  it('npm pack ships code, types, docs and the default model only: no fixtures, tests or data', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' });
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
    expect(files.some((f) => f.startsWith('dist/'))).toBe(true);
    for (const part of ['card.json', 'model.json', 'weights.bin']) expect(files).toContain(`models/default/${part}`);
    for (const file of files) {
      expect(file).not.toMatch(/^(test|bench|scripts|examples|src)\//);
      expect(file, 'only the default bundle is shipped from models/').not.toMatch(/^models\/(?!default\/)/);
      expect(file).not.toMatch(/\.(flac|wav|f32|safetensors)$/);
    }
  });
});
