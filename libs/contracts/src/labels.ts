/**
 * The one home of what a person reads for each code of the contract: bad-review tags, rating levels, case
 * statuses, sources, outcomes and contact methods, channels, 12345 categories, suspect statuses and reasons.
 * The services (reports, the bulletin, exports, public pages), the console and the PAD page all show these.
 * Plain data and plain functions with no imports, so that the browser pages bundle this file as it is.
 */
import type { AuditAction } from './events.js';

/** Bad-review tags (差评标签), in the order the PAD offers them. */
export const TAG_LABELS = {
  ATTITUDE: '服务态度差',
  EFFICIENCY: '办事效率低',
  PROCESS: '办事流程繁琐',
  GUIDANCE: '指引不清晰',
  ENVIRONMENT: '服务环境差',
  POLICY: '政策解释不清',
  REPEATED_VISITS: '多次跑动',
  OTHER: '其他',
} as const;

/** The five rating levels (API.md § Rating levels). */
export const LEVEL_LABELS: Readonly<Record<1 | 2 | 3 | 4 | 5, string>> = {
  5: '非常满意',
  4: '满意',
  3: '基本满意',
  2: '不满意',
  1: '非常不满意',
};

export const CASE_STATUS_LABELS = {
  PENDING: '待签收',
  ACCEPTED: '已签收',
  RESPONDED: '已回访',
  RECTIFIED: '已整改',
  CLOSED: '已办结',
  APPEALING: '申诉中',
} as const;

export const CASE_SOURCE_LABELS = { BAD_REVIEW: '差评', HOTLINE: '12345转办', UNRESOLVED: '办不成事' } as const;

export const CASE_OUTCOME_LABELS = { RECTIFIED: '整改到位', EXPLAINED: '情况说明', APPEAL_UPHELD: '申诉成立' } as const;

/** The same sources and outcomes as the public pages word them for citizens (以评促改 examples). */
export const PUBLIC_CASE_SOURCE_LABELS = { BAD_REVIEW: '窗口评价', HOTLINE: '12345热线', UNRESOLVED: '办不成事反映' } as const;
export const PUBLIC_CASE_OUTCOME_LABELS = { RECTIFIED: '已整改', EXPLAINED: '已作情况说明' } as const;

export const CONTACT_METHOD_LABELS = {
  PHONE: '电话',
  SMS: '短信',
  VISIT: '上门',
  ONLINE: '网上',
  NO_CONTACT: '无联系方式（匿名评价）',
} as const;

/** Where a rating came from (API.md § Channels). */
export const CHANNEL_LABELS = {
  PAD: '窗口评价器',
  HOTLINE_12345: '12345热线',
  ONLINE: '一网通办',
  QR: '扫码评价',
  SMS: '短信邀评',
  PROVINCE: '省级平台',
} as const;

/** The stage of a matter a rating is about (一事一评). */
export const STAGE_LABELS = { ACCEPTANCE: '受理', COMPLETION: '办结' } as const;

export const HOTLINE_CATEGORY_LABELS = { COMPLAINT: '投诉', REQUEST: '求助', SUGGESTION: '建议', CONSULTATION: '咨询' } as const;

/** Where a 类问题 stands (events.ts PROBLEM_CLASS_STATUSES). */
export const PROBLEM_CLASS_STATUS_LABELS = { OPEN: '整改中', SOLVED: '已解决' } as const;

/** The steps of a 类问题's timeline (GET /problem-classes/{id} `timeline[].action`). */
export const PROBLEM_CLASS_STEP_LABELS = {
  open: '建立类问题',
  'add-cases': '增加案件',
  'remove-case': '移出案件',
  'assign-action': '交办整改措施',
  'report-action': '报送措施完成',
  'return-action': '退回整改措施',
  'accept-action': '验收整改措施',
  solved: '全部措施验收通过，类问题已解决',
} as const;

/** Where an improvement action (优化一类服务) stands (events.ts IMPROVEMENT_ACTION_STATUSES). */
export const IMPROVEMENT_ACTION_STATUS_LABELS = { ASSIGNED: '待落实', REPORTED: '待验收', ACCEPTED: '已验收', RETURNED: '已退回' } as const;

