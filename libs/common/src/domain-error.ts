/** Stable error codes of the external contract (API.md § Errors). */
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  Unauthenticated = 'UNAUTHENTICATED',
  SignatureInvalid = 'SIGNATURE_INVALID',
  TimestampSkew = 'TIMESTAMP_SKEW',
  SignatureReplayed = 'SIGNATURE_REPLAYED',
  DeviceRevoked = 'DEVICE_REVOKED',
  Forbidden = 'FORBIDDEN',
  ForbiddenUnit = 'FORBIDDEN_UNIT',
  NotFound = 'NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  Conflict = 'CONFLICT',
  AlreadyRated = 'ALREADY_RATED',
  InvalidTransition = 'INVALID_TRANSITION',
  TicketConflict = 'TICKET_CONFLICT',
  ContactAvailable = 'CONTACT_AVAILABLE',
  QuarterNotEnded = 'QUARTER_NOT_ENDED',
  AlreadyPublished = 'ALREADY_PUBLISHED',
  LastAdmin = 'LAST_ADMIN',
  UnitDisabled = 'UNIT_DISABLED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UriTooLong = 'URI_TOO_LONG',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  HeadersTooLarge = 'HEADERS_TOO_LARGE',
  RateLimited = 'RATE_LIMITED',
  InvalidCredentials = 'INVALID_CREDENTIALS',
  AccountLocked = 'ACCOUNT_LOCKED',
  PasswordChangeRequired = 'PASSWORD_CHANGE_REQUIRED',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  PairingCodeInvalid = 'PAIRING_CODE_INVALID',
  PairingCodeExpired = 'PAIRING_CODE_EXPIRED',
  PairingCodeUsed = 'PAIRING_CODE_USED',
  PersonalDataErased = 'PERSONAL_DATA_ERASED',
  BulletinLinkInvalid = 'BULLETIN_LINK_INVALID',
  BulletinLinkExpired = 'BULLETIN_LINK_EXPIRED',
  BulletinLinkMismatch = 'BULLETIN_LINK_MISMATCH',
  Internal = 'INTERNAL_ERROR',
}

const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.SignatureInvalid]: 401,
  [ErrorCode.TimestampSkew]: 401,
  [ErrorCode.SignatureReplayed]: 401,
  [ErrorCode.DeviceRevoked]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.ForbiddenUnit]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.MethodNotAllowed]: 405,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.AlreadyRated]: 409,
  [ErrorCode.InvalidTransition]: 409,
  [ErrorCode.TicketConflict]: 409,
  [ErrorCode.ContactAvailable]: 409,
  [ErrorCode.QuarterNotEnded]: 409,
  [ErrorCode.AlreadyPublished]: 409,
  [ErrorCode.LastAdmin]: 409,
  [ErrorCode.UnitDisabled]: 409,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.UriTooLong]: 414,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.HeadersTooLarge]: 431,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.InvalidCredentials]: 401,
  [ErrorCode.AccountLocked]: 423,
  [ErrorCode.PasswordChangeRequired]: 403,
  [ErrorCode.ServiceUnavailable]: 503,
  [ErrorCode.PairingCodeInvalid]: 404,
  [ErrorCode.PairingCodeExpired]: 410,
  [ErrorCode.PairingCodeUsed]: 410,
  [ErrorCode.PersonalDataErased]: 410,
  [ErrorCode.BulletinLinkInvalid]: 401,
  [ErrorCode.BulletinLinkExpired]: 401,
  [ErrorCode.BulletinLinkMismatch]: 403,
  [ErrorCode.Internal]: 500,
};

const TITLE: Record<ErrorCode, string> = {
  [ErrorCode.ValidationFailed]: 'Request validation failed',
  [ErrorCode.Unauthenticated]: 'Authentication required',
  [ErrorCode.SignatureInvalid]: 'Request signature is invalid',
  [ErrorCode.TimestampSkew]: 'Request timestamp is too far from server time',
  [ErrorCode.SignatureReplayed]: 'This signed request has already been used',
  [ErrorCode.DeviceRevoked]: 'Credential has been revoked',
  [ErrorCode.Forbidden]: 'Not allowed for this role',
  [ErrorCode.ForbiddenUnit]: 'Not allowed for this unit',
  [ErrorCode.NotFound]: 'Resource not found',
  [ErrorCode.MethodNotAllowed]: 'Method not allowed',
  [ErrorCode.Conflict]: 'Conflict with the current state',
  [ErrorCode.AlreadyRated]: 'This service instance has already been rated',
  [ErrorCode.InvalidTransition]: 'Action not allowed in the current state',
  [ErrorCode.TicketConflict]: 'This ticket has already been transferred with different content',
  [ErrorCode.ContactAvailable]: 'The case carries contact details: the reviewer must be contacted',
  [ErrorCode.QuarterNotEnded]: 'The quarter has not ended yet',
  [ErrorCode.AlreadyPublished]: 'The quarter has already been published',
  [ErrorCode.LastAdmin]: 'The last enabled admin cannot be disabled or demoted',
  [ErrorCode.UnitDisabled]: 'The unit is disabled',
  [ErrorCode.PayloadTooLarge]: 'Payload too large',
  [ErrorCode.UriTooLong]: 'URI too long',
  [ErrorCode.UnsupportedMediaType]: 'Unsupported media type',
  [ErrorCode.HeadersTooLarge]: 'Request header fields too large',
  [ErrorCode.RateLimited]: 'Too many requests',
  [ErrorCode.InvalidCredentials]: 'Wrong username or password',
  [ErrorCode.AccountLocked]: 'Account locked after repeated failed logins',
  [ErrorCode.PasswordChangeRequired]: 'The password must be changed first',
  [ErrorCode.ServiceUnavailable]: 'Service unavailable',
  [ErrorCode.PairingCodeInvalid]: 'Unknown pairing code',
  [ErrorCode.PairingCodeExpired]: 'Pairing code has expired',
  [ErrorCode.PairingCodeUsed]: 'Pairing code has already been used',
  [ErrorCode.PersonalDataErased]: 'The personal data was erased when its retention period ended',
  [ErrorCode.BulletinLinkInvalid]: 'The bulletin link is not valid',
  [ErrorCode.BulletinLinkExpired]: 'The bulletin link has expired',
  [ErrorCode.BulletinLinkMismatch]: 'The bulletin link opens another bulletin',
  [ErrorCode.Internal]: 'Internal server error',
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

export function titleOf(code: ErrorCode): string {
  return TITLE[code];
}

export interface FieldError {
  field: string;
  message: string;
}

/** A failure the domain understands; the global filter renders it as problem+json. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    /** Extra response headers, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
    /** RFC 9457 extension members added to the problem (e.g. the failing health checks). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }

  static validation(errors: FieldError[], detail = 'One or more fields are invalid.'): DomainError {
    return new DomainError(ErrorCode.ValidationFailed, detail, errors);
  }

  static notFound(what: string): DomainError {
    return new DomainError(ErrorCode.NotFound, `${what} was not found.`);
  }
}
