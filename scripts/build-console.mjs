#!/usr/bin/env node
// Builds the admin console (console/) into dist/console: one ES module bundle, one stylesheet, the page and its
// icon. Everything the browser loads comes from these files (no CDN, no web fonts). Run by `npm run build`, and so
// by `npm ci` (prepare); the server only reads the output, so the bundle's libraries are devDependencies.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const out = 'dist/console';
const LICENSES = 'THIRD_PARTY_LICENSES.txt';
const BUNDLED = [
  { name: 'Preact', licence: 'node_modules/preact/LICENSE' },
  { name: 'UAParser.js', licence: 'node_modules/ua-parser-js/license.md' },
];
rmSync(out, { recursive: true, force: true });
mkdirSync(`${out}/assets`, { recursive: true });
await build({
  entryPoints: { app: 'console/src/main.tsx' },
  outdir: `${out}/assets`,
  bundle: true,
  format: 'esm',
  minify: true,
  // Browsers with <dialog>, :focus-visible and Intl.RelativeTimeFormat: the last two years of each engine.
  target: ['chrome111', 'firefox111', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: 'console/tsconfig.json',
  // The bundled libraries' licences (MIT) travel with the bundle: named in it, in full in a file beside it.
  legalComments: 'eof',
  banner: { js: `/*! refreshd console. Bundles ${BUNDLED.map((b) => b.name).join(', ')} (MIT): see ${LICENSES} */` },
  logLevel: 'warning',
});
copyFileSync('console/index.html', `${out}/index.html`);
copyFileSync('console/icon.svg', `${out}/assets/icon.svg`);
writeFileSync(
  `${out}/assets/${LICENSES}`,
  BUNDLED.map((b) => `${b.name}\n${'='.repeat(b.name.length)}\n\n${readFileSync(b.licence, 'utf8').trim()}\n`).join('\n\n'),
);
