/**
 * The guide pages (docs/guide/*.md) cannot rot: every ```ts block is compiled against the
 * real API with the repository's compiler settings (`adtkit/...` imports resolve to src/), and
 * the pages link only to pages that exist. Snippets are type-checked, not run (they read
 * files such as song.flac); the runnable pipelines live in examples/ and run in
 * examples.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const guideDir = join(repoRoot, 'docs', 'guide');
const GUIDE_PAGES = ['concepts.md', 'presets.md', 'mappings.md', 'training.md', 'evaluation.md', 'model-bundles.md', 'backends.md'];

interface Snippet {
  page: string;
  /** 1-based line of the first code line in the page. */
  line: number;
  code: string;
}

function snippetsOf(page: string): Snippet[] {
  const lines = readFileSync(join(guideDir, page), 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    out.push({ page, line: start + 1, code: lines.slice(start, end).join('\n') });
    i = end;
  }
  return out;
}

const pages = existsSync(guideDir) ? readdirSync(guideDir).filter((f) => f.endsWith('.md')).sort() : [];
const snippets = pages.flatMap(snippetsOf);
let workDir: string | undefined;

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('docs/guide', () => {
  it('has every page typedoc.json lists under projectDocuments', () => {
    expect(pages).toEqual([...GUIDE_PAGES].sort());
    const typedoc = JSON.parse(readFileSync(join(repoRoot, 'typedoc.json'), 'utf8')) as { projectDocuments?: string[] };
    const listed = (typedoc.projectDocuments ?? []).map((p) => p.replace(/^docs\/guide\//, ''));
    expect([...listed].sort()).toEqual([...GUIDE_PAGES].sort());
  });

  it('links only to guide pages that exist', () => {
    for (const page of pages) {
      const text = readFileSync(join(guideDir, page), 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+\.md)(#[^)]*)?\)/g)) {
        expect(existsSync(join(guideDir, target)), `${page} links to ${target}`).toBe(true);
      }
    }
  });

  it(`compiles all ${snippets.length} TypeScript snippets against the real API`, async () => {
    expect(snippets.length).toBeGreaterThan(20);
    mkdirSync(join(repoRoot, '.cache'), { recursive: true });
    workDir = mkdtempSync(join(repoRoot, '.cache', 'docs-snippets-'));
    const fileOf = new Map<string, Snippet>();
    snippets.forEach((s, i) => {
      const name = `${s.page.replace(/\.md$/, '')}-${String(i).padStart(3, '0')}.ts`;
      // `export {}` keeps every snippet a module with its own scope.
      writeFileSync(join(workDir!, name), `${s.code}\nexport {};\n`);
      fileOf.set(name, s);
    });
    const rootFromWork = relative(workDir, repoRoot);
    writeFileSync(
      join(workDir, 'tsconfig.json'),
      JSON.stringify({
        extends: join(rootFromWork, 'tsconfig.json'),
        compilerOptions: {
          noEmit: true,
          baseUrl: rootFromWork,
          paths: { adtkit: ['src/index.ts'], 'adtkit/*': ['src/*/index.ts'] },
        },
        include: ['*.ts'],
      }),
    );
    const tsc = join(repoRoot, 'node_modules', '.bin', 'tsc');
    const output = await new Promise<string>((ok) => {
      execFile(tsc, ['-p', workDir!, '--pretty', 'false'], { cwd: repoRoot, maxBuffer: 16 << 20, timeout: 120_000 }, (_error, stdout, stderr) => ok(stdout + stderr));
    });
    // Report errors at their place in the guide page; errors in src/ are not the docs' business.
    const problems = output
      .split('\n')
      .map((l) => /([\w.-]+\.ts)\((\d+),(\d+)\): error (TS\d+: .*)/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null && fileOf.has(m[1]))
      .map((m) => {
        const s = fileOf.get(m[1])!;
        return `docs/guide/${s.page}:${s.line + Number(m[2]) - 1}: ${m[4]}`;
      });
    expect(problems).toEqual([]);
  }, 180_000);
});
