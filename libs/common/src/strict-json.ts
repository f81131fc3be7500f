/**
 * The first duplicated object key of a JSON text, as a field path (`ratings.2.level`, as the validation names fields),
 * or null. `text` must already have parsed (JSON.parse keeps the last of duplicated keys,
 * so `"level":5,"level":1` would silently store a BAD review): this is a single O(n)
 * pass over the raw body that only tracks strings, brackets and commas.
 *
 * Why not a library: the parsers Fastify ships (JSON.parse, secure-json-parse) keep the
 * last key without a word; the AST parsers that can tell (jsonc-parser, momoa) re-tokenise
 * every body at several times the cost of JSON.parse on the intake hot path, for what
 * this does in one scan.
 */
export function firstDuplicateKey(text: string): string | null {
  interface Frame {
    keys: Set<string> | null; // null: an array
    index: number; // array position
    key: string; // current object key
  }
  const stack: Frame[] = [];
  let expectKey = false;
  const path = () => {
    let out = '';
    for (const f of stack) {
      const step = f.keys === null ? String(f.index) : f.key;
      if (step) out += out ? `.${step}` : step;
    }
    return out;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          escaped = true;
          j += 2;
          continue;
        }
        if (d === 0x22 || Number.isNaN(d)) break;
        j++;
      }
      const top = stack[stack.length - 1];
      if (top?.keys && expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        top.key = key;
        if (top.keys.has(key)) return path();
        top.keys.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b) {
      stack.push({ keys: new Set(), index: 0, key: '' });
      expectKey = true;
    } else if (c === 0x5b) {
      stack.push({ keys: null, index: 0, key: '' });
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index++;
    }
  }
  return null;
}
