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

export interface UserPrincipal {
  kind: 'user';
  sub: string;
  role: Role;
  unitCode: string | null;
}

export type Principal = DevicePrincipal | HotlineClientPrincipal | UserPrincipal;

export interface JwtClaims {
  sub: string;
  role: Role;
  unitCode?: string;
  /** A console login's id (`sid`, its refresh-token family) and the account's session version (`sv`). */
  session?: { sid: string; sv: number };
}
