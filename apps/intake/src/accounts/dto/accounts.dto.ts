import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf } from 'class-validator';
import { type Role, ROLES } from '#libs/auth';
import { IsDayInRange, IsNotBlank } from '#libs/common';
import { AUDIT_ACTIONS, type AuditAction } from '#libs/contracts';

export { AUDIT_ACTIONS };

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @Length(1, 64)
  @IsNotBlank()
  username: string;

  @ApiProperty({ example: 'Correct-Horse-42' })
  @IsString()
  @Length(1, 256)
  @IsNotBlank()
  password: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token of the last login or refresh' })
  @IsString()
  @Length(1, 256)
  refreshToken: string;
}

export class ChangePasswordDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @Length(1, 64)
  @IsNotBlank()
  username: string;

  @ApiProperty()
  @IsString()
  @Length(1, 256)
  @IsNotBlank()
  currentPassword: string;

  @ApiProperty({ description: '10–128 characters, three of: lower case, upper case, digits, symbols; not containing the username' })
  @IsString()
  @Length(1, 256)
  @IsNotBlank()
  newPassword: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'wang.fang', description: '3–32 letters, digits, dots, dashes or underscores (stored in lower case)' })
  @Matches(/^[A-Za-z0-9._-]{3,32}$/, { message: 'must be 3–32 letters, digits, dots, dashes or underscores' })
  username: string;

  @ApiProperty({ example: '王芳' })
  @IsString()
  @Length(1, 50)
  displayName: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;

  @ApiPropertyOptional({ example: 'CN-01', description: 'Required for a unit_operator, refused for the other roles' })
  @ValidateIf((o: CreateUserDto) => o.role === 'unit_operator' || o.unitCode !== undefined)
  @IsString()
  @Length(1, 32)
  unitCode?: string;

  @ApiProperty({ description: 'A one-time password: the user must change it at first login' })
  @IsString()
  @Length(1, 256)
  password: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({ example: '王芳' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  displayName?: string;

  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({
    type: String,
    example: 'CN-01',
    nullable: true,
    description: 'The unit of a unit_operator; null for the other roles',
  })
  @IsOptional()
  @ValidateIf((o: UpdateUserDto) => o.unitCode !== null)
  @IsString()
  @Length(1, 32)
  unitCode?: string | null;

  @ApiPropertyOptional({ description: 'true disables the account and revokes its refresh tokens; false enables it again' })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class ResetPasswordDto {
  @ApiProperty({ description: 'A new one-time password; the user must change it at the next login' })
  @IsString()
  @Length(1, 256)
  password: string;
}

export const AUDIT_FORMATS = ['json', 'csv', 'xlsx'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

/** Which entries: one action, and a range of Asia/Shanghai days (both inclusive). */
export class AuditFilter {
  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;

  @ApiPropertyOptional({ example: '2026-12-01', description: 'Entries on or after this Asia/Shanghai day' })
  @IsOptional()
  @IsDayInRange()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'Entries on or before this Asia/Shanghai day (the whole day)' })
  @IsOptional()
  @IsDayInRange()
  to?: string;
}

export class AuditQuery extends AuditFilter {
  @ApiPropertyOptional({ type: Number, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page = 1;

  @ApiPropertyOptional({ type: Number, default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  pageSize = 50;

  @ApiPropertyOptional({
    enum: AUDIT_FORMATS,
    default: 'json',
    description: 'csv | xlsx: every entry the filter selects (newest first, at most 50,000) as a download; paging does not apply',
  })
  @IsOptional()
  @IsIn(AUDIT_FORMATS)
  format?: AuditFormat;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() username: string;
  @ApiProperty() displayName: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ type: String, nullable: true }) unitCode: string | null;
  @ApiProperty() mustChangePassword: boolean;
  @ApiProperty() disabled: boolean;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Failed logins of this name are refused from some address until this instant (POST /users/{id}/unlock clears it)',
  })
  lockedUntil: string | null;
  @ApiProperty({ type: String, nullable: true }) lastLoginAt: string | null;
  @ApiProperty() createdAt: string;
}

export class TokenResponseDto {
  @ApiProperty({ description: 'Bearer JWT (sub, role, unitCode, exp) accepted by every service' }) accessToken: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType: 'Bearer';
  @ApiProperty({ description: 'Seconds until the access token expires' }) expiresIn: number;
  @ApiProperty({ description: 'Opaque, single-use: exchange it at /auth/refresh for new tokens' }) refreshToken: string;
  @ApiProperty() refreshExpiresAt: string;
  @ApiProperty({ type: UserDto }) user: UserDto;
}

export class MeDto {
  @ApiProperty() sub: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ type: String, nullable: true }) unitCode: string | null;
  @ApiProperty({ type: UserDto, nullable: true, description: 'The console account, when the token was issued by login' })
  user: UserDto | null;
}

export class AuditEntryDto {
  @ApiProperty() id: string;
  @ApiProperty() at: string;
  @ApiProperty({ enum: AUDIT_ACTIONS }) action: AuditAction;
  @ApiProperty({ enum: ['intake', 'rectification', 'statistics'], description: 'The service that recorded the entry' }) service: string;
  @ApiProperty({ type: String, nullable: true }) actorSub: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The actor's username (or the name tried, for a failed login)" })
  actorName: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The actor's username, when known" }) actorUsername: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The actor's display name (姓名), for a console account" })
  actorDisplayName: string | null;
  @ApiProperty({ type: String, nullable: true }) actorRole: string | null;
  @ApiProperty({ type: String, nullable: true }) targetUserId: string | null;
  @ApiProperty({ type: String, nullable: true }) ip: string | null;
  @ApiProperty({ description: 'What happened, in Chinese' }) summary: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) detail: Record<string, unknown>;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEntryDto] }) items: AuditEntryDto[];
  @ApiProperty() page: number;
  @ApiProperty() pageSize: number;
  @ApiProperty() total: number;
}

/** Who did something, as a person reads it: the ids of a case's timeline or a publication, without the accounts' details. */
export class PeopleNamesQuery {
  @ApiProperty({ example: '0b6f…,9c1e…', description: 'Comma-separated account ids (subs), at most 100' })
  @IsString()
  @Length(1, 4000)
  @Matches(/^[0-9a-f-]{36}(,[0-9a-f-]{36}){0,99}$/i, { message: 'must be up to 100 account ids separated by commas' })
  ids: string;
}

export class PersonNameDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '王芳' }) displayName: string;
  @ApiProperty({ enum: ROLES }) role: Role;
}

export class PeopleNamesDto {
  @ApiProperty({ type: [PersonNameDto], description: 'The known ones; an unknown id (an external identity) is left out' })
  names: PersonNameDto[];
}
