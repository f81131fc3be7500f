/** The Chinese lines rectification writes into the audit log (gov.audit.recorded); plain functions. */
import { DateTime } from 'luxon';

/** An instant as a person reads it, Asia/Shanghai. */
const shanghai = (at: Date) => DateTime.fromJSDate(at).setZone('Asia/Shanghai').toFormat('yyyy年M月d日 HH:mm');
/** A 类问题 as a person refers to it. */
const classRef = (c: { title: string }) => `类问题「${c.title}」`;

const FIELD_LABELS: Record<string, string> = { name: '姓名', phone: '电话', notes: '处理记录原文' };

/** A revealed field in Chinese: name, phone, the original of a free text, the case notes. */
export function revealedFieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? (field.startsWith('freeText.') ? '评价原文' : field);
}

/** A case as a person refers to it: its unit's name and its case number (e.g. 2026-1207-0001). */
type CaseRef = { caseNumber: string; unitName: string };
const caseRef = (c: CaseRef) => `${c.unitName}案件 ${c.caseNumber} `;

export const rectificationAuditSummaries = {
  eventsReplayed: (counts: { categories: number; cases: number; classes: number }) =>
    `重新发送全部数据供统计重建：问题分类 ${counts.categories} 个、案件 ${counts.cases} 件、类问题 ${counts.classes} 个`,
  contactRevealed: (c: CaseRef, fields: string[], reason: string) => {
    const labels = [...new Set(fields.map(revealedFieldLabel))];
    return `查看${caseRef(c)}的评价人联系方式（${labels.length ? labels.join('、') : '无联系方式'}），事由：${reason}`;
  },
  publicationChanged: (c: CaseRef, publishable: boolean) => (publishable ? `将${caseRef(c)}公开为以评促改案例` : `撤回${caseRef(c)}的公开`),
  calendarConfirmed: (year: number, days: Array<{ kind: 'HOLIDAY' | 'WORKDAY' }>, deadlinesChanged: number) =>
    `确认 ${year} 年工作日历：节假日 ${days.filter((d) => d.kind === 'HOLIDAY').length} 天，调休上班 ${
      days.filter((d) => d.kind === 'WORKDAY').length
    } 天；重算 ${deadlinesChanged} 件案件期限`,
  problemCategoryChanged: (category: { code: string; name: string; retired: boolean }, created: boolean) =>
    created
      ? `新增问题分类「${category.name}」（${category.code}）`
      : `修改问题分类「${category.name}」（${category.code}）${category.retired ? '，已停用' : ''}`,
  classOpened: (c: { title: string }, categoryName: string, cases: number) => `建立${classRef(c)}（${categoryName}），归集 ${cases} 件案件`,
  classCasesChanged: (c: { title: string }, added: number, removed: number) =>
    added > 0 ? `为${classRef(c)}增加 ${added} 件案件` : `从${classRef(c)}移出 ${removed} 件案件`,
  actionAssigned: (c: { title: string }, unitName: string, dueAt: Date) =>
    `向${unitName}交办${classRef(c)}的整改措施，期限 ${shanghai(dueAt)}`,
  actionReported: (c: { title: string }, unitName: string) => `${unitName}报送${classRef(c)}的整改措施已完成`,
  actionAccepted: (c: { title: string }, unitName: string, solved: boolean) =>
    `验收${unitName}落实的${classRef(c)}整改措施${solved ? '；该类问题全部措施已验收，已破解' : ''}`,
  actionReturned: (c: { title: string }, unitName: string, note: string) => `退回${unitName}报送的${classRef(c)}整改措施，原因：${note}`,
} as const;
