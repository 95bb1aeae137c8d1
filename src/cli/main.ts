#!/usr/bin/env node
// Entry point of the `adtkit` command (package.json "bin"); see run.ts.
import { runCli } from './run.js';

runCli(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`adtkit: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
