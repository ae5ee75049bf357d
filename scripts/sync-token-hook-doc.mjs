// Fills docs/token-hook.md's generated blocks (the hook's JSON Schemas and the Express example) from the code.
// Run after `npm run build`; test/http/token-hook-example.test.ts fails when the page is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fillTokenHookDoc } from '../dist/src/hooks/token-hook-doc.js';

const page = new URL('../docs/token-hook.md', import.meta.url);
const example = readFileSync(new URL('../docs/examples/token-hook-express.mjs', import.meta.url), 'utf8');
writeFileSync(page, fillTokenHookDoc(readFileSync(page, 'utf8'), example));
