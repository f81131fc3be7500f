import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';

/** Masks a mainland mobile number as `138****8000`; anything else keeps only its edges. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  if (phone.length >= 7) return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
  return '*'.repeat(phone.length);
}

/** Masks a name as `张*` / `欧阳**`: the family name stays, the rest is hidden. */
export function maskName(name: string | null | undefined): string | null {
  if (!name) return null;
  const chars = Array.from(name);
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

export const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

function keyFrom(material: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(material) ? Buffer.from(material, 'hex') : Buffer.from(material, 'base64');
  if (key.length !== 32) throw new Error('DATA_ENCRYPTION_KEY must be 32 bytes');
  return key;
}

/**
 * AES-256-GCM sealing of personal data (names, phones, device secrets) at rest and in
 * events. Output: base64url of `iv(12) | tag(16) | ciphertext`.
 */
export class DataCipher {
  /** A KeyObject made once: given raw bytes, every cipher would prepare the key again (device secrets are opened per request). */
  private readonly key: KeyObject;

  constructor(keyMaterial: string) {
    this.key = createSecretKey(keyFrom(keyMaterial));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  open(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T>(sealed: string): T {
    return JSON.parse(this.open(sealed)) as T;
  }
}

export interface Contact {
  name: string | null;
  phone: string | null;
  /** Free text as the citizen or clerk wrote it, by field (`comment`, `content`, `description`), when masking changed it. */
  freeText?: Record<string, string>;
}

/**
 * The same text with the characters people type numbers in spelled plainly, one UTF-16 unit for
 * one (so offsets hold): full-width digits, X, plus and parentheses as ASCII; every dash and hyphen
 * (－ — – ‐ ‑ ‒ ― ﹣ ー) as `-`; the ideographic, no-break and other spaces as a space.
 */
export function plainNumberSpelling(text: string): string {
  if (!/[\uff08\uff09\uff0b\uff0d\uff10-\uff19\uff38\uff58\u2010-\u2015\u2212\ufe63\u30fc\u00a0\u2000-\u200b\u202f\u205f\u3000]/.test(text))
    return text;
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (c >= 0xff10 && c <= 0xff19) out += String.fromCharCode(c - 0xff10 + 0x30);
    else if (c === 0xff38 || c === 0xff58) out += String.fromCharCode(c - 0xfee0);
    else if (c === 0xff0b) out += '+';
    else if (c === 0xff08) out += '(';
    else if (c === 0xff09) out += ')';
    else if (c === 0xff0d || (c >= 0x2010 && c <= 0x2015) || c === 0x2212 || c === 0xfe63 || c === 0x30fc) out += '-';
    else if (c === 0x00a0 || (c >= 0x2000 && c <= 0x200b) || c === 0x202f || c === 0x205f || c === 0x3000) out += ' ';
    else out += ch;
  }
  return out;
}

/*
 * Personal numbers typed into free text (a rating's comment, a complaint's content, a
 * 办不成事 description, a case note): 18-digit ID-card numbers, mainland mobile numbers
 * (with or without +86 and separators) and landline numbers with their area code, in any
 * spelling plainNumberSpelling knows. Digits bounded on both sides, so longer digit runs
 * (amounts, record numbers) are not cut apart.
 */
const ID_CARD = /(?<![0-9A-Za-z])([1-9]\d{3})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])/g;
const MOBILE_IN_TEXT = /(?<![\d+])((?:\+|00)?86[-\s]?)?(1[3-9]\d)[-\s]?\d{4}[-\s]?(\d{4})(?!\d)/g;
const LANDLINE_IN_TEXT = /(?<!\d)(\(?0\d{2,3}\)?)[-\s]?\d{3,4}[-\s]?(\d{4})(?!\d)/g;

/** Replaces each match of `pattern` in the plainly spelled text, keeping the rest of the original as written. */
function replacePlain(text: string, pattern: RegExp, mask: (m: RegExpMatchArray) => string): string {
  const plain = plainNumberSpelling(text);
  let out = '';
  let last = 0;
  for (const m of plain.matchAll(pattern)) {
    out += text.slice(last, m.index) + mask(m);
    last = m.index + m[0].length;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Free text with every phone and ID-card number in it masked (`138****0000`, `021-****5678`, `1101**********123X`). */
export function maskFreeText(text: string): string {
  if (!/[\d\uff10-\uff19]{2}/.test(text)) return text; // no two digits in a row: the common case costs one scan
  let out = replacePlain(text, ID_CARD, (m) => `${m[1]}**********${m[2]}`);
  out = replacePlain(out, MOBILE_IN_TEXT, (m) => `${m[2]}****${m[3]}`);
  return replacePlain(out, LANDLINE_IN_TEXT, (m) => `${m[1]}-****${m[2]}`);
}

/** Separators people put between the digits of one number: spaces, dashes, dots, slashes, underscores, parentheses. */
const DIGIT_SEPARATORS = /(?<=[\dXx])[\s\-./_()·]+(?=[\dXx(])/g;
const MOBILE_RUN = /(?<!\d)(?:(?:\+|00)?86)?1[3-9]\d{9}(?!\d)/;
const LANDLINE_RUN = /(?<!\d)0\d{9,11}(?!\d)/;
const ID_CARD_RUN = /(?<![\dXx])[1-9]\d{16}[\dXx](?![\dXx])/;

/**
 * The personal numbers a text holds, for texts that must hold none (a case published as an
 * example): more suspicious than maskFreeText, as a refusal costs only a rewording. Digits split by
 * any separators count as one number (`138 0013 8000`, `138-0013-8000`, `１３８ ００１３ ８０００`,
 * `0 2 1-6438 1234`); a longer digit run (a record number) is neither.
 */
export function personalNumbersIn(text: string): Array<'phone' | 'idCard'> {
  const plain = plainNumberSpelling(text);
  if (!/\d/.test(plain)) return [];
  const joined = plain.replace(DIGIT_SEPARATORS, '');
  const found: Array<'phone' | 'idCard'> = [];
  if (MOBILE_RUN.test(joined) || LANDLINE_RUN.test(joined)) found.push('phone');
  if (ID_CARD_RUN.test(joined)) found.push('idCard');
  return found;
}

/**
 * Masks the free-text fields given; the originals of those that changed are returned apart,
 * to be sealed with the contact (and revealed only through the audited reveal-contact).
 */
export function maskFreeTextFields<K extends string>(
  fields: Record<K, string | null | undefined>,
): { masked: Record<K, string | null>; originals: Partial<Record<K, string>> | undefined } {
  const masked = {} as Record<K, string | null>;
  let originals: Partial<Record<K, string>> | undefined;
  for (const key of Object.keys(fields) as K[]) {
    const value = fields[key];
    if (value === null || value === undefined) {
      masked[key] = null;
      continue;
    }
    const m = maskFreeText(value);
    masked[key] = m;
    if (m !== value) (originals ??= {} as Partial<Record<K, string>>)[key] = value;
  }
  return { masked, originals };
}

/** Seals a contact (and the originals of masked free text) for storage or an event; null when there is nothing to seal. */
export function sealContact(cipher: DataCipher, contact: Partial<Contact> | null | undefined, freeText?: Record<string, string>) {
  const name = contact?.name ?? null;
  const phone = contact?.phone ?? null;
  const text = freeText && Object.keys(freeText).length ? freeText : undefined;
  return {
    maskedName: maskName(name),
    maskedPhone: maskPhone(phone),
    sealed: name || phone || text ? cipher.sealJson({ name, phone, ...(text ? { freeText: text } : {}) } satisfies Contact) : null,
  };
}
