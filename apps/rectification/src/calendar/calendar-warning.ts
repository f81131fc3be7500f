/**
 * When the calendar must be loud (pure; the service feeds it today's Shanghai date and the years'
 * statuses). From 1 November the next year's arrangement is due: until it is published or
 * confirmed, deadlines reaching into it rest on provisional days. A current year without one is
 * always reported.
 */
export const WARN_FROM_MONTH_DAY = '11-01';

export type YearState = 'CONFIRMED' | 'PUBLISHED' | 'PROVISIONAL' | 'MISSING';

export interface CalendarWarning {
  year: number;
  status: YearState;
  message: string;
}

export const isSettled = (status: YearState): boolean => status === 'CONFIRMED' || status === 'PUBLISHED';

export function calendarWarnings(today: string, statusOf: (year: number) => YearState): CalendarWarning[] {
  const year = Number(today.slice(0, 4));
  const years = today.slice(5) >= WARN_FROM_MONTH_DAY ? [year, year + 1] : [year];
  return years
    .map((y) => ({ year: y, status: statusOf(y) }))
    .filter((y) => !isSettled(y.status))
    .map(({ year: y, status }) => ({
      year: y,
      status,
      message:
        status === 'PROVISIONAL'
          ? `${y} 年节假日安排尚未确认：期限暂按法定节假日计算（无调休），相关案件标注 deadlineProvisional。发布后请 PUT /api/v1/calendar/${y} 确认。`
          : `${y} 年没有节假日数据：期限按周一至周五计算。请 PUT /api/v1/calendar/${y}。`,
    }));
}
