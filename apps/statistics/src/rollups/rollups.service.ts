import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { shanghaiDate } from '#libs/common';
import type { CloudEvent, ReviewSubmittedData } from '#libs/contracts';

/** Keeps the rollups in step with the review events, in SQL (never read-modify-write in JavaScript). */
@Injectable()
export class RollupsService {
  async applyReviewSubmitted(manager: EntityManager, event: CloudEvent<ReviewSubmittedData>): Promise<void> {
    const review = event.data;
    const day = shanghaiDate(review.ratedAt);
    const level = review.level ?? 0;
    await manager.query(
      `INSERT INTO units (unit_code, unit_name) VALUES ($1, $2)
       ON CONFLICT (unit_code) DO UPDATE SET unit_name = EXCLUDED.unit_name`,
      [review.unitCode, review.unitName],
    );
    const inserted = await manager.query<unknown[]>(
      `INSERT INTO review_facts (review_id, unit_code, day, channel, level, grade, tags, service_item_code, service_item_name, suspect)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (review_id) DO NOTHING RETURNING review_id`,
      [
        review.reviewId,
        review.unitCode,
        day,
        review.channel,
        level,
        review.grade,
        review.tags,
        review.serviceItemCode,
        review.serviceItemName,
        review.suspect,
      ],
    );
    if (inserted.length === 0 || review.suspect) return;
    await manager.query(
      `INSERT INTO review_rollups (unit_code, day, channel, level, reviews) VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (unit_code, day, channel, level) DO UPDATE SET reviews = review_rollups.reviews + 1`,
      [review.unitCode, day, review.channel, level],
    );
  }
}
