import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { FieldError } from '#libs/common';
import type { RejectedItem } from './rejection-reasons.js';

/** The newest refused items kept per device (older ones are pruned as new ones come): the 未通过 list stays bounded. */
export const REJECTED_UPLOADS_KEPT_PER_DEVICE = 200;

export interface RejectedUploadRow {
  item_index: number;
  service_record_id: string | null;
  errors: FieldError[];
  received_at: Date;
}

/** The batch items a device's uploads had refused (migration 1734300000000), newest first. */
@Injectable()
export class RejectedUploadsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Records one batch's refused items and prunes the device's older ones beyond the bound. */
  async record(deviceId: string, unitCode: string, items: RejectedItem[], receivedAt: Date): Promise<void> {
    if (items.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO rejected_uploads (device_id, unit_code, item_index, service_record_id, errors, received_at)
       SELECT $1, $2, i.item_index, i.service_record_id, i.errors, $4
         FROM jsonb_to_recordset($3::jsonb) AS i (item_index integer, service_record_id text, errors jsonb)`,
      [
        deviceId,
        unitCode,
        JSON.stringify(items.map((i) => ({ item_index: i.index, service_record_id: i.serviceRecordId, errors: i.errors }))),
        receivedAt,
      ],
    );
    await this.dataSource.query(
      `DELETE FROM rejected_uploads
        WHERE device_id = $1
          AND id < (SELECT id FROM rejected_uploads WHERE device_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)`,
      [deviceId, REJECTED_UPLOADS_KEPT_PER_DEVICE - 1],
    );
  }

  /** The device's kept refused items, newest batch first, in batch order within a batch. */
  async list(deviceId: string): Promise<RejectedUploadRow[]> {
    return this.dataSource.query<RejectedUploadRow[]>(
      `SELECT item_index, service_record_id, errors, received_at FROM rejected_uploads
        WHERE device_id = $1 ORDER BY received_at DESC, id ASC LIMIT $2`,
      [deviceId, REJECTED_UPLOADS_KEPT_PER_DEVICE],
    );
  }
}
