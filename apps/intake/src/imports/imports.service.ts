import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { UserPrincipal } from '#libs/auth';
import { DataCipher, DomainError, type Env, ENV, ErrorCode } from '#libs/common';
import { auditSummaries } from '../accounts/audit-summary.js';
import { writeAdminAudit } from '../accounts/audit-writer.js';
import type { ImportedRatingDto } from '../ratings/dto/create-rating.dto.js';
import { ratingFields } from '../ratings/rating-row.js';
import { type PreparedImport, RatingsRepository, type StoredOutcome } from '../ratings/ratings.repository.js';
import { type BatchItemResult, validateRatingItem } from '../ratings/ratings.service.js';
import { UnitsService } from '../registry/units.service.js';
import { type ImportRatingsDto, MAX_IMPORT_ITEMS } from './dto/import-ratings.dto.js';
import { handlingErrors, resolveHandling } from './handling-rules.js';

/**
 * History from a previous platform (POST /imports/ratings): every item judged on its own like a PAD
 * rating (ratedAt from 2000-01-01 on), stored idempotently on (unitCode, serviceRecordId) with the
 * same gov.review.submitted event marked imported, without the 刷评 burst check. Bad items open cases
 * like any other, the clock starting at receipt — unless they carry the previous platform's
 * `handling` (handling-rules.ts): then the event carries it, no case opens and the figures use it. Written in groups of INTAKE_WRITE_GROUP, one round
 * trip each (write_imported_ratings).
 */
@Injectable()
export class ImportsService {
  private readonly logger = new Logger(ImportsService.name);
  private readonly group: number;

  constructor(
    private readonly repository: RatingsRepository,
    private readonly units: UnitsService,
    private readonly cipher: DataCipher,
    private readonly dataSource: DataSource,
    @Inject(ENV) env: Pick<Env, 'INTAKE_WRITE_GROUP'>,
  ) {
    this.group = env.INTAKE_WRITE_GROUP;
  }

  /** Writes the import, then records it in the audit log with what became of its items (the groups commit on their own). */
  async importRatings(admin: UserPrincipal, dto: ImportRatingsDto, receivedAt = new Date()): Promise<{ results: BatchItemResult[] }> {
    if (dto.ratings.length > MAX_IMPORT_ITEMS) {
      throw new DomainError(ErrorCode.PayloadTooLarge, `An import holds at most ${MAX_IMPORT_ITEMS} ratings; split it.`);
    }
    const unit = await this.units.requireEnabledUnit(dto.unitCode, 'unitCode');
    const results = new Array<BatchItemResult>(dto.ratings.length);
    const valid: Array<{ index: number; row: PreparedImport }> = [];
    for (const [index, item] of dto.ratings.entries()) {
      const checked = validateRatingItem(item, 'import');
      const errors = checked.dto ? handlingErrors(checked.dto) : checked.errors;
      if (checked.dto && errors.length === 0) valid.push({ index, row: this.prepare(unit, dto.windowNo ?? null, checked.dto, receivedAt) });
      else results[index] = { index, status: 'rejected', errors };
    }
    for (let start = 0; start < valid.length; start += this.group) {
      const part = valid.slice(start, start + this.group);
      const outcomes = await this.write(part.map((v) => v.row));
      part.forEach(({ index }, i) => (results[index] = resultOf(index, outcomes[i]!)));
    }
    const counts = { created: 0, duplicate: 0, rejected: 0 };
    for (const r of results) counts[r.status] += 1;
    await this.dataSource.transaction((manager) =>
      writeAdminAudit(manager, admin, 'RATINGS_IMPORTED', auditSummaries.ratingsImported(unit, counts), { unitCode: unit.code, ...counts }),
    );
    return { results };
  }

  /** One group; should it fail as a whole, its ratings one by one, so that one bad row only rejects itself. */
  private async write(rows: PreparedImport[]): Promise<Array<StoredOutcome | Error>> {
    try {
      return await this.repository.writeImported(rows);
    } catch (err) {
      if (rows.length === 1) return [err instanceof Error ? err : new Error(String(err))];
      this.logger.warn({ err, size: rows.length }, 'import group failed; writing its ratings one by one');
      const out: Array<StoredOutcome | Error> = [];
      for (const row of rows) out.push((await this.write([row]))[0]!);
      return out;
    }
  }

  private prepare(unit: { code: string; name: string }, windowNo: string | null, dto: ImportedRatingDto, receivedAt: Date): PreparedImport {
    return {
      ...ratingFields(this.cipher, dto, receivedAt),
      unitCode: unit.code,
      unitName: unit.name,
      channel: dto.channel ?? 'PAD',
      deviceId: null,
      platformClientId: null,
      burstKey: null,
      windowNo,
      live: false,
      ...(dto.handling ? { handling: resolveHandling(dto.ratedAt, dto.handling) } : {}),
    };
  }
}

function resultOf(index: number, outcome: StoredOutcome | Error): BatchItemResult {
  if (outcome instanceof Error)
    return { index, status: 'rejected', errors: [{ field: '', message: 'could not be stored; retry the item' }] };
  if (outcome.kind === 'conflict')
    return {
      index,
      status: 'rejected',
      errors: [{ field: 'serviceRecordId', message: 'ALREADY_RATED: has already been rated with a different body' }],
    };
  return { index, status: outcome.kind === 'created' ? 'created' : 'duplicate', id: outcome.id };
}
