/** The Chinese lines rectification writes into the audit log (gov.audit.recorded); plain functions. */

const FIELD_LABELS: Record<string, string> = { name: '姓名', phone: '电话', notes: '处理记录原文' };

/** A revealed field in Chinese: name, phone, the original of a free text, the case notes. */
export function revealedFieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? (field.startsWith('freeText.') ? '评价原文' : field);
}

/** A case as a person refers to it: its unit and the first 8 characters of its id. */
const caseRef = (c: { id: string; unitCode: string; unitName: string }) => `${c.unitCode} ${c.unitName} 案件 ${c.id.slice(0, 8)}`;

export const rectificationAuditSummaries = {
  contactRevealed: (c: { id: string; unitCode: string; unitName: string }, fields: string[], reason: string) => {
    const labels = [...new Set(fields.map(revealedFieldLabel))];
    return `查看${caseRef(c)}的评价人联系方式（${labels.length ? labels.join('、') : '无联系方式'}），事由：${reason}`;
  },
  publicationChanged: (c: { id: string; unitCode: string; unitName: string }, publishable: boolean) =>
    publishable ? `将${caseRef(c)}公开为以评促改案例` : `撤回${caseRef(c)}的公开`,
  calendarConfirmed: (year: number, days: Array<{ kind: 'HOLIDAY' | 'WORKDAY' }>, deadlinesChanged: number) =>
    `确认 ${year} 年工作日历：节假日 ${days.filter((d) => d.kind === 'HOLIDAY').length} 天，调休上班 ${
      days.filter((d) => d.kind === 'WORKDAY').length
    } 天；重算 ${deadlinesChanged} 件案件期限`,
} as const;
