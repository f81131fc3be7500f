import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';

/**
 * How long a service trusts its last answer about a login: logout, disabling an account, a role or
 * unit change and a password reset reach every replica of every service within this long.
 */
export const SESSION_CHECK_TTL_MS = 10_000;

/**
 * Whether the login behind a console access token still stands: the account enabled and at the
 * token's session version (`sv`), the login (`sid`, its refresh-token family) not signed out. Asked
 * of intake's `session_live` function, which every service may call (the one shared question, not
 * its tables), and cached per process for SESSION_CHECK_TTL_MS; concurrent requests of one login
 * share one lookup.
 */
@Injectable()
export class SessionCheck {
  private readonly answers = new LRUCache<string, { live: boolean }>({
    max: 20_000,
    ttl: SESSION_CHECK_TTL_MS,
    fetchMethod: async (key) => {
      const [sub, sid, sv] = key.split('|') as [string, string, string];
      const [row] = await this.dataSource.query<Array<{ live: boolean }>>(`SELECT intake.session_live($1, $2, $3) AS live`, [
        sub,
        sid,
        Number(sv),
      ]);
      return { live: row?.live === true };
    },
  });

  constructor(private readonly dataSource: DataSource) {}

  async live(sub: string, sid: string, sv: number): Promise<boolean> {
    return (await this.answers.fetch(`${sub}|${sid}|${sv}`))?.live === true;
  }
}
