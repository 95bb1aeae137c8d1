/** Runs the CLI from source in a child process (`node tsx src/cli/main.ts …`, what `npx tsx` runs). */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsxCli = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `adtkit <args…>` with the repository root as working directory (or `cwd`). */
export function adtkit(args: string[], cwd = repoRoot): CliResult {
  const result = spawnSync(process.execPath, [tsxCli, join(repoRoot, 'src', 'cli', 'main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The non-empty lines of a text. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim().length > 0);
}
