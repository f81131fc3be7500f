export type Role = 'admin' | 'supervisor' | 'unit_operator';
export const ROLES: readonly Role[] = ['admin', 'supervisor', 'unit_operator'];

export interface DevicePrincipal {
  kind: 'device';
  deviceId: string;
  unitCode: string;
  windowNo: string;
}

export interface HotlineClientPrincipal {
  kind: 'hotline';
  clientId: string;
}

/**
 * A platform that pushes ratings (API.md § Online platform): a signed client like a 12345 one, kept in the same
 * registry, whose channel says what it may do (ONLINE: the online platform's ratings; PROVINCE: the provincial platform).
 */
export interface PlatformClientPrincipal {
  kind: 'platform';
  clientId: string;
  channel: PlatformChannel;
}

export const PLATFORM_CHANNELS = ['ONLINE', 'PROVINCE'] as const;
export type PlatformChannel = (typeof PLATFORM_CHANNELS)[number];

export interface UserPrincipal {
  kind: 'user';
  sub: string;
  role: Role;
  unitCode: string | null;
  /** The person's display name when the token carries one (`name`; console logins do). */
  name?: string;
}

export type Principal = DevicePrincipal | HotlineClientPrincipal | PlatformClientPrincipal | UserPrincipal;

export interface JwtClaims {
  sub: string;
  role: Role;
  unitCode?: string;
  /** The person's display name (console logins carry it; an external issuer's token may not). */
  name?: string;
  /** A console login's id (`sid`, its refresh-token family) and the account's session version (`sv`). */
  session?: { sid: string; sv: number };
}
