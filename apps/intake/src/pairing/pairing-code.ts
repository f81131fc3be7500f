import { createHash, randomInt } from 'node:crypto';

/** Letters and digits that cannot be confused when read off a screen or typed on a PAD (no 0/O, 1/I/L). */
export const PAIRING_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const PAIRING_CODE_LENGTH = 8;
/** A pairing code is valid this long after it was issued, and once. */
export const PAIRING_CODE_TTL_MS = 15 * 60_000;

/** A new code: 8 characters of a 31-letter alphabet (31⁸ ≈ 8.5 × 10¹¹), from the CSPRNG. */
export function generatePairingCode(pick: (max: number) => number = randomInt): string {
  let code = '';
  for (let i = 0; i < PAIRING_CODE_LENGTH; i++) code += PAIRING_CODE_ALPHABET[pick(PAIRING_CODE_ALPHABET.length)];
  return code;
}

/**
 * The code as typed, in canonical form: upper case, without spaces or dashes (the page shows it as
 * `ABCD-EFGH`), or null when it cannot be a code at all.
 */
export function normalizePairingCode(input: string): string | null {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== PAIRING_CODE_LENGTH) return null;
  for (const c of code) if (!PAIRING_CODE_ALPHABET.includes(c)) return null;
  return code;
}

/** Only this hash is stored: a leaked table does not pair anyone's PAD. */
export function pairingCodeHash(code: string): string {
  return createHash('sha256').update(`pairing:${code}`).digest('hex');
}

export type PairingCodeState = 'valid' | 'used' | 'expired' | 'superseded';

/** Where a stored code stands at `now`. */
export function pairingCodeState(code: { usedAt: Date | null; expiresAt: Date; supersededAt: Date | null }, now: Date): PairingCodeState {
  if (code.usedAt) return 'used';
  if (code.supersededAt) return 'superseded';
  if (code.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'valid';
}
