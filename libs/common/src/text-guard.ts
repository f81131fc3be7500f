import type { FieldError } from './domain-error.js';

/**
 * The one guard for text entering any service (API.md § Text and numbers everywhere):
 * a string PostgreSQL `text` cannot store — a NUL, a lone UTF-16 surrogate (which would
 * reach the database as U+FFFD, or not at all) — or a string longer than any field of
 * the contract, is refused with its field named, before anything touches the database.
 * The HTTP edge runs it over bodies, queries, path parameters and headers; the JWT
 * guard over claims; the batch validators over each item (so one bad item is rejected
 * on its own).
 */

/** Longer than any text field of the contract (the longest, a complaint's content, is 2,000). */
export const MAX_TEXT_LENGTH = 20_000;

/** String.prototype.isWellFormed (ES2024, Node ≥ 20): false when the string holds a lone surrogate. */
interface WellFormed {
  isWellFormed(): boolean;
}

/** Why a string cannot be accepted, or null when it can. */
export function unstorableText(value: string): string | null {
  if (value.length > MAX_TEXT_LENGTH) return `must be at most ${MAX_TEXT_LENGTH} characters`;
  if (value.includes('\u0000')) return 'must not contain NUL (\\u0000) characters';
  if (!(value as unknown as WellFormed).isWellFormed()) return 'must not contain lone UTF-16 surrogates';
  return null;
}

/** `ratings.3.comment`-style path of a child, as the validation pipe names fields. */
function childPath(prefix: string, key: string | number): string {
  return prefix ? `${prefix}.${key}` : String(key);
}

export interface TextScanOptions {
  /**
   * A top-level array property whose items are judged one by one by the route itself
   * (an offline batch: each item is rejected on its own, the others stored).
   */
  itemsAt?: string;
}

/**
 * Every unstorable string (values and object keys) in a parsed JSON value, by field path.
 * Depth-first; stops collecting after 50 errors (the answer names enough to fix them).
 */
export function unstorableTextErrors(value: unknown, prefix = '', options: TextScanOptions = {}, out: FieldError[] = []): FieldError[] {
  if (out.length >= 50) return out;
  if (typeof value === 'string') {
    const reason = unstorableText(value);
    if (reason) out.push({ field: prefix || 'body', message: reason });
    return out;
  }
  if (typeof value !== 'object' || value === null) return out;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) unstorableTextErrors(value[i], childPath(prefix, i), {}, out);
    return out;
  }
  // A stream (the console proxy's request body, forwarded unparsed) or a buffer is not a value to scan:
  // the service the proxy forwards it to scans it. Queries and params are objects of their own kinds.
  if (Buffer.isBuffer(value) || typeof (value as { pipe?: unknown }).pipe === 'function') return out;
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const keyReason = unstorableText(key);
    if (keyReason) {
      out.push({ field: childPath(prefix, JSON.stringify(key).slice(1, -1)), message: `property name ${keyReason}` });
      continue;
    }
    if (options.itemsAt === key && !prefix && Array.isArray(record[key])) continue;
    unstorableTextErrors(record[key], childPath(prefix, key), {}, out);
  }
  return out;
}
