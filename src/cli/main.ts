#!/usr/bin/env node
// adtkit command-line interface (placeholder until the CLI lands).
console.error('adtkit CLI: not implemented yet');
process.exit(1);
