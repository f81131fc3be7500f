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

/*
 * Personal numbers typed into free text (a rating's comment, a complaint's content, a
 * 办不成事 description, a case note): 18-digit ID-card numbers, mainland mobile numbers
 * (with or without +86 and separators) and landline numbers with their area code.
 * Digits bounded on both sides, so longer digit runs (amounts, record numbers) are not cut apart.
 */
const ID_CARD = /(?<![0-9A-Za-z])([1-9]\d{3})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])/g;
const MOBILE_IN_TEXT = /(?<![\d+])((?:\+|00)?86[-\s]?)?(1[3-9]\d)[-\s]?\d{4}[-\s]?(\d{4})(?!\d)/g;
const LANDLINE_IN_TEXT = /(?<!\d)(\(?0\d{2,3}\)?)[-\s]?\d{3,4}[-\s]?(\d{4})(?!\d)/g;

/** Free text with every phone and ID-card number in it masked (`138****0000`, `021-****5678`, `1101**********123X`). */
export function maskFreeText(text: string): string {
  if (!/\d{4}/.test(text)) return text; // nothing long enough to be a number: the common case costs one scan
  return text
    .replace(ID_CARD, (_m, head: string, tail: string) => `${head}**********${tail}`)
    .replace(MOBILE_IN_TEXT, (_m, _cc: string | undefined, head: string, tail: string) => `${head}****${tail}`)
    .replace(LANDLINE_IN_TEXT, (_m, area: string, tail: string) => `${area}-****${tail}`);
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
