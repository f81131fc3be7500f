import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { UserPrincipal } from '#libs/auth';
import { CHINA_ZONE, DomainError, type Env, ENV, ErrorCode } from '#libs/common';
import { auditOutboxEntry, OutboxService } from '#libs/messaging';
import { DateTime } from 'luxon';
import { PublishingService } from '../publishing/publishing.service.js';
import type { BulletinExtras } from '../reports/render/bulletin.js';
import type { QuarterlyReport } from '../reports/domain/report.js';
import {
  assertCovers,
  type BulletinLinkGrant,
  bulletinLinkKey,
  bulletinLinkPath,
  type BulletinLinkScope,
  issueToken,
  newGrant,
  verifyToken,
} from './bulletin-link-token.js';

export interface BulletinLink {
  /** The bulletin's address relative to the service (path and query), token included. */
  url: string;
  expiresAt: string;
}

/**
 * Shareable bulletin links: a supervisor makes one (audited like publishing), anyone holding it reads that one bulletin
 * until it expires — a published quarter's frozen figures, as with a bearer token. Links are stateless (signed, not
 * stored): they end when they expire, or all at once when BULLETIN_LINK_SECRET changes.
 */
@Injectable()
export class BulletinLinksService {
  private readonly key: Buffer | null;

  constructor(
    @Inject(ENV) env: Pick<Env, 'BULLETIN_LINK_SECRET' | 'JWT_SECRET'>,
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly publishing: PublishingService,
  ) {
    const secret = env.BULLETIN_LINK_SECRET ?? env.JWT_SECRET;
    this.key = secret ? bulletinLinkKey(secret) : null;
  }

  async create(user: UserPrincipal, scope: BulletinLinkScope, now = new Date()): Promise<BulletinLink> {
    const grant = newGrant(scope, now);
    const token = issueToken(this.signingKey(), grant);
    const expiresAt = new Date(grant.exp * 1000);
    const until = DateTime.fromJSDate(expiresAt).setZone(CHINA_ZONE).toFormat('yyyy年M月d日 HH:mm');
    const what = `${scope.year} 年第 ${scope.quarter} 季度${scope.unitCode ? `单位 ${scope.unitCode} ` : '全区'}${scope.live ? '实时数据' : ''}通报`;
    await this.dataSource.transaction(async (m) => {
      await this.outbox.add(
        m,
        auditOutboxEntry({
          service: 'Statistics',
          actor: user,
          action: 'BULLETIN_LINK_CREATED',
          summary: `生成 ${what}的分享链接（有效至 ${until}，北京时间）`,
          detail: {
            linkId: grant.id,
            year: scope.year,
            quarter: scope.quarter,
            ...(scope.unitCode ? { unitCode: scope.unitCode } : {}),
            live: scope.live,
            expiresAt: expiresAt.toISOString(),
          },
          at: now,
        }),
      );
    });
    return { url: bulletinLinkPath(grant, token), expiresAt: expiresAt.toISOString() };
  }

  /** The grant of a link's token (401 when altered or expired). */
  verify(token: string, now = new Date()): BulletinLinkGrant {
    return verifyToken(this.signingKey(), token, now);
  }

  /** The bulletin a link opens, when the address asks for exactly that one (else 403 BULLETIN_LINK_MISMATCH). */
  bulletin(grant: BulletinLinkGrant, asked: BulletinLinkScope): Promise<{ report: QuarterlyReport; extras: BulletinExtras }> {
    assertCovers(grant, asked);
    return this.publishing.bulletinOf(asked.year, asked.quarter, asked.unitCode, asked.live);
  }

  private signingKey(): Buffer {
    if (!this.key) {
      throw new DomainError(
        ErrorCode.ServiceUnavailable,
        'Bulletin links need BULLETIN_LINK_SECRET (or JWT_SECRET) to be configured on the statistics service.',
      );
    }
    return this.key;
  }
}