/** Where a supervisor's review of a 刷评 flag stands. */
export const SUSPECT_STATUS_LABELS = { OPEN: '待核查', CONFIRMED: '已确认刷评', CLEARED: '已解除' } as const;

/**
 * A stored 刷评 reason in Chinese. The reasons are stored as the rule wrote them (rating-rules.ts, BURST_REASON and
 * ARRIVAL_BURST_REASON: "BURST: more than 5 [live ]ratings from one device … within 10 s"); the numbers are read
 * from the text, so that a reason stored under other limits is worded with its own.
 */
export function suspectReasonLabel(reason: string | null | undefined): string {
  if (!reason) return '疑似刷评';
  const burst = /^BURST: more than (\d+) (live )?ratings from one device .*within (\d+) s/.exec(reason);
  if (!burst) return '疑似刷评';
  return burst[2]
    ? `疑似刷评：同一评价器 ${burst[3]} 秒内收到超过 ${burst[1]} 条实时评价`
    : `疑似刷评：同一评价器的评价时间在 ${burst[3]} 秒内超过 ${burst[1]} 条`;
}

/** The label of a code in one of the tables above, or the code itself when the table does not know it. */
export function labelOf(table: Readonly<Record<string, string>>, code: string | null | undefined): string {
  if (code === null || code === undefined) return '—';
  return table[code] ?? code;
}

/** What each audit entry records (events.ts AUDIT_ACTIONS), as the console and the export name it. */
export const AUDIT_ACTION_LABELS = {
  LOGIN: '登录',
  LOGIN_FAILED: '登录失败',
  ACCOUNT_LOCKED: '登录受限',
  ACCOUNT_UNLOCKED: '解除登录限制',
  LOGOUT: '退出登录',
  REFRESH_REUSED: '令牌重放（已吊销）',
  PASSWORD_CHANGED: '修改密码',
  USER_CREATED: '创建用户',
  USER_UPDATED: '修改用户',
  PASSWORD_RESET: '重置密码',
  SUSPECT_CLEARED: '解除刷评疑似',
  SUSPECT_CONFIRMED: '确认刷评',
  UNIT_CREATED: '新增单位',
  UNIT_UPDATED: '修改单位',
  DEVICE_REGISTERED: '登记设备',
  DEVICE_REVOKED: '吊销设备',
  PAIRING_CODE_ISSUED: '签发配对码',
  HOTLINE_CLIENT_REGISTERED: '登记热线客户端',
  HOTLINE_CLIENT_REVOKED: '吊销热线客户端',
  RATINGS_IMPORTED: '导入历史评价',
  CALENDAR_CONFIRMED: '确认工作日历',
  CASE_PUBLICATION_CHANGED: '案例公开设置',
  CONTACT_REVEALED: '查看联系方式',
  QUARTER_PUBLISHED: '发布季度报告',
  BULLETIN_LINK_CREATED: '生成通报分享链接',
  PERSONAL_DATA_ERASED: '个人信息已按期删除',
  PLATFORM_CLIENT_REGISTERED: '登记平台接入方',
  PLATFORM_CLIENT_REVOKED: '吊销平台接入方',
  PROBLEM_CATEGORY_CHANGED: '维护问题分类',
  PROBLEM_CLASS_OPENED: '建立类问题',
  PROBLEM_CLASS_CASES_CHANGED: '调整类问题案件',
  IMPROVEMENT_ACTION_ASSIGNED: '交办整改措施',
  IMPROVEMENT_ACTION_REPORTED: '报送措施完成',
  IMPROVEMENT_ACTION_ACCEPTED: '验收整改措施',
  IMPROVEMENT_ACTION_RETURNED: '退回整改措施',
  EVENTS_REPLAYED: '重新发送数据供统计重建',
} as const satisfies Readonly<Record<AuditAction, string>>;

/** The console roles in Chinese. */
export const ROLE_LABELS = { admin: '系统管理员', supervisor: '督查人员', unit_operator: '单位经办人' } as const;
