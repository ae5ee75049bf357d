#!/usr/bin/env node
// node dist/bench/profile/summarize-cli.js <file.cpuprofile> [top]: the top self-time functions of a CPU profile.
import { readFileSync } from 'node:fs';
import { analyzeProfile, formatSummary } from './summarize.js';

const [file, top] = process.argv.slice(2);
if (!file) {
  console.error('usage: summarize-cli <file.cpuprofile> [top]');
  process.exit(2);
}
console.log(formatSummary(analyzeProfile(JSON.parse(readFileSync(file, 'utf8'))), Number(top ?? 25)));
