/**
 * `npm run bench`: runs every bench/*.bench.ts module and prints one JSON object.
 * Each module exports `name` and `run(): Promise<object>`; figures are reported as
 * ratios measured within the same run wherever a comparison exists.
 * Usage: npm run bench [-- <filter>]   (filter = substring of the bench file name)
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2] ?? '';

async function main(): Promise<void> {
  const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && f.includes(filter)).sort();
  const results: Record<string, unknown> = {};
  for (const file of files) {
    const mod = await import(pathToFileURL(join(here, file)).href);
    const started = Date.now();
    try {
      results[mod.name ?? file] = await mod.run();
    } catch (error) {
      results[mod.name ?? file] = { error: String((error as Error)?.stack ?? error) };
    }
    process.stderr.write(`bench ${file}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
  const report = {
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, platform: process.platform },
    date: new Date().toISOString(),
    results,
  };
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error) + '\n');
  process.exit(1);
});
