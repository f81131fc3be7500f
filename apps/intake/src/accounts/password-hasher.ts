import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with the OWASP-recommended cost (19 MiB, 2 passes, 1 lane). `Algorithm.Argon2id` is a
 * const enum, which isolated modules cannot read from a declaration file: its value is 2.
 */
const ARGON2ID = 2;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function passwordMatches(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of nothing anybody knows, verified against for unknown usernames so they take as long as known ones. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(`decoy-${Math.random()}`);
  return decoy;
}
