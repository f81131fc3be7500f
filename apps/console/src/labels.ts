/** Chinese names of the contract's codes, as the console shows them. */
export const STATUS: Record<string, { text: string; color: string }> = {
  PENDING: { text: '待签收', color: 'orange' },
  ACCEPTED: { text: '已签收', color: 'gold' },
  RESPONDED: { text: '已回访', color: 'blue' },
  RECTIFIED: { text: '已整改', color: 'cyan' },
  CLOSED: { text: '已办结', color: 'green' },
  APPEALING: { text: '申诉中', color: 'purple' },
};

export const SOURCE: Record<string, string> = { BAD_REVIEW: '差评', HOTLINE: '12345转办', UNRESOLVED: '办不成事' };

export const OUTCOME: Record<string, string> = {
  RECTIFIED: '整改到位',
  EXPLAINED: '情况说明',
  APPEAL_UPHELD: '申诉成立',
};

export const METHOD: Record<string, string> = {
  PHONE: '电话',
  SMS: '短信',
  VISIT: '上门',
  ONLINE: '网上',
  NO_CONTACT: '无联系方式（匿名评价）',
};

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
};

export const LEVEL: Record<number, string> = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' };

export const TAG: Record<string, string> = {
  ATTITUDE: '服务态度',
  EFFICIENCY: '办事效率',
  PROCESS: '办事流程',
  GUIDANCE: '咨询引导',
  ENVIRONMENT: '服务环境',
  OTHER: '其他',
};

export const ROLE: Record<string, string> = { admin: '系统管理员', supervisor: '督查人员', unit_operator: '单位经办人' };

export const AUDIT: Record<string, string> = {
  LOGIN: '登录',
  LOGIN_FAILED: '登录失败',
  ACCOUNT_LOCKED: '账号锁定',
  LOGOUT: '退出登录',
  REFRESH_REUSED: '令牌重放（已吊销）',
  PASSWORD_CHANGED: '修改密码',
  USER_CREATED: '创建用户',
  USER_UPDATED: '修改用户',
  PASSWORD_RESET: '重置密码',
  SUSPECT_CLEARED: '解除刷评疑似',
  SUSPECT_CONFIRMED: '确认刷评',
  PERSONAL_DATA_ERASED: '个人信息已按期删除',
};

export const ERROR_CODE: Record<string, string> = {
  INVALID_CREDENTIALS: '用户名或密码错误',
  ACCOUNT_LOCKED: '连续登录失败次数过多，账号已临时锁定',
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
