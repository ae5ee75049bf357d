import { visit } from 'jsonc-parser';

class Found {
  constructor(readonly key: string) {}
}

/**
 * The first key that appears twice in one object of a JSON text, or null. JSON.parse keeps the last one silently
 * (RFC 8259 §4 leaves the meaning open), so "role": "user" ... "role": "admin" could be read one way by a proxy
 * or a log and another by refreshd. Keys are compared decoded ("a" and "\u0061" are the same key).
 *
 * Run on text JSON.parse has already accepted: jsonc-parser's scanner is lenient (comments, trailing commas),
 * and here it only walks the tokens. Why jsonc-parser: a maintained, dependency-free tokenizer (VS Code's) with a
 * visitor; secure-json-parse and @hapi/bourne check only prototype keys, and a reviver never sees duplicates.
 */
export function duplicateJsonKey(text: string): string | null {
  const open: Set<string>[] = [];
  try {
    visit(text, {
      onObjectBegin: () => {
        open.push(new Set());
      },
      onObjectEnd: () => {
        open.pop();
      },
      onObjectProperty: (key) => {
        const keys = open[open.length - 1];
        if (!keys) return;
        if (keys.has(key)) throw new Found(key);
        keys.add(key);
      },
    });
  } catch (err) {
    if (err instanceof Found) return err.key;
    throw err;
  }
  return null;
}

/** A key fit to quote in an error message: bounded, without control characters. */
export function quotableKey(key: string): string {
  return key.replace(/[\u0000-\u001f\u007f]|\p{Cs}/gu, '?').slice(0, 64);
}
