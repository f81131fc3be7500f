import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DeviceEntity } from '../registry/registry.entities.js';

/** A one-time pairing code of a device; only its hash is kept. */
@Entity({ name: 'device_pairing_codes' })
@Index('device_pairing_codes_device', ['deviceId', 'createdAt'])
export class PairingCodeEntity {
  @PrimaryColumn({ name: 'code_hash', type: 'text' })
  codeHash: string;

  @Column({ name: 'device_id', type: 'uuid' })
  deviceId: string;

  @ManyToOne(() => DeviceEntity)
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'device_pairing_codes_device_id_fkey' })
  device?: DeviceEntity;

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  /** Set when a newer code was issued for the same device: only the newest code pairs. */
  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt: Date | null;
}
