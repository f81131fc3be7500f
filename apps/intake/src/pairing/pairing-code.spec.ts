import {
  generatePairingCode,
  normalizePairingCode,
  PAIRING_CODE_ALPHABET,
  PAIRING_CODE_LENGTH,
  pairingCodeHash,
  pairingCodeState,
} from './pairing-code.js';

describe('pairing codes', () => {
  it('are 8 characters of the unambiguous alphabet', () => {
    for (let i = 0; i < 200; i++) {
      const code = generatePairingCode();
      expect(code).toHaveLength(PAIRING_CODE_LENGTH);
      for (const c of code) expect(PAIRING_CODE_ALPHABET).toContain(c);
    }
    expect(PAIRING_CODE_ALPHABET).not.toMatch(/[01ILO]/);
    expect(generatePairingCode(() => 0)).toBe('22222222');
    expect(generatePairingCode((max) => max - 1)).toBe('ZZZZZZZZ');
  });

  it('are read back case- and dash-insensitively, and anything else is not a code', () => {
    expect(normalizePairingCode('abcd-efgh')).toBe('ABCDEFGH');
    expect(normalizePairingCode(' AB CD EF GH ')).toBe('ABCDEFGH');
    expect(normalizePairingCode('ABCDEFG')).toBeNull();
    expect(normalizePairingCode('ABCDEFGHJ')).toBeNull();
    expect(normalizePairingCode('ABCDEFG0')).toBeNull();
    expect(normalizePairingCode('ABCDEFG好')).toBeNull();
  });

  it('are stored as a hash that differs per code', () => {
    expect(pairingCodeHash('ABCDEFGH')).toMatch(/^[0-9a-f]{64}$/);
    expect(pairingCodeHash('ABCDEFGH')).not.toBe(pairingCodeHash('ABCDEFGJ'));
  });

  it('are valid until used, superseded or expired', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    const later = new Date('2026-12-01T10:15:00Z');
    const base = { usedAt: null, supersededAt: null, expiresAt: later };
    expect(pairingCodeState(base, now)).toBe('valid');
    expect(pairingCodeState(base, later)).toBe('expired');
    expect(pairingCodeState({ ...base, usedAt: now }, now)).toBe('used');
    expect(pairingCodeState({ ...base, supersededAt: now }, now)).toBe('superseded');
  });
});
