import { auditSummaries, auditSummaryOf, shanghaiTime } from './audit-summary.js';

describe('audit summaries (Chinese, never raw JSON)', () => {
  it('words the entries of intake', () => {
    expect(auditSummaries.unitCreated('CN-01', '示范单位')).toBe('新增单位 CN-01 示范单位');
    expect(auditSummaries.unitUpdated('CN-01', '甲', { name: ['甲', '乙'], disabled: true })).toBe('修改单位 CN-01：名称 甲 → 乙；停用');
    expect(auditSummaries.unitUpdated('CN-01', '甲', { name: ['甲', '乙'] })).toBe('修改单位 CN-01：名称 甲 → 乙');
    expect(auditSummaries.unitUpdated('CN-01', '甲', { disabled: true })).toBe('修改单位 CN-01 甲：停用');
    expect(auditSummaries.unitUpdated('CN-01', '甲', { disabled: false })).toBe('修改单位 CN-01 甲：启用');
    expect(auditSummaries.deviceRegistered({ code: 'CN-01', name: '示范单位' }, '3', '东厅')).toBe(
      '登记设备 CN-01 示范单位 3号窗口（东厅），签发设备密钥',
    );
    expect(auditSummaries.deviceRevoked('CN-01', '3', null)).toBe('吊销设备 CN-01 3号窗口');
    expect(auditSummaries.pairingCodeIssued('CN-01', '3', new Date('2026-12-07T10:15:00Z'))).toBe(
      '为设备 CN-01 3号窗口签发配对码，有效至 2026-12-07 18:15',
    );
    expect(auditSummaries.hotlineClientRegistered('区12345')).toBe('登记热线客户端「区12345」，签发接入密钥');
    expect(auditSummaries.hotlineClientRevoked('区12345')).toBe('吊销热线客户端「区12345」');
    expect(auditSummaries.ratingsImported({ code: 'CN-01', name: '示范单位' }, { created: 3, duplicate: 1, rejected: 2 })).toBe(
      '导入 CN-01 示范单位 历史评价 6 条：新增 3 条，重复 1 条，拒收 2 条',
    );
  });

  it('words older entries from their detail', () => {
    expect(auditSummaryOf('LOGIN', {})).toBe('登录');
    expect(auditSummaryOf('LOGIN_FAILED', { reason: 'WRONG_PASSWORD' })).toBe('登录失败：密码错误');
    expect(auditSummaryOf('ACCOUNT_LOCKED', { until: '2026-12-07T10:15:00.000Z', address: '127.0.0.9' })).toBe(
      '连续登录失败，来自 127.0.0.9 的登录暂停至 2026-12-07 18:15',
    );
    expect(auditSummaryOf('USER_CREATED', { username: 'li.na', role: 'unit_operator', unitCode: 'CN-01' })).toBe(
      '创建用户 li.na（单位经办人，CN-01）',
    );
    expect(
      auditSummaryOf('USER_UPDATED', { username: 'li.na', changes: { role: ['unit_operator', 'supervisor'], unitCode: ['CN-01', null] } }),
    ).toBe('修改用户 li.na：角色由「单位经办人」改为「督查人员」，单位由「CN-01」改为「无」');
    expect(auditSummaryOf('PASSWORD_RESET', { username: 'li.na' })).toBe('重置密码 li.na');
    expect(
      auditSummaryOf('SUSPECT_CONFIRMED', {
        unitCode: 'CN-01',
        reviewId: '0f1e2d3c-aaaa-bbbb-cccc-000000000000',
        windowNo: 'A03',
        serviceRecordId: 'SR-2026-118',
        ratedAt: '2026-12-07T02:30:00.000Z',
      }),
    ).toBe('确认刷评：CN-01 窗口 A03 办件 SR-2026-118 的评价（2026-12-07 10:30 评价）');
  });

  it('writes instants in Asia/Shanghai time', () => {
    expect(shanghaiTime('2026-12-31T16:30:00Z')).toBe('2027-01-01 00:30');
    expect(shanghaiTime('not a time')).toBe('—');
  });
});
