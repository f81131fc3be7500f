/**
 * What the 类问题 pages show instead of codes: units, 问题分类 and people by name, statuses in Chinese
 * (the labels' one home, libs/contracts/src/labels.ts).
 */
import { Grid, Tag } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import {
  IMPROVEMENT_ACTION_STATUS_LABELS,
  PROBLEM_CLASS_STATUS_LABELS,
  PROBLEM_CLASS_STEP_LABELS,
} from '../../../../../libs/contracts/src/labels';
import { intake, must, rectification } from '../../api/client';
import type { components as Intake } from '../../api/intake';
import type { components as Rectification } from '../../api/rectification';
import { ROLE } from '../../labels';

export type ProblemClass = Rectification['schemas']['ProblemClassDetailDto'];
export type ProblemClassSummary = Rectification['schemas']['ProblemClassSummaryDto'];
export type ImprovementAction = Rectification['schemas']['ImprovementActionDto'];
export type Category = Rectification['schemas']['ProblemCategoryDto'];
type Unit = Intake['schemas']['UnitResponseDto'];

/** A phone's width (below antd's `sm`): filters stack, tables keep only what a phone can show. */
export function useNarrow(): boolean {
  return !(Grid.useBreakpoint().sm ?? true);
}

export const CLASS_STATUS: Record<string, string> = PROBLEM_CLASS_STATUS_LABELS;
export const ACTION_STATUS: Record<string, string> = IMPROVEMENT_ACTION_STATUS_LABELS;
export const CLASS_STEP: Record<string, string> = PROBLEM_CLASS_STEP_LABELS;

const CLASS_COLOR: Record<string, string> = { OPEN: 'orange', SOLVED: 'green' };
const ACTION_COLOR: Record<string, string> = { ASSIGNED: 'blue', REPORTED: 'gold', ACCEPTED: 'green', RETURNED: 'red' };

export function ClassStatusTag({ status }: { status: string }) {
  return <Tag color={CLASS_COLOR[status] ?? 'default'}>{CLASS_STATUS[status] ?? '—'}</Tag>;
}

export function ActionStatusTag({ status, overdue }: { status: string; overdue?: boolean }) {
  return (
    <>
      <Tag color={ACTION_COLOR[status] ?? 'default'}>{ACTION_STATUS[status] ?? '—'}</Tag>
      {overdue && <Tag color="red">已超期</Tag>}
    </>
  );
}

/** Unit names by code (GET /units: supervisors and admins); a unit not registered shows as 未登记单位, never its code. */
export function useUnitNames(): (code: string) => string {
  const [units, setUnits] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    must(intake.GET('/api/v1/units'))
      .then((rows: Unit[]) => live && setUnits(new Map(rows.map((u) => [u.code, u.name]))))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return useMemo(() => (code: string) => units.get(code) ?? (units.size ? '未登记单位' : '…'), [units]);
}

/** The 问题分类, active and retired (a class keeps the name of a category retired since). */
export function useCategories(): Category[] {
  const [categories, setCategories] = useState<Category[]>([]);
  useEffect(() => {
    let live = true;
    must(rectification.GET('/api/v1/problem-categories', {}))
      .then((rows) => live && setCategories(rows))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  return categories;
}

/** The display names of the accounts that acted (GET /people/names); someone unknown shows by role. */
export function usePeopleNames(ids: string[]): (id: string, role?: string | null) => string {
  const key = [...new Set(ids)].sort().join(',');
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    const wanted = key.split(',').filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (wanted.length === 0) return;
    let live = true;
    must(intake.GET('/api/v1/people/names', { params: { query: { ids: wanted.slice(0, 100).join(',') } } }))
      .then((r) => live && setNames(new Map(r.names.map((n) => [n.id, n.displayName]))))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [key]);
  return useMemo(() => (id: string, role?: string | null) => names.get(id) ?? (role ? (ROLE[role] ?? '工作人员') : '系统'), [names]);
}
