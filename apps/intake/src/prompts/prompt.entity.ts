import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DeviceEntity } from '../registry/registry.entities.js';

/** A window's request that its PAD ask the citizen for a rating of one service. */
@Entity({ name: 'device_prompts' })
@Index('device_prompts_device', ['deviceId', 'createdAt'])
export class PromptEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'device_id', type: 'uuid' })
  deviceId: string;

  @ManyToOne(() => DeviceEntity)
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'device_prompts_device_id_fkey' })
  device?: DeviceEntity;

  @Column({ name: 'unit_code', type: 'text' })
  unitCode: string;

  @Column({ name: 'service_record_id', type: 'text' })
  serviceRecordId: string;

  @Column({ name: 'service_item_code', type: 'text' })
  serviceItemCode: string;

  @Column({ name: 'service_item_name', type: 'text', nullable: true })
  serviceItemName: string | null;

  @Column({ name: 'staff_id', type: 'text', nullable: true })
  staffId: string | null;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
