import { TokenHookRequestSchema, TokenHookResponseSchema } from './token-hook-schema.js';

/** The blocks of docs/token-hook.md generated from the code, by marker name. */
export function tokenHookDocBlocks(example: string): Record<string, { lang: string; text: string }> {
  return {
    'token-hook-request-schema': { lang: 'json', text: JSON.stringify(TokenHookRequestSchema, null, 2) },
    'token-hook-response-schema': { lang: 'json', text: JSON.stringify(TokenHookResponseSchema, null, 2) },
    'token-hook-example': { lang: 'js', text: example.trimEnd() },
  };
}

/** The page with every generated block replaced by its current content (the page's prose is left alone). */
export function fillTokenHookDoc(page: string, example: string): string {
  let out = page;
  for (const [name, block] of Object.entries(tokenHookDocBlocks(example))) {
    const re = new RegExp(`(<!-- ${name} -->\\n)[\\s\\S]*?(\\n<!-- /${name} -->)`);
    if (!re.test(out)) throw new Error(`docs/token-hook.md has no ${name} block`);
    out = out.replace(re, (_m, open: string, close: string) => `${open}\`\`\`${block.lang}\n${block.text}\n\`\`\`${close}`);
  }
  return out;
}
