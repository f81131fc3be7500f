import { rectificationAuditSummaries as s, revealedFieldLabel } from './audit-summaries.js';

describe("rectification's audit summaries", () => {
  const c = { caseNumber: '2026-1207-0003', unitName: '区市场监督管理局' };

  it('words a reveal with the fields and the reason', () => {
    expect(s.contactRevealed(c, ['name', 'phone', 'freeText.comment', 'freeText.content'], '回访评价人')).toBe(
      '查看区市场监督管理局案件 2026-1207-0003 的评价人联系方式（姓名、电话、评价原文），事由：回访评价人',
    );
    expect(s.contactRevealed(c, [], '核实')).toBe('查看区市场监督管理局案件 2026-1207-0003 的评价人联系方式（无联系方式），事由：核实');
    expect(revealedFieldLabel('notes')).toBe('处理记录原文');
  });

  it('words publication and calendar confirmation', () => {
    expect(s.publicationChanged(c, true)).toBe('将区市场监督管理局案件 2026-1207-0003 公开为以评促改案例');
    expect(s.publicationChanged(c, false)).toBe('撤回区市场监督管理局案件 2026-1207-0003 的公开');
    expect(s.calendarConfirmed(2027, [{ kind: 'HOLIDAY' }, { kind: 'HOLIDAY' }, { kind: 'WORKDAY' }], 4)).toBe(
      '确认 2027 年工作日历：节假日 2 天，调休上班 1 天；重算 4 件案件期限',
    );
  });
});
