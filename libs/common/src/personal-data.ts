import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

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
  private readonly key: Buffer;

  constructor(keyMaterial: string) {
    this.key = keyFrom(keyMaterial);
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
}

/** Seals a contact for storage or an event; null when there is nothing to seal. */
export function sealContact(cipher: DataCipher, contact: Partial<Contact> | null | undefined) {
  const name = contact?.name ?? null;
  const phone = contact?.phone ?? null;
  return {
    maskedName: maskName(name),
    maskedPhone: maskPhone(phone),
    sealed: name || phone ? cipher.sealJson({ name, phone } satisfies Contact) : null,
  };
}
