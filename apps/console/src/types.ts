/** Response shapes the services return without an OpenAPI schema yet (API.md § Rectification, § Statistics). */
export interface CaseView {
  id: string;
  /** 案件编号, 2026-1207-0001. */
  caseNumber: string;
  source: string;
  unitCode: string;
  unitName: string;
  reviewId: string | null;
  reportId: string | null;
  ticketId: string | null;
  status: string;
  outcome: string | null;
  openedAt: string;
  responseDueAt: string;
  rectifyDueAt: string;
  respondedAt: string | null;
  respondedOnTime: boolean | null;
  rectifiedAt: string | null;
  closedAt: string | null;
  overdue: boolean;
  /** The deadlines rest on a calendar year not yet confirmed. */
  deadlineProvisional?: boolean;
  reopenedCount: number;
  urgeCount: number;
  version: number;
  extension: { status: string; reason: string; until: string; requestedAt: string } | null;
  matter: Record<string, unknown>;
  /** erasedAt: when the retention sweep erased the contact (已按期删除); absent from a service that does not erase yet. */
  contact: { name: string | null; phone: string | null; erasedAt?: string | null };
}

export interface TimelineEntry {
  action: string;
  actor: string;
  actorRole: string | null;
  note: string | null;
  data: Record<string, unknown>;
  at: string;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface UnitRow {
  unitCode: string;
  unitName: string;
  total: number;
  good: number;
  bad: number;
  goodRate: number | null;
  timelyResponseRate: number | null;
  rank: number;
}

export interface QuarterlyReport {
  period: { year: number; quarter: number; from: string; to: string };
  reviews: {
    total: number;
    good: number;
    bad: number;
    goodRate: number | null;
    byLevel: Record<string, number>;
    byChannel: Record<string, number>;
  };
  badReviews: {
    total: number;
    due: number;
    respondedOnTime: number;
    timelyResponseRate: number | null;
    rectified: number;
    rectificationRate: number | null;
    open: number;
    overdue: number;
    appealsUpheld: number;
  };
  unresolvedReports: { total: number; closed: number };
  units: UnitRow[];
  topBadTags: Array<{ tag: string; count: number }>;
  topBadServiceItems: Array<{ serviceItemCode: string; serviceItemName: string | null; count: number }>;
  previousQuarter: { total: number; goodRate: number | null };
  published?: { at: string; by: string };
}

export interface Unit {
  code: string;
  name: string;
  createdAt: string;
  /** Disabled by an admin: nothing new is accepted for it; its history stays. */
  disabled: boolean;
  disabledAt: string | null;
}

export interface Device {
  deviceId: string;
  unitCode: string;
  windowNo: string;
  label: string | null;
  revoked: boolean;
  revokedAt: string | null;
  createdAt: string;
  /** When a PAD page last exchanged a pairing code for this device. */
  pairedAt: string | null;
  /** The PAD page's last heartbeat. */
  lastSeenAt: string | null;
  online: boolean;
  queueLength: number | null;
  /** Ratings the server refused that the PAD keeps aside (its 未通过 counter), at its last heartbeat. */
  rejectedCount: number | null;
  appVersion: string | null;
}

/** A batch item a PAD's upload had refused, with why in Chinese (GET /devices/{deviceId}/rejected-uploads). */
export interface RejectedUpload {
  index: number;
  serviceRecordId: string | null;
  receivedAt: string;
  reasons: string[];
}

/** A one-time pairing code (POST /devices/{deviceId}/pairing-codes): shown once, valid 15 minutes, usable once. */
export interface PairingCode {
  code: string;
  deviceId: string;
  expiresAt: string;
}

/** How the replies to one 12345 client are delivered (rectification's GET /hotline/deliveries). */
export interface HotlineDeliveries {
  clientId: string;
  name: string | null;
  callbackUrl: string | null;
  revoked: boolean;
  state: 'FAILING' | 'PENDING' | 'DELIVERED' | 'NONE';
  delivered: number;
  pending: number;
  failing: number;
  undeliverable: number;
  lastAttemptAt: string | null;
  lastDeliveredAt: string | null;
  nextAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
}

export interface HotlineClient {
  clientId: string;
  name: string;
  callbackUrl: string | null;
  revoked: boolean;
  revokedAt: string | null;
  createdAt: string;
}

export interface Rating {
  id: string;
  unitCode: string;
  deviceId: string | null;
  windowNo?: string | null;
  level: number;
  grade: string;
  ratedAt: string;
  suspect: boolean;
  suspectReason?: string | null;
  suspectStatus: 'OPEN' | 'CONFIRMED' | 'CLEARED' | null;
  suspectClearedAt: string | null;
  suspectClearedBy: string | null;
  suspectConfirmedAt: string | null;
  suspectConfirmedBy: string | null;
  serviceItemCode?: string;
  serviceRecordId?: string;
}
