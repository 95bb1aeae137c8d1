/**
 * adtkit/eval must load without TensorFlow.js: checked statically (the import graph of
 * src/eval) and at run time (a Node loader hook that fails on any @tensorflow/* import).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as evalApi from '../src/eval/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const evalDir = join(root, 'src', 'eval');

/** Module specifiers of static imports, re-exports and dynamic imports in a TS source. */
function specifiers(withComments: string): string[] {
  // Drop comments first: TSDoc @example blocks show imports from 'adtkit/eval'.
  const source = withComments.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.push(match[1]);
  return found;
}

/** Walks the import graph from an entry file; returns files reached and bare specifiers. */
function importGraph(entry: string): { files: Set<string>; bare: Map<string, string> } {
  const files = new Set<string>();
  const bare = new Map<string, string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) {
        bare.set(spec, relative(root, file));
        continue;
      }
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      const candidates = [target, `${target}.ts`, join(target, 'index.ts')];
      const hit = candidates.find((c) => existsSync(c) && c.endsWith('.ts'));
      expect(hit, `${relative(root, file)} imports ${spec}, which does not resolve to a .ts file`).toBeDefined();
      stack.push(hit!);
    }
  }
  return { files, bare };
}

function runNode(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// A resolve hook that makes any @tensorflow/* import fail, as in an app without TF.js.
const hook = `data:text/javascript,${encodeURIComponent(
  "export async function resolve(s, c, n) { if (s.startsWith('@tensorflow/')) throw new Error('TFJS_IMPORTED ' + s); return n(s, c); }",
)}`;
const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register(${JSON.stringify(hook)});`)}`;

describe('adtkit/eval is free of TensorFlow.js', () => {
  it('the import graph of src/eval/index.ts stays in src/eval and the shared TF-free src/types.ts, src/errors.ts, src/numeric.ts, with no package imports', () => {
    const { files, bare } = importGraph(join(evalDir, 'index.ts'));
    const allowed = (f: string) => f.startsWith(evalDir + '/') || ['types.ts', 'errors.ts', 'numeric.ts'].some((name) => f === join(root, 'src', name));
    expect([...files].filter((f) => !allowed(f)).map((f) => relative(root, f))).toEqual([]);
    expect([...bare.entries()]).toEqual([]);
    // Every source file of src/eval is covered by the walk (no orphan with its own imports).
    const sources = readdirSync(evalDir).filter((f) => f.endsWith('.ts')).map((f) => join(evalDir, f));
    for (const file of sources) {
      const { bare: fileBare } = importGraph(file);
      expect([...fileBare.keys()].filter((s) => s.startsWith('@tensorflow/')), relative(root, file)).toEqual([]);
    }
    expect(files.size).toBeGreaterThan(5);
  });

  it('the static check can fail: it sees a TF.js import in src/models', () => {
    const models = join(root, 'src', 'models', 'index.ts');
    const { bare } = importGraph(models);
    const all = [...bare.keys()];
    // models is TF-based by design; if it ever stops importing TF this control needs another file.
    expect(all.some((s) => s.startsWith('@tensorflow/')) || !existsSync(models)).toBe(true);
  });

  it('loads and runs in Node with every @tensorflow/* resolution failing', () => {
    const script = [
      "const m = await import('./src/eval/index.ts');",
      "const r = m.peakPick(new Float32Array([0, 0.9, 0, 0]));",
      "console.log(JSON.stringify({ names: Object.keys(m).sort(), peaks: Array.from(r.peakFrames[0]) }));",
    ].join(' ');
    const result = runNode(['--import', 'tsx', '--import', register, '--input-type=module', '-e', script]);
    expect(result.stderr).not.toMatch(/TFJS_IMPORTED/);
    expect(result.status, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(out.peaks).toEqual([1]);
    expect(out.names).toEqual(expect.arrayContaining(['peakPick', 'onsetF1', 'OnlinePeakPicker', 'activationsToEvents']));
  });

  it('the loader hook does block TF.js (control)', () => {
    const result = runNode(['--import', 'tsx', '--import', register, '--input-type=module', '-e', "await import('@tensorflow/tfjs-core');"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/TFJS_IMPORTED @tensorflow\/tfjs-core/);
  });

  it('exports exactly the documented public API', () => {
    expect(Object.keys(evalApi).sort()).toEqual([
      'OnlinePeakPicker',
      'activationsToEvents',
      'combineOnsetTimes',
      'countFrameMatches',
      'fMeasureFromCounts',
      'madmomOnsetPeakPicking',
      'madmomPeakPicking',
      'matchOnsetFrames',
      'matchOnsetTimes',
      'onsetF1',
      'peakPick',
      'scoreOnsetTimes',
      'thesisComputePeaks',
    ]);
  });
});
