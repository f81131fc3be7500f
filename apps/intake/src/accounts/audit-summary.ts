import { AUDIT_ACTION_LABELS, type AuditAction, ROLE_LABELS } from '#libs/contracts';

/**
 * The Chinese line of each audit entry intake records. Entries written before summaries were kept
 * (logins, account changes, 刷评 decisions) are worded from their `detail` when read.
 */
const str = (value: unknown): string | null => (typeof value === 'string' && value.length ? value : null);
/** A plain value as text (objects are not expected in these details). */
const text = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);

const LOGIN_FAILURE: Record<string, string> = { UNKNOWN_USER: '用户名不存在', WRONG_PASSWORD: '密码错误', DISABLED: '账号已停用' };

const CHANGE_NAMES: Record<string, string> = { displayName: '姓名', role: '角色', unitCode: '单位', disabled: '停用' };

function changeValue(key: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '无';
  if (key === 'role') return ROLE_LABELS[value as keyof typeof ROLE_LABELS] ?? text(value);
  if (key === 'disabled') return value ? '是' : '否';
  return text(value);
}

/** The summary of an entry recorded without one, from its action and detail. */
export function auditSummaryOf(action: AuditAction, detail: Record<string, unknown>): string {
  const label = AUDIT_ACTION_LABELS[action] ?? action;
  const username = str(detail.username);
  switch (action) {
    case 'LOGIN_FAILED':
      return `${label}：${LOGIN_FAILURE[String(detail.reason)] ?? '凭据无效'}`;
    case 'ACCOUNT_LOCKED':
      return `连续登录失败，来自 ${str(detail.address) ?? '未知地址'} 的登录暂停至 ${shanghaiTime(detail.until)}`;
    case 'USER_CREATED':
      return `创建用户 ${username ?? ''}（${changeValue('role', detail.role)}${str(detail.unitCode) ? `，${String(detail.unitCode)}` : ''}）`;
    case 'USER_UPDATED': {
      const changes = (detail.changes ?? {}) as Record<string, [unknown, unknown]>;
      const parts = Object.entries(changes).map(
        ([key, [from, to]]) => `${CHANGE_NAMES[key] ?? key}由「${changeValue(key, from)}」改为「${changeValue(key, to)}」`,
      );
      return `修改用户 ${username ?? ''}${parts.length ? `：${parts.join('，')}` : ''}`;
    }
    case 'PASSWORD_RESET':
    case 'ACCOUNT_UNLOCKED':
      return username ? `${label} ${username}` : label;
    case 'SUSPECT_CLEARED':
    case 'SUSPECT_CONFIRMED':
      // The rating as staff know it: unit, window, the matter's number and when it was given — never its id.
      return [
        `${label}：${str(detail.unitCode) ?? ''}`,
        str(detail.windowNo) ? ` 窗口 ${str(detail.windowNo)}` : '',
        str(detail.serviceRecordId) ? ` 办件 ${str(detail.serviceRecordId)}` : '',
        ` 的评价（${shanghaiTime(detail.ratedAt)} 评价）`,
      ].join('');
    default:
      return label;
  }
}

/** An instant as Asia/Shanghai wall time, `2026-12-07 18:30`. */
export function shanghaiTime(value: unknown): string {
  const time = typeof value === 'string' || value instanceof Date ? new Date(value) : null;
  if (!time || Number.isNaN(time.getTime())) return '—';
  return new Date(time.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

export const auditSummaries = {
  eventsReplayed: (counts: { units: number; reviews: number; reports: number }) =>
    `重新发送全部数据供统计重建：单位 ${counts.units} 个、评价 ${counts.reviews} 条、办不成事反映 ${counts.reports} 条`,
  unitCreated: (code: string, name: string) => `新增单位 ${code} ${name}`,
  /** 修改单位 CN-01：名称 甲 → 乙；停用 — the unit named as it was when only its status changes (修改单位 CN-01 甲：启用). */
  unitUpdated: (code: string, name: string, change: { name?: readonly [string, string]; disabled?: boolean }) =>
    `修改单位 ${code}${change.name ? '' : ` ${name}`}：${[
      ...(change.name ? [`名称 ${change.name[0]} → ${change.name[1]}`] : []),
      ...(change.disabled === undefined ? [] : [change.disabled ? '停用' : '启用']),
    ].join('；')}`,
  deviceRegistered: (unit: { code: string; name: string }, windowNo: string, label: string | null) =>
    `登记设备 ${unit.code} ${unit.name} ${windowNo}号窗口${label ? `（${label}）` : ''}，签发设备密钥`,
  deviceRevoked: (unitCode: string, windowNo: string, label: string | null) =>
    `吊销设备 ${unitCode} ${windowNo}号窗口${label ? `（${label}）` : ''}`,
  pairingCodeIssued: (unitCode: string, windowNo: string, expiresAt: Date) =>
    `为设备 ${unitCode} ${windowNo}号窗口签发配对码，有效至 ${shanghaiTime(expiresAt)}`,
  hotlineClientRegistered: (name: string) => `登记热线客户端「${name}」，签发接入密钥`,
  hotlineClientRevoked: (name: string) => `吊销热线客户端「${name}」`,
  ratingsImported: (unit: { code: string; name: string }, counts: { created: number; duplicate: number; rejected: number }) =>
    `导入 ${unit.code} ${unit.name} 历史评价 ${counts.created + counts.duplicate + counts.rejected} 条：新增 ${counts.created} 条，重复 ${counts.duplicate} 条，拒收 ${counts.rejected} 条`,
} as const;
