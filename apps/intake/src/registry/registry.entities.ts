import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'units' })
export class UnitEntity {
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Column({ type: 'text' })
  name: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** When an admin disabled the unit; null while it is enabled. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;
}

/** A window PAD terminal. Its secret is kept only sealed (AES-256-GCM). */
@Entity({ name: 'devices' })
export class DeviceEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'unit_code', type: 'text' })
  unitCode: string;

  @Column({ name: 'window_no', type: 'text' })
  windowNo: string;

  @Column({ type: 'text', nullable: true })
  label: string | null;

  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed: string;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** When a PAD page last exchanged a pairing code for this device's credentials. */
  @Column({ name: 'paired_at', type: 'timestamptz', nullable: true })
  pairedAt: Date | null;

  /** The last heartbeat (POST /pad/heartbeat) or prompt stream the device opened. */
  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt: Date | null;

  /** Ratings waiting in the PAD's offline queue at its last heartbeat. */
  @Column({ name: 'queue_length', type: 'integer', nullable: true })
  queueLength: number | null;

  /** Ratings the server rejected that the PAD keeps aside, at its last heartbeat. */
  @Column({ name: 'rejected_count', type: 'integer', nullable: true })
  rejectedCount: number | null;

  @Column({ name: 'app_version', type: 'text', nullable: true })
  appVersion: string | null;
}

/** What a signed client is: a 12345 hotline, or a platform pushing ratings (online, provincial). */
export type SignedClientChannel = 'HOTLINE_12345' | 'ONLINE' | 'PROVINCE';

/**
 * A signed client (X-Client-Id): a 12345 hotline system that pushes complaints and receives replies, or a
 * platform that pushes ratings (channel ONLINE or PROVINCE). One registry, one secret handling, one guard.
 */
@Entity({ name: 'hotline_clients' })
export class HotlineClientEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'callback_url', type: 'text', nullable: true })
  callbackUrl: string | null;

  /** What the signed client is: a 12345 hotline (HOTLINE_12345), or a platform pushing ratings (ONLINE, PROVINCE). */
  @Column({ type: 'text', default: 'HOTLINE_12345' })
  channel: SignedClientChannel;

  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed: string;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
