import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '#libs/auth';
import type { AuditAction } from '#libs/contracts';

/** A person who signs in to the console. The password is kept only as an argon2id hash. */
@Entity({ name: 'users' })
@Index('users_username_key', ['username'], { unique: true })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Lower case; unique. */
  @Column({ type: 'text' })
  username: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName: string;

  @Column({ type: 'text' })
  role: Role;

  @Column({ name: 'unit_code', type: 'text', nullable: true })
  unitCode: string | null;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  /** Set for a one-time password (the first admin's, an admin's reset): the next login must change it. */
  @Column({ name: 'must_change_password', type: 'boolean', default: false })
  mustChangePassword: boolean;

  /**
   * Raised by every change that must end the access tokens already issued (role or unit change,
   * disabling, password change or reset); tokens carry it as `sv`, every service's guard compares.
   */
  @Column({ name: 'session_version', type: 'int', default: 0 })
  sessionVersion: number;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/**
 * A refresh token, kept only as its SHA-256 (the token is 256 random bits, so a fast hash is enough).
 * Tokens of one login form a family: each refresh replaces the token, and presenting a replaced one
 * again (a stolen copy) revokes the whole family.
 */
@Entity({ name: 'refresh_tokens' })
@Index('refresh_tokens_hash_key', ['tokenHash'], { unique: true })
@Index('refresh_tokens_family_idx', ['familyId'])
@Index('refresh_tokens_user_idx', ['userId'], { where: 'revoked_at IS NULL' })
export class RefreshTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'family_id', type: 'uuid' })
  familyId: string;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'replaced_at', type: 'timestamptz', nullable: true })
  replacedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

export type { AuditAction } from '#libs/contracts';

/** Who did what to whom, when and from where. Append-only. */
@Entity({ name: 'audit_log' })
@Index('audit_log_at_idx', ['at', 'id'])
@Index('audit_log_action_idx', ['action', 'at'])
export class AuditEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;

  @Column({ type: 'text' })
  action: AuditAction;

  /** The acting user's id (sub); null for a failed login by an unknown name. */
  @Column({ name: 'actor_sub', type: 'text', nullable: true })
  actorSub: string | null;

  @Column({ name: 'actor_name', type: 'text', nullable: true })
  actorName: string | null;

  /** The user acted upon (for user changes), else the actor. */
  @Column({ name: 'target_user_id', type: 'uuid', nullable: true })
  targetUserId: string | null;

  @Column({ type: 'text', nullable: true })
  ip: string | null;

  @Column({ type: 'jsonb', default: {} })
  detail: Record<string, unknown>;

  /** The service that recorded the entry: intake, or rectification and statistics through gov.audit.recorded. */
  @Column({ type: 'text', default: 'intake' })
  service: string;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole: string | null;

  /** What happened, in Chinese, as the console shows it; null for entries older than it (worded from `detail` when read). */
  @Column({ type: 'text', nullable: true })
  summary: string | null;
}
