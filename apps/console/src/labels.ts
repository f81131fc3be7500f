/**
 * Chinese names of the codes, as the console shows them. The contract's codes take their labels from their one
 * home, libs/contracts/src/labels.ts (shared with the services, the bulletin and the PAD); what only the console
 * shows (colours, roles, audit actions, its own error wording) is kept here.
 */
import {
  AUDIT_ACTION_LABELS,
  CASE_OUTCOME_LABELS,
  CASE_SOURCE_LABELS,
  CASE_STATUS_LABELS,
  CHANNEL_LABELS,
  CONTACT_METHOD_LABELS,
  HOTLINE_CATEGORY_LABELS,
  LEVEL_LABELS,
  ROLE_LABELS,
  SUSPECT_STATUS_LABELS,
  TAG_LABELS,
} from '../../../libs/contracts/src/labels';

export { suspectReasonLabel } from '../../../libs/contracts/src/labels';

const STATUS_COLOR: Record<keyof typeof CASE_STATUS_LABELS, string> = {
  PENDING: 'orange',
  ACCEPTED: 'gold',
  RESPONDED: 'blue',
  RECTIFIED: 'cyan',
  CLOSED: 'green',
  APPEALING: 'purple',
};

export const STATUS: Record<string, { text: string; color: string }> = Object.fromEntries(
  Object.entries(CASE_STATUS_LABELS).map(([code, text]) => [code, { text, color: STATUS_COLOR[code as keyof typeof STATUS_COLOR] }]),
);

export const SOURCE: Record<string, string> = CASE_SOURCE_LABELS;

export const OUTCOME: Record<string, string> = CASE_OUTCOME_LABELS;

export const METHOD: Record<string, string> = CONTACT_METHOD_LABELS;

export const CHANNEL: Record<string, string> = CHANNEL_LABELS;

export const HOTLINE_CATEGORY: Record<string, string> = HOTLINE_CATEGORY_LABELS;

export const SUSPECT_STATUS: Record<string, string> = SUSPECT_STATUS_LABELS;

export const ACTION: Record<string, string> = {
  open: '立案',
  opened: '立案',
  accept: '签收',
  respond: '联系评价人/回访核实',
  rectify: '整改',
  feedback: '反馈评价人',
  'request-extension': '申请延期',
  'decide-extension': '延期审批',
  appeal: '申诉',
  'decide-appeal': '申诉裁定',
  urge: '督办',
  overdue: '超期',
  'reveal-contact': '查看联系方式',
  'personal-data-erased': '个人信息已按期删除',
  reopen: '重新整改',
  'deadline-changed': '工作日历调整，期限重算',
  'mark-overdue': '超期',
  publication: '公开案例设置',
};

export const LEVEL: Record<number, string> = LEVEL_LABELS;

export const TAG: Record<string, string> = TAG_LABELS;

export const ROLE: Record<string, string> = ROLE_LABELS;

export const AUDIT: Record<string, string> = AUDIT_ACTION_LABELS;

export const ERROR_CODE: Record<string, string> = {
  INVALID_CREDENTIALS: '用户名或密码错误',
  ACCOUNT_LOCKED: '连续登录失败次数过多，账号已临时锁定',
  LAST_ADMIN: '至少须保留一名启用的系统管理员',
  UNIT_DISABLED: '该单位已停用，不能再接收评价、报告或新设备',
  RATE_LIMITED: '操作过于频繁，请稍后再试',
  PASSWORD_CHANGE_REQUIRED: '首次登录请先修改密码',
  INVALID_TRANSITION: '当前状态下不能执行此操作',
  FORBIDDEN_UNIT: '无权访问其他单位的数据',
  FORBIDDEN: '当前角色无权执行此操作',
  NOT_FOUND: '未找到',
  CONFLICT: '与现有数据冲突',
  VALIDATION_FAILED: '填写内容有误',
  UNAUTHENTICATED: '登录已失效，请重新登录',
};

export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(2)}%`;
}

/** An instant in Beijing time, as every page shows one (2026-12-28 23:59). */
export function beijingTime(iso: string): string {
  const d = new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString();
  return `${d.slice(0, 10)} ${d.slice(11, 16)}`;
}

const ISO = '(\\d{4}-\\d{2}-\\d{2}T[0-9:.]+(?:Z|[+-]\\d{2}:?\\d{2}))';

/** The services' field messages (English, instants in UTC) as the console words them: Chinese, Beijing time. */
const FIELD_MESSAGES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [
    new RegExp(`must not be later than ${ISO} \\((\\d+) working days after opening\\)`),
    (m) => `不能晚于 ${beijingTime(m[1]!)}（立案后 ${m[2]} 个工作日）`,
  ],
  [new RegExp(`must be after the current rectification deadline ${ISO}`), (m) => `须晚于当前整改期限 ${beijingTime(m[1]!)}`],
  [new RegExp(`must not be before the case opened \\(${ISO}\\)`), (m) => `不能早于立案时间 ${beijingTime(m[1]!)}`],
  [/must not be in the future/, () => '不能晚于当前时间'],
  [/must be a valid date-time|is not a calendar date|must be a YYYY-MM-DD date/, () => '日期格式不正确'],
  [/NO_CONTACT is only allowed/, () => '仅无联系方式的案件可选择“无联系方式”'],
  [/is required|should not be empty|must not be blank/, () => '必须填写'],
  [/must be shorter than or equal to (\d+)|must be at most (\d+) characters/, (m) => `不超过 ${m[1] ?? m[2]} 个字`],
  [/must be a valid mainland mobile number|phone/, () => '请填写有效的手机号码'],
  [/already exists|is taken|duplicate/i, () => '已存在'],
];

export function fieldMessage(message: string): string {
  if (/[\u4e00-\u9fff]/.test(message) && !/[A-Za-z]{4,}/.test(message)) return message;
  for (const [pattern, word] of FIELD_MESSAGES) {
    const m = pattern.exec(message);
    if (m) return word(m);
  }
  return '填写内容不符合要求';
}
