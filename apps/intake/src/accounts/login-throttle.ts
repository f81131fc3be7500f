import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type LimitDecision, type SharedLimit, sharedLimit } from '#libs/database';
import { LOGIN_THROTTLE_MS, MAX_FAILED_LOGINS, MAX_FAILED_LOGINS_PER_ADDRESS } from './account-rules.js';

const PER_USER = 'login-user';
const PER_ADDRESS = 'login-addr';

export interface LoginAttempt {
  /** False when this name from this address, or this address, has failed too often: refuse before any lookup. */
  allowed: boolean;
  /** When the refusal ends (when refused). */
  until: Date | null;
  /** This attempt was the one that used up the name's allowance from this address. */
  lastAllowed: boolean;
  username: string;
  address: string;
}

/**
 * The throttle of failed logins, shared by every intake replica (rate-limiter-flexible's PostgreSQL
 * store, table `rate_limits`). Every attempt takes a point per (username, address) and per address
 * before the password is checked, so concurrent guesses cannot slip past the count; a successful
 * login gives them back. Names are counted whether or not such an account exists.
 */
@Injectable()
export class LoginThrottle {
  private readonly perUser: SharedLimit;
  private readonly perAddress: SharedLimit;

  constructor(private readonly dataSource: DataSource) {
    const windowSeconds = LOGIN_THROTTLE_MS / 1000;
    // Not blocked in memory: an admin's unlock (a DELETE) must reach every replica at once.
    this.perUser = sharedLimit(dataSource, { name: PER_USER, points: MAX_FAILED_LOGINS, windowSeconds });
    this.perAddress = sharedLimit(dataSource, {
      name: PER_ADDRESS,
      points: MAX_FAILED_LOGINS_PER_ADDRESS,
      windowSeconds,
      blockInMemory: true,
    });
  }

  async attempt(username: string, address: string): Promise<LoginAttempt> {
    const [user, addr] = await Promise.all([this.perUser.consume(userKey(username, address)), this.perAddress.consume(address)]);
    const refused = [user, addr].filter((d) => !d.allowed);
    const now = Date.now();
    return {
      allowed: refused.length === 0,
      until: refused.length ? new Date(now + Math.max(...refused.map((d: LimitDecision) => d.msBeforeReset))) : null,
      lastAllowed: user.allowed && user.consumed === MAX_FAILED_LOGINS,
      username,
      address,
    };
  }

  /** The attempt succeeded: it does not count, and the name's earlier failures from this address are forgotten. */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await Promise.all([this.perUser.reset(userKey(attempt.username, attempt.address)), this.perAddress.reward(attempt.address)]);
  }

  /** An admin's unlock: the name's failures from every address are forgotten, on every replica at once. */
  async unlock(username: string): Promise<number> {
    const prefix = `${PER_USER}:${username}|`;
    const [, deleted] = await this.dataSource.query<[unknown[], number]>(`DELETE FROM rate_limits WHERE left(key, $2) = $1`, [
      prefix,
      prefix.length,
    ]);
    return deleted;
  }

  /** Until when each of these names is refused from some address (absent when it is not). */
  async throttledUntil(usernames: string[]): Promise<Map<string, Date>> {
    if (usernames.length === 0) return new Map();
    const rows = await this.dataSource.query<Array<{ username: string; until: string }>>(
      `SELECT split_part(substr(key, $1), '|', 1) AS username, max(expire)::text AS until
         FROM rate_limits
        WHERE left(key, $1 - 1) = $2 AND points > $3 AND expire > $4
          AND split_part(substr(key, $1), '|', 1) = ANY($5)
        GROUP BY 1`,
      [PER_USER.length + 2, `${PER_USER}:`, MAX_FAILED_LOGINS - 1, Date.now(), usernames],
    );
    return new Map(rows.map((r) => [r.username, new Date(Number(r.until))]));
  }
}

const userKey = (username: string, address: string) => `${username}|${address}`;
